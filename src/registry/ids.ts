import { randomBytes } from 'node:crypto';

/** A new time-ordered, unguessable id with a short prefix, e.g. `o_mh3k9x2a7f3c9e1b0d44aa`. */
export function newId(prefix: 'o' | 'w'): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

/** A fresh 32-byte salt as lowercase hex. */
export function newSalt(): string {
  return randomBytes(32).toString('hex');
}
