import { randomFillSync } from 'node:crypto';

// One call into the CSPRNG per 2,048 ids or salts instead of one per value: it dominated bulk intake.
const pool = Buffer.alloc(64 * 1024);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  // Never hand out the same random bytes twice.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A new time-ordered, unguessable id with a short prefix, e.g. `o_0mh3k9x2a7f3c9e1b0d44aa`. */
export function newId(prefix: 'o' | 'w'): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomHex(8)}`;
}

/** A fresh 32-byte salt as lowercase hex. */
export function newSalt(): string {
  return randomHex(32);
}
