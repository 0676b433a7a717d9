// Cross-checks src/log against Go's golang.org/x/mod/sumdb/note and sumdb/tlog (the reference verifiers named in
// docs/DESIGN), both ways: Go verifies what we sign and prove, and we verify what Go generates.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.ts';
import { encodeEvent, subjectCommitment } from '../../src/log/event.ts';
import { fromBase64, type Hash, hashLeaf, toBase64 } from '../../src/log/hash.ts';
import { Frontier, MemoryTree } from '../../src/log/merkle.ts';
import {
  generateSignerKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
} from '../../src/log/note.ts';
import { verifyConsistency, verifyInclusion } from '../../src/log/proofs.ts';
import { makeReceipt, verifyReceipt } from '../../src/log/receipt.ts';
import { buildGoVerifier, goAvailability, runGoInterop } from '../helpers/go.ts';
import { describeWhere } from '../helpers/requires.ts';

interface Result {
  ok: boolean;
  error?: string;
}
interface NoteAnswer extends Result {
  text?: string;
  checkpoint?: { origin: string; size: number; root: string };
}
interface ProofsAnswer {
  inclusion: Result[];
  consistency: Result[];
}
interface InclusionReq {
  leaf?: string;
  leaf_hash?: string;
  index: number;
  size: number;
  root: string;
  proof: string[];
}
interface ConsistencyReq {
  from: number;
  to: number;
  from_root: string;
  to_root: string;
  proof: string[];
}
interface Generated {
  size: number;
  root: string;
  roots: string[];
  stored: { level: number; index: number; hash: string }[][];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
  skey?: string;
  vkey?: string;
  note?: string;
}
interface Signed {
  skey: string;
  vkey: string;
  note: string;
}

const avail = goAvailability();

const b64 = toBase64;

function flip(hash: string, bit: number): string {
  const b = Buffer.from(hash, 'base64');
  b[(bit >> 3) % b.length] = (b[(bit >> 3) % b.length] as number) ^ (1 << (bit & 7));
  return b.toString('base64');
}

function randomLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => randomBytes(i % 7 === 0 ? 0 : 1 + (i % 50)));
}

function treeOf(leaves: readonly Uint8Array[]): MemoryTree {
  const tree = new MemoryTree();
  for (const l of leaves) tree.append(hashLeaf(l));
  return tree;
}

/** Every (index, size) and (from, to) pair of a tree of n leaves, from = 1.. as Go's CheckTree requires. */
function allPairs(n: number): { inc: [number, number][]; con: [number, number][] } {
  const inc: [number, number][] = [];
  const con: [number, number][] = [];
  for (let size = 1; size <= n; size++) {
    for (let i = 0; i < size; i++) inc.push([i, size]);
    for (let from = 1; from <= size; from++) con.push([from, size]);
  }
  return { inc, con };
}

/** A sample of pairs of a big tree: every leaf at the full size, and strided smaller sizes. */
function samplePairs(n: number): { inc: [number, number][]; con: [number, number][] } {
  const inc: [number, number][] = [];
  const con: [number, number][] = [];
  for (let i = 0; i < n; i++) inc.push([i, n]);
  for (let size = 1; size <= n; size += 13) {
    for (let i = 0; i < size; i += 7) inc.push([i, size]);
    for (let from = 1; from <= size; from += 5) con.push([from, size]);
    con.push([size, n]);
  }
  return { inc, con };
}

