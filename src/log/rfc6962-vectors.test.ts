// Known-answer tests for the RFC 6962 tree. The leaves, the roots of sizes 1..8 and the inclusion and consistency
// proofs are the test data of github.com/transparency-dev/merkle (proof/verify_test.go, itself carried over from
// github.com/google/certificate-transparency-go merkle tests); the proof shapes (which subtrees a proof holds) are
// from the same repository's proof/proof_test.go.
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, hashLeaf, toHex } from './hash.ts';
import { consistencyRanges, inclusionRanges, MemoryTree, type Range } from './merkle.ts';
import { verifyConsistency, verifyInclusion } from './proofs.ts';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  hex,
);

/** ROOTS[n - 1] is the root of the tree over the first n leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Inclusion vectors: zero-based leaf index, tree size, proof. */
const INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

/** Consistency vectors: old size, new size, proof. */
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

/** Which subtrees an inclusion proof holds: [index, size, leaf ranges in proof order]. */
const INCLUSION_SHAPES: [number, number, Range[]][] = [
  [0, 1, []],
  [0, 2, [[1, 2]]],
  [1, 2, [[0, 1]]],
  [
    1,
    3,
    [
      [0, 1],
      [2, 3],
    ],
  ],
  [
    0,
    7,
    [
      [1, 2],
      [2, 4],
      [4, 7],
    ],
  ],
  [
    1,
    7,
    [
      [0, 1],
      [2, 4],
      [4, 7],
    ],
  ],
  [
    2,
    7,
    [
      [3, 4],
      [0, 2],
      [4, 7],
    ],
  ],
  [
    3,
    7,
    [
      [2, 3],
      [0, 2],
      [4, 7],
    ],
  ],
  [
    4,
    7,
    [
      [5, 6],
      [6, 7],
      [0, 4],
    ],
  ],
  [
    5,
    7,
    [
      [4, 5],
      [6, 7],
      [0, 4],
    ],
  ],
  [
    6,
    7,
    [
      [4, 6],
      [0, 4],
    ],
  ],
  [
    2,
    4,
    [
      [3, 4],
      [0, 2],
    ],
  ],
  [
    3,
    5,
    [
      [2, 3],
      [0, 2],
      [4, 5],
    ],
  ],
  [
    3,
    6,
    [
      [2, 3],
      [0, 2],
      [4, 6],
    ],
  ],
  [
    4,
    6,
    [
      [5, 6],
      [0, 4],
    ],
  ],
  [
    10,
    15,
    [
      [11, 12],
      [8, 10],
      [12, 15],
      [0, 8],
    ],
  ],
  [
    24,
    31,
    [
      [25, 26],
      [26, 28],
      [28, 31],
      [16, 24],
      [0, 16],
    ],
  ],
  [
    81,
    95,
    [
      [80, 81],
      [82, 84],
      [84, 88],
      [88, 95],
      [64, 80],
      [0, 64],
    ],
  ],
];

/** Which subtrees a consistency proof holds: [old size, new size, leaf ranges in proof order]. */
const CONSISTENCY_SHAPES: [number, number, Range[]][] = [
  [1, 2, [[1, 2]]],
  [
    1,
    4,
    [
      [1, 2],
      [2, 4],
    ],
  ],
  [
    1,
    6,
    [
      [1, 2],
      [2, 4],
      [4, 6],
    ],
  ],
  [2, 3, [[2, 3]]],
  [
    2,
    8,
    [
      [2, 4],
      [4, 8],
    ],
  ],
  [
    3,
    7,
    [
      [2, 3],
      [3, 4],
      [0, 2],
      [4, 7],
    ],
  ],
  [4, 7, [[4, 7]]],
  [
    5,
    7,
    [
      [4, 5],
      [5, 6],
      [6, 7],
      [0, 4],
    ],
  ],
  [
    6,
    7,
    [
      [4, 6],
      [6, 7],
      [0, 4],
    ],
  ],
  [
    7,
    8,
    [
      [6, 7],
      [7, 8],
      [4, 6],
      [0, 4],
    ],
  ],
  [1, 1, []],
  [5, 5, []],
  [8, 8, []],
  [2, 4, [[2, 4]]],
  [
    3,
    5,
    [
      [2, 3],
      [3, 4],
      [0, 2],
      [4, 5],
    ],
  ],
  [4, 6, [[4, 6]]],
  [
    1,
    7,
    [
      [1, 2],
      [2, 4],
      [4, 7],
    ],
  ],
  [
    10,
    15,
    [
      [8, 10],
      [10, 12],
      [12, 15],
      [0, 8],
    ],
  ],
  [
    24,
    31,
    [
      [16, 24],
      [24, 31],
      [0, 16],
    ],
  ],
  [
    81,
    95,
    [
      [80, 81],
      [81, 82],
      [82, 84],
      [84, 88],
      [88, 95],
      [64, 80],
      [0, 64],
    ],
  ],
];

