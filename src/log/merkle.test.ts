import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHashesOf, treeOver } from './_test-trees.ts';
import { EMPTY_ROOT, type Hash, hashLeaf, hashNode, toHex } from './hash.ts';
import {
  consistencyRanges,
  Frontier,
  foldRange,
  hashRange,
  inclusionRanges,
  type NodeId,
  nodesForRanges,
  rangeNodes,
  splitPoint,
} from './merkle.ts';

/** MTH straight from RFC 6962 §2.1, recursing on the largest power of two below n: the reference to compare with. */
function naiveRoot(leafHashes: readonly Hash[]): Hash {
  const n = leafHashes.length;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leafHashes[0] as Hash;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return hashNode(naiveRoot(leafHashes.slice(0, k)), naiveRoot(leafHashes.slice(k)));
}

/** RFC 6962 §2.1.1 PATH(m, D[n]) over leaf hashes. */
function naivePath(m: number, d: readonly Hash[]): Hash[] {
  const n = d.length;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...naivePath(m, d.slice(0, k)), naiveRoot(d.slice(k))];
  return [...naivePath(m - k, d.slice(k)), naiveRoot(d.slice(0, k))];
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]) over leaf hashes. */
function naiveProof(m: number, d: readonly Hash[]): Hash[] {
  const sub = (m: number, d: readonly Hash[], complete: boolean): Hash[] => {
    const n = d.length;
    if (m === n) return complete ? [] : [naiveRoot(d)];
    const k = splitPoint(n);
    if (m <= k) return [...sub(m, d.slice(0, k), complete), naiveRoot(d.slice(k))];
    return [...sub(m - k, d.slice(k), false), naiveRoot(d.slice(0, k))];
  };
  return m === 0 || m === d.length ? [] : sub(m, d, true);
}

const isPerfect = (id: NodeId, start: number, end: number): boolean =>
  id.index * 2 ** id.level >= start && (id.index + 1) * 2 ** id.level <= end;

describe('splitPoint', () => {
  it('is the largest power of two strictly below n', () => {
    expect([2, 3, 4, 5, 8, 9, 16, 17, 1000].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 8, 16, 512]);
    expect(splitPoint(2 ** 40 + 1)).toBe(2 ** 40);
  });
});

describe('rangeNodes', () => {
  it('decomposes [0, n) into the perfect subtrees of the binary digits of n, largest first', () => {
    expect(rangeNodes(0, 0)).toEqual([]);
    expect(rangeNodes(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(12, 16)).toEqual([{ level: 2, index: 3 }]);
  });

  it('covers every proof range exactly, with aligned perfect subtrees of decreasing size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.nat(), (size, a, b) => {
        const index = a % size;
        const from = b % (size + 1);
        for (const [start, end] of [...inclusionRanges(index, size), ...consistencyRanges(from, size)]) {
          const nodes = rangeNodes(start, end);
          let pos = start;
          let last = Number.POSITIVE_INFINITY;
          for (const id of nodes) {
            expect(id.index * 2 ** id.level).toBe(pos);
            expect(id.level).toBeLessThan(last);
            last = id.level;
            pos += 2 ** id.level;
          }
          expect(pos).toBe(end);
        }
      }),
    );
  });
});