describeWhere(avail, 'Go interop: golang.org/x/mod/sumdb/note and sumdb/tlog', () => {
  let bin = '';
  const go = <T>(command: string, request: unknown): Promise<T> => runGoInterop<T>(bin, command, request);

  beforeAll(async () => {
    const built = await buildGoVerifier();
    if (!built) throw new Error('Go is available but the verifier was not built');
    bin = built;
  });

  describe('signed notes and checkpoints', () => {
    it('Go verifies our signed checkpoints and reads the same origin, size and root', async () => {
      for (let k = 0; k < 12; k++) {
        const signer = parseSignerKey(generateSignerKey(`log.example/dissent-${k}`));
        const vkey = verifierKeyOf(signer);
        const tree = treeOf(randomLeaves(k * 9 + 1));
        const note = signCheckpoint({ origin: `log.example/dissent-${k}`, size: tree.size, root: tree.root() }, signer);
        const answer = await go<NoteAnswer>('verify-note', { vkey, note });
        expect(answer).toMatchObject({ ok: true, text: note.slice(0, note.indexOf('\n\n') + 1) });
        expect(answer.checkpoint).toEqual({
          origin: `log.example/dissent-${k}`,
          size: tree.size,
          root: b64(tree.root()),
        });
      }
    });

    it('Go rejects our checkpoints when tampered or checked with another key', async () => {
      const signer = parseSignerKey(generateSignerKey('log.example/dissent'));
      const note = signCheckpoint({ origin: 'log.example/dissent', size: 5, root: hashLeaf('r') }, signer);
      const vkey = verifierKeyOf(signer);
      const other = verifierKeyOf(parseSignerKey(generateSignerKey('log.example/dissent')));
      const bad: [string, string][] = [
        [note.replace('\n5\n', '\n6\n'), vkey],
        [note.replace('log.example/dissent\n', 'log.example/dissenT\n'), vkey],
        [`${note.slice(0, -10)}${note.slice(-10).replace(/[A-Za-z]/u, (c) => (c === 'A' ? 'B' : 'A'))}`, vkey],
        [note, other],
      ];
      for (const [n, v] of bad) {
        const answer = await go<NoteAnswer>('verify-note', { vkey: v, note: n });
        expect(answer.ok, n).toBe(false);
        expect(() => openNote(n, parseVerifierKey(v))).toThrow();
      }
    });

    it('we open notes signed with keys Go generated, and derive the same keys and bytes as Go', async () => {
      for (let k = 0; k < 12; k++) {
        // Sizes from 1: a checkpoint of size 0 must carry the empty tree's root.
        const text = `log.example/go-${k}\n${k * 1000 + 1}\n${b64(hashLeaf(`r${k}`))}\n`;
        const signed = await go<Signed>('sign', { name: `log.example/go-${k}`, text });
        const verifier = parseVerifierKey(signed.vkey);
        expect(openNote(signed.note, verifier)).toBe(text);
        expect(openCheckpoint(signed.note, verifier, `log.example/go-${k}`).size).toBe(k * 1000 + 1);
        // Go's private key format is ours: same verifier key, and Ed25519 signs deterministically, so same note.
        const signer = parseSignerKey(signed.skey);
        expect(verifierKeyOf(signer)).toBe(signed.vkey);
        expect(signNote(text, signer)).toBe(signed.note);
      }
    });

    it('Go accepts our generated private keys and signs exactly as we do', async () => {
      for (let k = 0; k < 12; k++) {
        const skey = generateSignerKey(`log.example/ts-${k}`);
        const text = `hello from dissent ${k}\nWiderspruch nach Art. 21 DSGVO\n`;
        const signed = await go<Signed>('sign', { skey, text });
        const signer = parseSignerKey(skey);
        expect(signed.vkey).toBe(verifierKeyOf(signer));
        expect(signed.note).toBe(signNote(text, signer));
      }
    });
  });

  describe('proofs made by us, checked by Go', () => {
    it('Go accepts every inclusion and consistency proof of every tree size 1..70, and the tampered ones are refused by both', async () => {
      const leaves = randomLeaves(70);
      const tree = treeOf(leaves);
      const { inc, con } = allPairs(70);
      const inclusion: InclusionReq[] = inc.map(([index, size]) => ({
        leaf: b64(leaves[index] as Buffer),
        index,
        size,
        root: b64(tree.root(size)),
        proof: tree.inclusionProof(index, size).map(b64),
      }));
      const consistency: ConsistencyReq[] = con.map(([from, to]) => ({
        from,
        to,
        from_root: b64(tree.root(from)),
        to_root: b64(tree.root(to)),
        proof: tree.consistencyProof(from, to).map(b64),
      }));
      const good = await go<ProofsAnswer>('verify-proofs', { inclusion, consistency });
      expect(good.inclusion.filter((r) => !r.ok)).toEqual([]);
      expect(good.consistency.filter((r) => !r.ok)).toEqual([]);
      expect(good.inclusion).toHaveLength(inc.length);
      expect(good.consistency).toHaveLength(con.length);

      // Tampered: a bit of a proof hash, of the root, or of the leaf. Both verifiers must refuse every one.
      const badInclusion = inclusion.map((r, k) =>
        r.proof.length > 0 && k % 3 === 0
          ? { ...r, proof: r.proof.map((p, j) => (j === k % r.proof.length ? flip(p, k) : p)) }
          : k % 3 === 1
            ? { ...r, root: flip(r.root, k) }
            : { ...r, leaf: b64(Buffer.concat([Buffer.from(r.leaf as string, 'base64'), Buffer.of(k & 0xff)])) },
      );
      const badConsistency = consistency
        .filter((r) => r.proof.length > 0)
        .map((r, k) =>
          k % 3 === 0
            ? { ...r, proof: r.proof.map((p, j) => (j === k % r.proof.length ? flip(p, k) : p)) }
            : k % 3 === 1
              ? { ...r, from_root: flip(r.from_root, k) }
              : { ...r, to_root: flip(r.to_root, k) },
        );
      const bad = await go<ProofsAnswer>('verify-proofs', { inclusion: badInclusion, consistency: badConsistency });
      expect(bad.inclusion.filter((r) => r.ok)).toEqual([]);
      expect(bad.consistency.filter((r) => r.ok)).toEqual([]);
      for (const r of badInclusion) {
        const leaf = hashLeaf(Buffer.from(r.leaf as string, 'base64'));
        expect(verifyInclusion(leaf, r.index, r.size, r.proof.map(fromBase64), fromBase64(r.root))).toBe(false);
      }
      for (const r of badConsistency) {
        const proof = r.proof.map(fromBase64);
        expect(verifyConsistency(r.from, r.to, proof, fromBase64(r.from_root), fromBase64(r.to_root))).toBe(false);
      }
    });

    it('Go and we give the same verdict when a proof is checked under other indices and sizes', async () => {
      const leaves = randomLeaves(40);
      const tree = treeOf(leaves);
      const inclusion: InclusionReq[] = [];
      const consistency: ConsistencyReq[] = [];
      for (const [index, size] of allPairs(40).inc.filter((_, k) => k % 4 === 0)) {
        const proof = tree.inclusionProof(index, size).map(b64);
        const root = b64(tree.root(size));
        const leaf = b64(leaves[index] as Buffer);
        for (const [i2, n2] of [
          [index - 1, size],
          [index + 1, size],
          [index ^ 2, size],
          [index, size + 1],
          [index, size * 2],
          [index, size - 1],
          [index, Math.floor(size / 2)],
        ] as const) {
          if (i2 >= 0 && n2 >= 0) inclusion.push({ leaf, index: i2, size: n2, root, proof });
        }
      }
      for (const [from, to] of allPairs(40).con.filter(([m, n], k) => m < n && k % 4 === 0)) {
        const proof = tree.consistencyProof(from, to).map(b64);
        const from_root = b64(tree.root(from));
        const to_root = b64(tree.root(to));
        for (const [m2, n2] of [
          [from - 1, to],
          [from + 1, to],
          [from ^ 2, to],
          [from, to + 1],
          [from, to * 2],
          [from, to - 1],
        ] as const) {
          if (m2 >= 1 && n2 >= m2) consistency.push({ from: m2, to: n2, from_root, to_root, proof });
        }
      }
      const answer = await go<ProofsAnswer>('verify-proofs', { inclusion, consistency });
      const ours = {
        inclusion: inclusion.map((r) =>
          verifyInclusion(
            hashLeaf(Buffer.from(r.leaf as string, 'base64')),
            r.index,
            r.size,
            r.proof.map(fromBase64),
            fromBase64(r.root),
          ),
        ),
        consistency: consistency.map((r) =>
          verifyConsistency(r.from, r.to, r.proof.map(fromBase64), fromBase64(r.from_root), fromBase64(r.to_root)),
        ),
      };
      expect(ours.inclusion).toEqual(answer.inclusion.map((r) => r.ok));
      expect(ours.consistency).toEqual(answer.consistency.map((r) => r.ok));
      // Mostly refusals, but some benign acceptances (sizes whose proofs have the same shape) that both agree on.
      expect(ours.inclusion.filter(Boolean).length).toBeLessThan(ours.inclusion.length / 2);
    });

    it('Go accepts our proofs in trees of a few hundred leaves', async () => {
      for (const n of [255, 256, 257, 300, 513]) {
        const leaves = randomLeaves(n);
        const tree = treeOf(leaves);
        const { inc, con } = samplePairs(n);
        const answer = await go<ProofsAnswer>('verify-proofs', {
          inclusion: inc.map(([index, size]) => ({
            leaf_hash: b64(hashLeaf(leaves[index] as Buffer)),
            index,
            size,
            root: b64(tree.root(size)),
            proof: tree.inclusionProof(index, size).map(b64),
          })),
          consistency: con.map(([from, to]) => ({
            from,
            to,
            from_root: b64(tree.root(from)),
            to_root: b64(tree.root(to)),
            proof: tree.consistencyProof(from, to).map(b64),
          })),
        });
        expect(answer.inclusion.every((r) => r.ok) && answer.consistency.every((r) => r.ok), `size ${n}`).toBe(true);
      }
    });

    it('Go accepts our consistency proofs between sizes past 2^32 (up to 9 * 2^49 < 2^53)', async () => {
      // Each "big leaf" stands for a perfect subtree of 2^t leaves (see src/log/proofs.test.ts).
      const big = treeOf(randomLeaves(9));
      const consistency: ConsistencyReq[] = [];
      for (const t of [31, 32, 33, 40, 49]) {
        for (let m = 1; m <= 9; m++) {
          for (let n = m + 1; n <= 9; n++) {
            consistency.push({
              from: m * 2 ** t,
              to: n * 2 ** t,
              from_root: b64(big.root(m)),
              to_root: b64(big.root(n)),
              proof: big.consistencyProof(m, n).map(b64),
            });
          }
        }
      }
      const answer = await go<ProofsAnswer>('verify-proofs', { consistency });
      expect(answer.consistency.filter((r) => !r.ok)).toEqual([]);
      for (const r of consistency) {
        const proof = r.proof.map(fromBase64);
        expect(verifyConsistency(r.from, r.to, proof, fromBase64(r.from_root), fromBase64(r.to_root))).toBe(true);
      }
    });
  });

  describe('trees, proofs and notes made by Go, checked by us', () => {
    it('matches Go roots, stored nodes and proofs for every size 1..70, and verifies them', async () => {
      const leaves = randomLeaves(70);
      const { inc, con } = allPairs(70);
      const gen = await go<Generated>('generate', {
        leaves: leaves.map(b64),
        origin: 'go.example/log',
        name: 'go.example/log',
        inclusion: inc.map(([index, size]) => ({ index, size })),
        consistency: con.map(([from, to]) => ({ from, to })),
      });
      const tree = new MemoryTree();
      const frontier = new Frontier();
      leaves.forEach((leaf, i) => {
        const h = hashLeaf(leaf);
        tree.append(h);
        const created = frontier.append(h).map((c) => ({ level: c.id.level, index: c.id.index, hash: b64(c.hash) }));
        expect(created, `append ${i}`).toEqual(gen.stored[i]);
        expect(b64(tree.root()), `root ${i + 1}`).toBe(gen.roots[i]);
      });
      const roots = gen.roots.map(fromBase64);
      for (const p of gen.inclusion) {
        const proof = p.proof.map(fromBase64);
        expect(p.proof).toEqual(tree.inclusionProof(p.index, p.size).map(b64));
        const leaf = hashLeaf(leaves[p.index] as Buffer);
        expect(verifyInclusion(leaf, p.index, p.size, proof, roots[p.size - 1] as Hash)).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((h, j) => (j === p.index % proof.length ? fromBase64(flip(b64(h), p.size)) : h));
          expect(verifyInclusion(leaf, p.index, p.size, bad, roots[p.size - 1] as Hash)).toBe(false);
        }
      }
      for (const p of gen.consistency) {
        const proof = p.proof.map(fromBase64);
        expect(p.proof).toEqual(tree.consistencyProof(p.from, p.to).map(b64));
        const r1 = roots[p.from - 1] as Hash;
        const r2 = roots[p.to - 1] as Hash;
        expect(verifyConsistency(p.from, p.to, proof, r1, r2)).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((h, j) => (j === p.from % proof.length ? fromBase64(flip(b64(h), p.to)) : h));
          expect(verifyConsistency(p.from, p.to, bad, r1, r2)).toBe(false);
        }
      }
      // Go's signed checkpoint over the whole tree opens with Go's verifier key.
      const cp = openCheckpoint(gen.note as string, parseVerifierKey(gen.vkey as string), 'go.example/log');
      expect(cp.size).toBe(70);
      expect(b64(cp.root)).toBe(b64(tree.root()));
    });

    it('verifies Go proofs in trees of a few hundred leaves', async () => {
      for (const n of [255, 256, 257, 300, 513]) {
        const leaves = randomLeaves(n);
        const { inc, con } = samplePairs(n);
        const gen = await go<Generated>('generate', {
          leaves: leaves.map(b64),
          inclusion: inc.map(([index, size]) => ({ index, size })),
          consistency: con.map(([from, to]) => ({ from, to })),
        });
        const roots = gen.roots.map(fromBase64);
        expect(gen.root).toBe(b64(treeOf(leaves).root()));
        const incOk = gen.inclusion.every((p) =>
          verifyInclusion(
            hashLeaf(leaves[p.index] as Buffer),
            p.index,
            p.size,
            p.proof.map(fromBase64),
            roots[p.size - 1] as Hash,
          ),
        );
        const conOk = gen.consistency.every((p) =>
          verifyConsistency(p.from, p.to, p.proof.map(fromBase64), roots[p.from - 1] as Hash, roots[p.to - 1] as Hash),
        );
        expect(incOk && conOk, `size ${n}`).toBe(true);
      }
    });
  });

  it('Go checks an objection receipt: its signed checkpoint and its leaf inclusion', async () => {
    const skey = generateSignerKey('log.example/dissent');
    const signer = parseSignerKey(skey);
    const tree = new MemoryTree();
    const leaves: string[] = [];
    for (let i = 0; i < 23; i++) {
      const leaf = encodeEvent({
        v: 1,
        type: 'objection',
        id: `obj_${i}`,
        programme: '*',
        scope: 'person',
        subject_commitment: subjectCommitment(`salt${i}`, `person:${i}`),
        submitted_at: '2025-05-26T20:00:00Z',
        effective_at: '2025-05-26T20:00:00Z',
      });
      leaves.push(leaf);
      tree.append(hashLeaf(leaf));
    }
    const checkpoint = signCheckpoint({ origin: 'log.example/dissent', size: 23, root: tree.root() }, signer);
    const receipt = makeReceipt({
      objection_id: 'obj_17',
      subject: 'person:17',
      salt: 'salt17',
      programme: '*',
      scope: 'person',
      late: {},
      leaf: leaves[17] as string,
      leaf_index: 17,
      checkpoint,
      proof: tree.inclusionProof(17, 23),
    });
    const vkey = verifierKeyOf(signer);
    expect(verifyReceipt(receipt, parseVerifierKey(vkey), 'log.example/dissent').ok).toBe(true);
    const note = await go<NoteAnswer>('verify-note', { vkey, note: receipt.checkpoint });
    expect(note.ok).toBe(true);
    const cp = note.checkpoint as { size: number; root: string };
    const proofs = await go<ProofsAnswer>('verify-proofs', {
      inclusion: [
        {
          leaf: Buffer.from(receipt.leaf, 'utf8').toString('base64'),
          index: 17,
          size: cp.size,
          root: cp.root,
          proof: receipt.inclusion_proof,
        },
        {
          leaf: Buffer.from(receipt.leaf, 'utf8').toString('base64'),
          index: 16,
          size: cp.size,
          root: cp.root,
          proof: receipt.inclusion_proof,
        },
      ],
    });
    expect(proofs.inclusion.map((r) => r.ok)).toEqual([true, false]);
  });
});