function treeOf(n: number): MemoryTree {
  const tree = new MemoryTree();
  for (const leaf of LEAVES.slice(0, n)) tree.append(hashLeaf(leaf));
  return tree;
}

describe('RFC 6962 known answers (transparency-dev/merkle test data)', () => {
  it('hashes the empty tree and a single empty leaf as RFC 6962 does', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(hashLeaf(new Uint8Array()))).toBe(ROOTS[0]);
    expect(toHex(new MemoryTree().root())).toBe(toHex(EMPTY_ROOT));
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))('root of the first %i leaves is %s', (n, root) => {
    expect(toHex(treeOf(n).root())).toBe(root);
    expect(toHex(treeOf(8).root(n))).toBe(root);
  });

  it.each(INCLUSION)('inclusion proof of leaf %i in a tree of %i matches and verifies', (index, size, proof) => {
    const tree = treeOf(8);
    expect(tree.inclusionProof(index, size).map(toHex)).toEqual(proof);
    const leaf = hashLeaf(LEAVES[index] as Uint8Array);
    expect(verifyInclusion(leaf, index, size, proof.map(hex), hex(ROOTS[size - 1] as string))).toBe(true);
  });

  it.each(CONSISTENCY)('consistency proof from %i to %i matches and verifies', (from, to, proof) => {
    const tree = treeOf(8);
    expect(tree.consistencyProof(from, to).map(toHex)).toEqual(proof);
    const ok = verifyConsistency(
      from,
      to,
      proof.map(hex),
      hex(ROOTS[from - 1] as string),
      hex(ROOTS[to - 1] as string),
    );
    expect(ok).toBe(true);
  });

  it.each(INCLUSION_SHAPES)('inclusion proof of leaf %i in a tree of %i holds the expected subtrees', (i, n, want) => {
    expect(inclusionRanges(i, n)).toEqual(want);
  });

  it.each(CONSISTENCY_SHAPES)('consistency proof from %i to %i holds the expected subtrees', (m, n, want) => {
    expect(consistencyRanges(m, n)).toEqual(want);
  });

  it('rejects each known inclusion proof when it is corrupted (the corruptions of verify_test.go)', () => {
    const some = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
    for (const [index, size, proofHex] of INCLUSION) {
      const proof = proofHex.map(hex);
      const root = hex(ROOTS[size - 1] as string);
      const leaf = hashLeaf(LEAVES[index] as Uint8Array);
      const probes: [string, number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
        ['index - 1', index - 1, size, leaf, proof, root],
        ['index + 1', index + 1, size, leaf, proof, root],
        ['index ^ 2', index ^ 2, size, leaf, proof, root],
        ['size * 2', index, size * 2, leaf, proof, root],
        ['size / 2', index, Math.floor(size / 2), leaf, proof, root],
        ['wrong leaf', index, size, hashLeaf('WrongLeaf'), proof, root],
        ['empty root', index, size, leaf, proof, EMPTY_ROOT],
        ['random root', index, size, leaf, proof, some],
        ['trailing garbage', index, size, leaf, [...proof, new Uint8Array()], root],
        ['trailing root', index, size, leaf, [...proof, root], root],
        ['preceding garbage', index, size, leaf, [new Uint8Array(), ...proof], root],
        ['preceding root', index, size, leaf, [root, ...proof], root],
      ];
      proof.forEach((_, k) => {
        const bad = proof.map((p) => new Uint8Array(p));
        (bad[k] as Uint8Array)[0] = ((bad[k] as Uint8Array)[0] as number) ^ 8;
        probes.push([`proof[${k}] bit 3`, index, size, leaf, bad, root]);
      });
      if (proof.length > 0) probes.push(['removed component', index, size, leaf, proof.slice(0, -1), root]);
      if (proof.length > 1) {
        probes.push(['inserted component', index, size, leaf, [some, proof[0] as Uint8Array, ...proof.slice(1)], root]);
      }
      const accepted = probes.filter(([, i, n, l, p, r]) => verifyInclusion(l, i, n, p, r)).map(([d]) => d);
      expect(accepted, `leaf ${index} of ${size}`).toEqual([]);
    }
  });

  it('rejects each known consistency proof when it is corrupted (the corruptions of verify_test.go)', () => {
    for (const [from, to, proofHex] of CONSISTENCY) {
      if (proofHex.length === 0) continue;
      const proof = proofHex.map(hex);
      const r1 = hex(ROOTS[from - 1] as string);
      const r2 = hex(ROOTS[to - 1] as string);
      const wrong = Buffer.from('WrongRoot');
      const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ['from - 1', from - 1, to, proof, r1, r2],
        ['from + 1', from + 1, to, proof, r1, r2],
        ['from ^ 2', from ^ 2, to, proof, r1, r2],
        ['to * 2', from, to * 2, proof, r1, r2],
        ['to / 2', from, Math.floor(to / 2), proof, r1, r2],
        ['wrong root1', from, to, proof, wrong, r2],
        ['wrong root2', from, to, proof, r1, wrong],
        ['swapped roots', from, to, proof, r2, r1],
        ['empty proof', from, to, [], r1, r2],
        ['trailing garbage', from, to, [...proof, new Uint8Array()], r1, r2],
        ['trailing root1', from, to, [...proof, r1], r1, r2],
        ['trailing root2', from, to, [...proof, r2], r1, r2],
        ['preceding garbage', from, to, [new Uint8Array(), ...proof], r1, r2],
        ['preceding root1', from, to, [r1, ...proof], r1, r2],
        ['preceding root2', from, to, [r2, ...proof], r1, r2],
        ['preceding proof[0]', from, to, [proof[0] as Uint8Array, ...proof], r1, r2],
        ['truncated proof', from, to, proof.slice(0, -1), r1, r2],
      ];
      proof.forEach((_, k) => {
        const bad = proof.map((p) => new Uint8Array(p));
        (bad[k] as Uint8Array)[0] = ((bad[k] as Uint8Array)[0] as number) ^ 16;
        probes.push([`proof[${k}] bit 4`, from, to, bad, r1, r2]);
      });
      const accepted = probes.filter(([, m, n, p, a, b]) => verifyConsistency(m, n, p, a, b)).map(([d]) => d);
      expect(accepted, `${from} to ${to}`).toEqual([]);
    }
  });

  it('treats the edge sizes of verify_test.go as the reference does', () => {
    const r1 = Buffer.from("don't care 1");
    const r2 = Buffer.from("don't care 2");
    const empty = EMPTY_ROOT;
    // [from, to, root1, root2, proof, accepted]
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
      [0, 0, r1, r2, [], false],
      [1, 1, r1, r2, [], false],
      [0, 0, r1, r1, [], true],
      [0, 1, r1, r2, [], true],
      [1, 1, r2, r2, [], true],
      [1, 0, r1, r2, [], false],
      [2, 1, r1, r2, [], false],
      [1, 2, r1, r2, [], false],
      [0, 0, empty, r2, [], false],
      [1, 1, empty, r2, [], false],
      [0, 0, empty, empty, [empty], false],
      [0, 1, empty, empty, [empty], false],
      [1, 1, empty, empty, [empty], false],
    ];
    for (const [from, to, a, b, proof, want] of cases) {
      expect(verifyConsistency(from, to, proof, a, b), `${from} to ${to}`).toBe(want);
    }
    const some = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
    for (const [index, size] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 1],
    ] as const) {
      expect(verifyInclusion(some, index, size, [], new Uint8Array())).toBe(false);
      expect(verifyInclusion(new Uint8Array(), index, size, [], EMPTY_ROOT)).toBe(false);
      expect(verifyInclusion(some, index, size, [], EMPTY_ROOT)).toBe(false);
    }
  });
});
