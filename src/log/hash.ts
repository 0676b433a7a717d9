import * as crypto from 'node:crypto';

const { createHash } = crypto;

/**
 * One-shot SHA-256 where Node has `crypto.hash` (20.12 and later): about a third cheaper than a Hash object for the
 * short inputs of the log (leaves, nodes, commitments). Older Node 20 releases use the Hash object.
 */
const hasOneShot = typeof crypto.hash === 'function';

function digest(data: Uint8Array | string, encoding: 'buffer'): Buffer;
function digest(data: Uint8Array | string, encoding: 'hex' | 'base64'): string;
function digest(data: Uint8Array | string, encoding: 'buffer' | 'hex' | 'base64'): Buffer | string {
  if (hasOneShot) return crypto.hash('sha256', data, encoding);
  const h = createHash('sha256').update(data);
  return encoding === 'buffer' ? h.digest() : h.digest(encoding);
}

/** A SHA-256 digest, 32 bytes. */
export type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 6962 leaf hash: SHA-256(0x00 || leaf). */
export function hashLeaf(leaf: Uint8Array | string): Hash {
  // A string leaf is hashed as UTF-8 straight from the string: "\u0000" encodes to the single byte 0x00.
  return typeof leaf === 'string'
    ? digest(`\u0000${leaf}`, 'buffer')
    : digest(Buffer.concat([LEAF_PREFIX, leaf]), 'buffer');
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function hashNode(left: Hash, right: Hash): Hash {
  return digest(Buffer.concat([NODE_PREFIX, left, right], 65), 'buffer');
}

/** SHA-256 of the empty string: the root of an empty tree. */
export const EMPTY_ROOT: Hash = digest('', 'buffer');

/** Plain SHA-256 of bytes or a UTF-8 string. */
export function sha256(data: Uint8Array | string): Hash {
  return digest(data, 'buffer');
}

/** SHA-256 of a UTF-8 string as standard base64. */
export function sha256Base64(text: string): string {
  return digest(text, 'base64');
}

/** SHA-256 of a UTF-8 string as lowercase hex. */
export function sha256Hex(text: string): string {
  return digest(text, 'hex');
}

/** Encodes bytes as standard base64. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Decodes standard base64, refusing anything that does not round-trip (so tampering is never silently ignored). */
export function fromBase64(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new TypeError('not canonical base64');
  return new Uint8Array(bytes);
}

/** Encodes bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Constant-shape byte equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
