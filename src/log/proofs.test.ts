import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHashesOf, treeOver } from './_test-trees.ts';
import { type Hash, hashLeaf, hashNode } from './hash.ts';
import { consistencyRanges, inclusionRanges } from './merkle.ts';
import { verifyConsistency, verifyInclusion } from './proofs.ts';

function flipBit(h: Hash, bit: number): Hash {
  const out = new Uint8Array(h);
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
  return out;
}

/**
 * Whether sibling k of the inclusion path of leaf `index` in a tree of `size` sits to the left of the leaf, for
 * every k. The verifier's work depends only on this sequence, so a proof made for one size verifies at another size
 * exactly when the sequences agree: RFC 9162 inclusion proofs do not bind the tree size, the signed checkpoint does.
 */
const sides = (index: number, size: number): string =>
  inclusionRanges(index, size)
    .map(([start]) => (start < index ? 'L' : 'R'))
    .join('');

/** A random tree of 1..300 leaves with a size within it and a leaf within that size. */
const treeCase = fc
  .record({ n: fc.integer({ min: 1, max: 300 }), salt: fc.integer(), a: fc.nat(), b: fc.nat() })
  .map(({ n, salt, a, b }) => {
    const leaves = leafHashesOf(n, salt);
    const size = (a % n) + 1;
    return { leaves, tree: treeOver(leaves), size, index: b % size };
  });

