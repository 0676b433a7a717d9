import * as crypto from 'node:crypto';

const { createHash } = crypto;

/**
 * One-shot SHA-256: about a third cheaper than a Hash object for the short inputs of the log (leaves, nodes,
 * commitments). `crypto.hash` is in Node 20.12 and later; older Node 20 releases use the Hash object.
 */
const oneShot: ((data: Uint8Array | string) => Buffer) | undefined =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : undefined;

/** A SHA-256 digest, 32 bytes. */
export type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 6962 leaf hash: SHA-256(0x00 || leaf). */
export function hashLeaf(leaf: Uint8Array | string): Hash {
  // A string leaf is hashed as UTF-8 straight from the string: "\u0000" encodes to the single byte 0x00.
  if (oneShot && typeof leaf === 'string') return oneShot(`\u0000${leaf}`);
  const bytes = typeof leaf === 'string' ? Buffer.from(leaf, 'utf8') : leaf;
  if (oneShot) return oneShot(Buffer.concat([LEAF_PREFIX, bytes]));
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function hashNode(left: Hash, right: Hash): Hash {
  if (oneShot) return oneShot(Buffer.concat([NODE_PREFIX, left, right], 65));
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** SHA-256 of the empty string: the root of an empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** Plain SHA-256 of bytes or a UTF-8 string. */
export function sha256(data: Uint8Array | string): Hash {
  return oneShot ? oneShot(data) : createHash('sha256').update(data).digest();
}

/** SHA-256 of a UTF-8 string as standard base64, in one call where Node has `crypto.hash`. */
export function sha256Base64(text: string): string {
  return typeof crypto.hash === 'function'
    ? crypto.hash('sha256', text, 'base64')
    : createHash('sha256').update(text).digest('base64');
}

/** SHA-256 of a UTF-8 string as lowercase hex, in one call where Node has `crypto.hash`. */
export function sha256Hex(text: string): string {
  return typeof crypto.hash === 'function'
    ? crypto.hash('sha256', text, 'hex')
    : createHash('sha256').update(text).digest('hex');
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
