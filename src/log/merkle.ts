import { EMPTY_ROOT, type Hash, hashNode } from './hash.ts';

/**
 * A stored tree node: the root of the perfect subtree holding leaves [index * 2^level, (index + 1) * 2^level).
 * Level 0 nodes are leaf hashes. Only perfect subtrees are ever stored; every other hash is folded from them.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A half-open leaf range [start, end). */
export type Range = readonly [start: number, end: number];

/** Largest power of two strictly less than n (n > 1), as RFC 6962 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees that make up [start, end), left to right, in decreasing size.
 * Valid for every range that a proof or a root needs: start is aligned to a power of two at least end - start.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let pos = start;
  while (pos < end) {
    let size = 1;
    let level = 0;
    while (pos % (size * 2) === 0 && pos + size * 2 <= end) {
      size *= 2;
      level++;
    }
    nodes.push({ level, index: pos / size });
    pos += size;
  }
  return nodes;
}

/** Folds the perfect-subtree hashes of a range (from `rangeNodes`) into its RFC 6962 Merkle tree hash. */
export function foldRange(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1] as Hash;
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashNode(hashes[i] as Hash, acc);
  return acc;
}

/** The subtree ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` (RFC 6962 PATH). */
export function inclusionRanges(index: number, size: number): Range[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  const out: Range[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) {
      walk(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      walk(m - k, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  walk(index, 0, size);
  return out;
}

/** The subtree ranges whose hashes form the consistency proof from size `from` to size `to` (RFC 6962 PROOF). */
export function consistencyRanges(from: number, to: number): Range[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`cannot prove consistency from size ${from} to ${to}`);
  if (from === 0 || from === to) return [];
  const out: Range[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!complete) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      out.push([lo + k, hi]);
    } else {
      sub(m - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(from, 0, to, true);
  return out;
}

/** Every stored node needed to answer a list of ranges, deduplicated, for one batched read. */
export function nodesForRanges(ranges: readonly Range[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [start, end] of ranges) {
    for (const n of rangeNodes(start, end)) seen.set(`${n.level}/${n.index}`, n);
  }
  return [...seen.values()];
}

/** Looks up stored node hashes by id; throws when one is missing. */
export type NodeLookup = (id: NodeId) => Hash;

/** Hash of the range [start, end) from stored perfect-subtree nodes. */
export function hashRange(range: Range, lookup: NodeLookup): Hash {
  return foldRange(rangeNodes(range[0], range[1]).map(lookup));
}

/** Root of the first `size` leaves from stored nodes. */
export function rootAt(size: number, lookup: NodeLookup): Hash {
  return hashRange([0, size], lookup);
}

/** Key of a node id for maps. */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending a leaf returns
 * the new perfect-subtree nodes to store, so that appends never re-read or recompute the tree.
 */
export class Frontier {
  #size: number;
  #edge: { level: number; hash: Hash }[];

  /** Starts from a tree of `size` leaves whose perfect subtrees (from `rangeNodes(0, size)`) have these hashes. */
  constructor(size = 0, edgeHashes: readonly Hash[] = []) {
    const ids = rangeNodes(0, size);
    if (ids.length !== edgeHashes.length) throw new RangeError('frontier hashes do not match the tree size');
    this.#size = size;
    this.#edge = ids.map((id, i) => ({ level: id.level, hash: edgeHashes[i] as Hash }));
  }

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  /** The current root. */
  root(): Hash {
    return foldRange(this.#edge.map((e) => e.hash));
  }

  /** Appends one leaf hash; returns every node (the leaf included) that became complete. */
  append(leafHash: Hash): { id: NodeId; hash: Hash }[] {
    const index = this.#size;
    const created: { id: NodeId; hash: Hash }[] = [{ id: { level: 0, index }, hash: leafHash }];
    let cur = { level: 0, hash: leafHash };
    let pos = index;
    while (pos % 2 === 1) {
      const left = this.#edge.pop();
      if (!left || left.level !== cur.level) throw new Error('frontier corrupted');
      cur = { level: cur.level + 1, hash: hashNode(left.hash, cur.hash) };
      pos = (pos - 1) / 2;
      created.push({ id: { level: cur.level, index: pos }, hash: cur.hash });
    }
    this.#edge.push(cur);
    this.#size++;
    return created;
  }

  /** The right-edge perfect subtrees with their ids, largest first. */
  edgeNodes(): { id: NodeId; hash: Hash }[] {
    const ids = rangeNodes(0, this.#size);
    return this.#edge.map((e, i) => ({ id: ids[i] as NodeId, hash: e.hash }));
  }

  /** A copy that can be advanced without touching this one (for a transaction that may roll back). */
  clone(): Frontier {
    const f = new Frontier();
    f.#size = this.#size;
    f.#edge = this.#edge.map((e) => ({ ...e }));
    return f;
  }
}

/** In-memory tree over leaf hashes: for tests, the offline verifier and small logs. */
export class MemoryTree {
  readonly #nodes = new Map<string, Hash>();
  readonly #frontier = new Frontier();

  get size(): number {
    return this.#frontier.size;
  }

  append(leafHash: Hash): void {
    for (const n of this.#frontier.append(leafHash)) this.#nodes.set(nodeKey(n.id), n.hash);
  }

  readonly lookup: NodeLookup = (id) => {
    const h = this.#nodes.get(nodeKey(id));
    if (!h) throw new RangeError(`node ${nodeKey(id)} is not in the tree`);
    return h;
  };

  root(size = this.size): Hash {
    return rootAt(size, this.lookup);
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    return inclusionRanges(index, size).map((r) => hashRange(r, this.lookup));
  }

  consistencyProof(from: number, to = this.size): Hash[] {
    return consistencyRanges(from, to).map((r) => hashRange(r, this.lookup));
  }
}