describe('verifyInclusion', () => {
  it('accepts every inclusion proof of a 130-leaf tree, at every size', () => {
    const leaves = leafHashesOf(130, 1);
    const tree = treeOver(leaves);
    for (let size = 1; size <= 130; size++) {
      const root = tree.root(size);
      for (let i = 0; i < size; i++) {
        if (!verifyInclusion(leaves[i] as Hash, i, size, tree.inclusionProof(i, size), root)) {
          expect.fail(`leaf ${i} of ${size} did not verify`);
        }
      }
    }
  });

  it('rejects a proof with any single bit flipped in a proof hash, the leaf or the root', () => {
    fc.assert(
      fc.property(treeCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ leaves, tree, size, index }, k, bit) => {
        const proof = tree.inclusionProof(index, size);
        const root = tree.root(size);
        const leaf = leaves[index] as Hash;
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(flipBit(leaf, bit), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipBit(root, bit))).toBe(false);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[k % proof.length] = flipBit(proof[k % proof.length] as Hash, bit);
          expect(verifyInclusion(leaf, index, size, bad, root)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every single-bit change of every proof hash of one proof', () => {
    const leaves = leafHashesOf(200, 2);
    const tree = treeOver(leaves);
    const proof = tree.inclusionProof(77, 200);
    const root = tree.root();
    proof.forEach((p, k) => {
      for (let bit = 0; bit < 256; bit++) {
        const bad = [...proof];
        bad[k] = flipBit(p, bit);
        if (verifyInclusion(leaves[77] as Hash, 77, 200, bad, root)) expect.fail(`proof[${k}] bit ${bit} accepted`);
      }
    });
  });

  it('rejects the proof under any other leaf index', () => {
    fc.assert(
      fc.property(treeCase, fc.integer({ min: -3, max: 400 }), ({ leaves, tree, size, index }, other) => {
        fc.pre(other !== index);
        const proof = tree.inclusionProof(index, size);
        expect(verifyInclusion(leaves[index] as Hash, other, size, proof, tree.root(size))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the proof under another tree size only when that size walks the same path', () => {
    fc.assert(
      fc.property(treeCase, fc.integer({ min: 0, max: 700 }), ({ leaves, tree, size, index }, other) => {
        fc.pre(other !== size);
        const proof = tree.inclusionProof(index, size);
        const same = other > index && sides(index, other) === sides(index, size);
        expect(verifyInclusion(leaves[index] as Hash, index, other, proof, tree.root(size))).toBe(same);
      }),
      { numRuns: 500 },
    );
    // The classic example: the proof of leaf 0 in a tree of 3 also "verifies" for a tree of 4 with the same root.
    const leaves = leafHashesOf(3, 0);
    const tree = treeOver(leaves);
    expect(verifyInclusion(leaves[0] as Hash, 0, 4, tree.inclusionProof(0, 3), tree.root())).toBe(true);
    expect(verifyInclusion(leaves[0] as Hash, 0, 6, tree.inclusionProof(0, 3), tree.root())).toBe(false);
  });

  it('rejects a proof with a hash added, removed or of the wrong length', () => {
    fc.assert(
      fc.property(treeCase, ({ leaves, tree, size, index }) => {
        const proof = tree.inclusionProof(index, size);
        const root = tree.root(size);
        const leaf = leaves[index] as Hash;
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
          const long = proof.map((p, k) => (k === 0 ? Uint8Array.of(...p, 0) : p));
          expect(verifyInclusion(leaf, index, size, long, root)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses impossible indices and sizes without throwing', () => {
    const h = hashLeaf('x');
    for (const [i, n] of [
      [0, 0],
      [1, 1],
      [-1, 1],
      [0.5, 2],
      [0, Number.NaN],
      [0, 2 ** 60],
    ] as const) {
      expect(verifyInclusion(h, i, n, [], h)).toBe(false);
    }
  });
});

describe('verifyConsistency', () => {
  it('accepts every consistency proof of a 130-leaf tree, between every pair of sizes', () => {
    const tree = treeOver(leafHashesOf(130, 3));
    const roots = Array.from({ length: 131 }, (_, n) => tree.root(n));
    for (let to = 0; to <= 130; to++) {
      for (let from = 0; from <= to; from++) {
        const proof = tree.consistencyProof(from, to);
        if (!verifyConsistency(from, to, proof, roots[from] as Hash, roots[to] as Hash)) {
          expect.fail(`${from} to ${to} did not verify`);
        }
      }
    }
  });

  it('rejects a proof with any single bit flipped in a proof hash or either root', () => {
    fc.assert(
      fc.property(treeCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ tree, size, index }, k, bit) => {
        const from = index + 1;
        const proof = tree.consistencyProof(from, size);
        const r1 = tree.root(from);
        const r2 = tree.root(size);
        expect(verifyConsistency(from, size, proof, r1, r2)).toBe(true);
        // from === size is the one case whose proof is empty and whose roots are equal.
        expect(verifyConsistency(from, size, proof, flipBit(r1, bit), r2)).toBe(false);
        expect(verifyConsistency(from, size, proof, r1, flipBit(r2, bit))).toBe(false);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[k % proof.length] = flipBit(proof[k % proof.length] as Hash, bit);
          expect(verifyConsistency(from, size, bad, r1, r2)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects the proof under other sizes whose proof has a different length', () => {
    fc.assert(
      fc.property(
        treeCase,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        ({ tree, size, index }, m2, n2) => {
          const from = index + 1;
          fc.pre(from < size && (m2 !== from || n2 !== size) && m2 >= 1 && m2 < n2);
          fc.pre(consistencyRanges(m2, n2).length !== consistencyRanges(from, size).length);
          const proof = tree.consistencyProof(from, size);
          expect(verifyConsistency(m2, n2, proof, tree.root(from), tree.root(size))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a proof with a hash added or removed, or roots swapped', () => {
    fc.assert(
      fc.property(treeCase, ({ tree, size, index }) => {
        const from = index + 1;
        fc.pre(from < size);
        const proof = tree.consistencyProof(from, size);
        const r1 = tree.root(from);
        const r2 = tree.root(size);
        expect(verifyConsistency(from, size, [...proof, r2], r1, r2)).toBe(false);
        expect(verifyConsistency(from, size, [r1, ...proof], r1, r2)).toBe(false);
        expect(verifyConsistency(from, size, proof.slice(0, -1), r1, r2)).toBe(false);
        expect(verifyConsistency(from, size, proof.slice(1), r1, r2)).toBe(false);
        expect(verifyConsistency(from, size, proof, r2, r1)).toBe(false);
        expect(verifyConsistency(size, from, proof, r1, r2)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('proofs for logs of 2^32 leaves and more', () => {
  // A log that large cannot be built here, but its proofs can: let every "big leaf" be a perfect subtree of 2^T
  // leaves. A proof between sizes that are multiples of 2^T is then the proof of the small tree of big leaves.
  const big = treeOver(leafHashesOf(8, 99));

  it.each([20, 31, 32, 33, 40, 49])('verifies consistency between multiples of 2^%i', (t) => {
    const unit = 2 ** t;
    for (let m = 1; m <= 8; m++) {
      for (let n = m; n <= 8; n++) {
        const ok = verifyConsistency(m * unit, n * unit, big.consistencyProof(m, n), big.root(m), big.root(n));
        expect(ok, `${m} * 2^${t} to ${n} * 2^${t}`).toBe(true);
      }
    }
  });

  it.each([20, 32, 40, 49])('verifies inclusion of a leaf deep inside a log of 5 * 2^%i leaves', (t) => {
    const unit = 2 ** t;
    const offset = unit - 12345;
    const leaf = hashLeaf('deep');
    // Walk up the 2^t subtree that holds the leaf, with made-up siblings.
    let node = leaf;
    const inner: Hash[] = [];
    for (let level = 0; level < t; level++) {
      const sibling = hashLeaf(`sibling ${level}`);
      inner.push(sibling);
      node = Math.floor(offset / 2 ** level) % 2 === 1 ? hashNode(sibling, node) : hashNode(node, sibling);
    }
    const bigLeaves = leafHashesOf(5, t);
    bigLeaves[3] = node;
    const tree = treeOver(bigLeaves);
    const index = 3 * unit + offset;
    const proof = [...inner, ...tree.inclusionProof(3, 5)];
    expect(verifyInclusion(leaf, index, 5 * unit, proof, tree.root())).toBe(true);
    expect(verifyInclusion(leaf, index - 1, 5 * unit, proof, tree.root())).toBe(false);
    expect(verifyInclusion(leaf, index, 4 * unit, proof, tree.root())).toBe(false);
    expect(verifyInclusion(leaf, index, 9 * unit, proof, tree.root())).toBe(false);
    // Sizes 6 to 8 walk the same path from the leaf (see `sides`), so only the signed size tells them apart.
    expect(verifyInclusion(leaf, index, 8 * unit, proof, tree.root())).toBe(true);
  });
});