describe('Frontier', () => {
  it('has the naive RFC 6962 root after every append (sizes 0..300)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, salt) => {
        const leaves = leafHashesOf(n, salt);
        const f = new Frontier();
        expect(toHex(f.root())).toBe(toHex(EMPTY_ROOT));
        leaves.forEach((h, i) => {
          f.append(h);
          expect(f.size).toBe(i + 1);
        });
        expect(toHex(f.root())).toBe(toHex(naiveRoot(leaves)));
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with the naive root at every size of one growing tree', () => {
    const leaves = leafHashesOf(300, 7);
    const f = new Frontier();
    leaves.forEach((h, i) => {
      f.append(h);
      expect(toHex(f.root()), `size ${i + 1}`).toBe(toHex(naiveRoot(leaves.slice(0, i + 1))));
    });
  });

  it('returns exactly the perfect subtrees each append completes, with their true hashes', () => {
    const leaves = leafHashesOf(300, 3);
    const f = new Frontier();
    const stored = new Map<string, Hash>();
    leaves.forEach((h, i) => {
      const created = f.append(h);
      const n = i + 1;
      // The subtrees completed by leaf i are those whose range ends at n: one per trailing zero bit of n, and one more.
      const expected: NodeId[] = [];
      for (let level = 0; n % 2 ** level === 0; level++) expected.push({ level, index: n / 2 ** level - 1 });
      expect(created.map((c) => c.id)).toEqual(expected);
      // The last one is the smallest (rightmost) subtree of the new edge, exactly what rangeNodes(0, n) ends with.
      expect(created.at(-1)?.id).toEqual(rangeNodes(0, n).at(-1));
      for (const c of created) {
        const start = c.id.index * 2 ** c.id.level;
        const want = naiveRoot(leaves.slice(start, start + 2 ** c.id.level));
        expect(toHex(c.hash)).toBe(toHex(want));
        expect(stored.has(`${c.id.level}/${c.id.index}`)).toBe(false);
        stored.set(`${c.id.level}/${c.id.index}`, c.hash);
      }
      // Every node that rangeNodes needs for the current root has been handed out by now.
      for (const id of rangeNodes(0, n)) expect(stored.has(`${id.level}/${id.index}`)).toBe(true);
    });
    // Over the whole run, every perfect subtree inside [0, 300) was created once: 2n - popcount(n) of them.
    const popcount = (300).toString(2).replace(/0/g, '').length;
    expect(stored.size).toBe(2 * 300 - popcount);
  });

  it('resumes from stored edge hashes and continues exactly as the original', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 50 }), (n, more) => {
        const leaves = leafHashesOf(n + more, n);
        const tree = treeOver(leaves.slice(0, n));
        const edge = rangeNodes(0, n).map(tree.lookup);
        const resumed = new Frontier(n, edge);
        expect(toHex(resumed.root())).toBe(toHex(tree.root()));
        const original = new Frontier();
        for (const h of leaves.slice(0, n)) original.append(h);
        for (const h of leaves.slice(n)) {
          const a = resumed.append(h);
          const b = original.append(h);
          expect(a.map((c) => [c.id, toHex(c.hash)])).toEqual(b.map((c) => [c.id, toHex(c.hash)]));
        }
        expect(toHex(resumed.root())).toBe(toHex(naiveRoot(leaves)));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses edge hashes that do not fit the size', () => {
    expect(() => new Frontier(3, [EMPTY_ROOT])).toThrow(RangeError);
    expect(() => new Frontier(0, [EMPTY_ROOT])).toThrow(RangeError);
  });

  it('clones independently, so a rolled-back transaction leaves the original untouched', () => {
    const f = new Frontier();
    for (const h of leafHashesOf(5, 1)) f.append(h);
    const before = toHex(f.root());
    const c = f.clone();
    c.append(hashLeaf('x'));
    expect(c.size).toBe(6);
    expect(f.size).toBe(5);
    expect(toHex(f.root())).toBe(before);
    f.append(hashLeaf('x'));
    expect(toHex(f.root())).toBe(toHex(c.root()));
  });
});

describe('MemoryTree', () => {
  it('gives the naive root for every earlier size', () => {
    const leaves = leafHashesOf(130, 11);
    const tree = treeOver(leaves);
    for (let n = 0; n <= 130; n++) expect(toHex(tree.root(n))).toBe(toHex(naiveRoot(leaves.slice(0, n))));
  });

  it('builds exactly the RFC 6962 PATH and PROOF on random trees (sizes 1..300)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.nat(), (n, a, b, c) => {
        const leaves = leafHashesOf(n, a);
        const tree = treeOver(leaves);
        const size = (b % n) + 1;
        const index = c % size;
        const from = c % (size + 1);
        const d = leaves.slice(0, size);
        expect(tree.inclusionProof(index, size).map(toHex)).toEqual(naivePath(index, d).map(toHex));
        expect(tree.consistencyProof(from, size).map(toHex)).toEqual(naiveProof(from, d).map(toHex));
      }),
      { numRuns: 300 },
    );
  });

  it('answers proofs for a batch of ranges from the deduplicated node list', () => {
    const tree = treeOver(leafHashesOf(77, 5));
    const ranges = [...inclusionRanges(40, 77), ...consistencyRanges(33, 77)];
    const ids = nodesForRanges(ranges);
    expect(new Set(ids.map((id) => `${id.level}/${id.index}`)).size).toBe(ids.length);
    const fetched = new Map(ids.map((id) => [`${id.level}/${id.index}`, tree.lookup(id)]));
    const lookup = (id: NodeId): Hash => fetched.get(`${id.level}/${id.index}`) as Hash;
    for (const r of ranges) {
      expect(ids.some((id) => isPerfect(id, r[0], r[1]))).toBe(true);
      expect(toHex(hashRange(r, lookup))).toBe(toHex(hashRange(r, tree.lookup)));
    }
  });

  it('refuses proofs for leaves or sizes it does not have', () => {
    const tree = treeOver(leafHashesOf(5, 0));
    expect(() => tree.inclusionProof(5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(-1)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 6)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.root(6)).toThrow(RangeError);
  });

  it('folds nothing to the empty root and one hash to itself', () => {
    expect(toHex(foldRange([]))).toBe(toHex(EMPTY_ROOT));
    const h = hashLeaf('a');
    expect(toHex(foldRange([h]))).toBe(toHex(h));
  });
});
