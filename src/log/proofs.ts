import { equalBytes, type Hash, hashNode } from './hash.ts';

/** Checks an RFC 6962 inclusion proof (RFC 9162 §2.1.3.2); true when `leafHash` is leaf `index` of the tree `root`. */
export function verifyInclusion(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/** Checks an RFC 6962 consistency proof (RFC 9162 §2.1.4.2) between two tree sizes and their roots. */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Hash[],
  fromRoot: Hash,
  toRoot: Hash,
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (from === to) return proof.length === 0 && equalBytes(fromRoot, toRoot);
  if (from === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  let path = [...proof];
  // When `from` is a power of two the old root is itself the first node of the path. Not `from & (from - 1)`:
  // bitwise operators truncate to 32 bits, which misjudged sizes of 2^32 and more.
  if (isPowerOfTwo(from)) path = [fromRoot, ...path];
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashNode(c, fr);
      sr = hashNode(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashNode(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, fromRoot) && equalBytes(sr, toRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = n;
  while (k > 1 && k % 2 === 0) k /= 2;
  return k === 1;
}
