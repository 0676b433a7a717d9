import { createHash, randomBytes } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh 256-bit link token, base64url without padding (43 characters), safe in a URL path. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether text has the shape of a link token (it may still be unknown). */
export function isLinkToken(text: unknown): text is string {
  return typeof text === 'string' && TOKEN.test(text);
}

/** The SHA-256 under which a token is stored; the token itself is never stored. */
export function hashLinkToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}
