import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from './checkpoint.ts';
import { encodeEvent, type LogEvent, subjectCommitment } from './event.ts';
import { hashLeaf, toBase64 } from './hash.ts';
import { MemoryTree } from './merkle.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, signNote, verifierKeyOf } from './note.ts';
import { makeReceipt, type Receipt, verifyReceipt } from './receipt.ts';

const ORIGIN = 'log.example/dissent';
const signer = parseSignerKey(generateSignerKey(ORIGIN, new Uint8Array(32).fill(1)));
const verifier = parseVerifierKey(verifierKeyOf(signer));
const SUBJECT = 'person:erika.mustermann@example.org';
const SALT = 'c2FsdHNhbHRzYWx0';

function eventFor(id: string, subject: string, salt: string): LogEvent {
  return {
    v: 1,
    type: 'objection',
    id,
    programme: 'meta-ai-2025',
    scope: 'person',
    subject_commitment: subjectCommitment(salt, subject),
    submitted_at: '2025-05-20T10:00:00Z',
    effective_at: '2025-05-20T10:00:00Z',
  };
}

/** A log of `size` events in which event `index` belongs to SUBJECT, and its receipt. */
function receiptIn(size: number, index: number): { receipt: Receipt; tree: MemoryTree } {
  const tree = new MemoryTree();
  let leaf = '';
  for (let i = 0; i < size; i++) {
    const text = encodeEvent(
      i === index ? eventFor('obj_mine', SUBJECT, SALT) : eventFor(`obj_${i}`, `p${i}`, `s${i}`),
    );
    if (i === index) leaf = text;
    tree.append(hashLeaf(text));
  }
  const checkpoint = signCheckpoint({ origin: ORIGIN, size, root: tree.root() }, signer);
  const receipt = makeReceipt({
    objection_id: 'obj_mine',
    subject: SUBJECT,
    salt: SALT,
    programme: 'meta-ai-2025',
    scope: 'person',
    late: { 'meta-ai-2025': false },
    leaf,
    leaf_index: index,
    checkpoint,
    proof: tree.inclusionProof(index, size),
  });
  return { receipt, tree };
}

/** Changes one base64 character inside the Ed25519 signature (past the 4-byte key hash) of a signed note. */
function tamperSignature(note: string): string {
  const at = note.lastIndexOf(' ') + 20;
  const c = note[at] === 'A' ? 'B' : 'A';
  return note.slice(0, at) + c + note.slice(at + 1);
}

/** Verifies and returns the name of the failing check, or 'ok'; earlier checks must all have passed. */
function outcome(input: unknown, expectedOrigin?: string, v = verifier): string {
  const verdict = verifyReceipt(input, v, expectedOrigin);
  const failed = verdict.checks.filter((c) => !c.ok);
  expect(verdict.ok).toBe(failed.length === 0);
  if (verdict.ok) return 'ok';
  expect(failed).toHaveLength(1);
  expect(verdict.checks.at(-1)?.ok).toBe(false);
  return failed[0]?.name ?? '';
}

describe('verifyReceipt', () => {
  it('accepts a receipt built from the log, also after a trip through JSON', () => {
    const { receipt } = receiptIn(37, 20);
    const verdict = verifyReceipt(JSON.parse(JSON.stringify(receipt)), verifier, ORIGIN);
    expect(verdict.ok).toBe(true);
    expect(verdict.size).toBe(37);
    expect(verdict.checks.map((c) => [c.name, c.ok])).toEqual([
      ['format', true],
      ['leaf', true],
      ['subject', true],
      ['checkpoint', true],
      ['inclusion', true],
    ]);
  });

  it('reports what the signed leaf records: an objection or a withdrawal, its programme, scope and time', () => {
    const { receipt } = receiptIn(5, 2);
    const objection = verifyReceipt(receipt, verifier, ORIGIN);
    expect(objection.event).toEqual({
      type: 'objection',
      programme: 'meta-ai-2025',
      scope: 'person',
      submitted_at: '2025-05-20T10:00:00Z',
    });
    expect(objection.checks.find((c) => c.name === 'leaf')?.detail).toBe(
      'an objection to programme meta-ai-2025 (person scope), submitted 2025-05-20T10:00:00Z',
    );
    // A withdrawal of an objection to everything, for one account.
    const leaf = encodeEvent({
      ...eventFor('obj_mine', SUBJECT, SALT),
      type: 'withdrawal',
      programme: '*',
      scope: 'account',
      submitted_at: '2025-06-01T08:00:00Z',
    });
    const tree = new MemoryTree();
    tree.append(hashLeaf(leaf));
    const withdrawal = verifyReceipt(
      makeReceipt({
        objection_id: 'obj_mine',
        subject: SUBJECT,
        salt: SALT,
        programme: '*',
        scope: 'account',
        late: {},
        leaf,
        leaf_index: 0,
        checkpoint: signCheckpoint({ origin: ORIGIN, size: 1, root: tree.root() }, signer),
        proof: tree.inclusionProof(0, 1),
      }),
      verifier,
      ORIGIN,
    );
    expect(withdrawal.ok).toBe(true);
    expect(withdrawal.event).toEqual({
      type: 'withdrawal',
      programme: '*',
      scope: 'account',
      submitted_at: '2025-06-01T08:00:00Z',
    });
    expect(withdrawal.checks.find((c) => c.name === 'leaf')?.detail).toBe(
      'a WITHDRAWAL of an objection to all current and future AI training (account scope), submitted 2025-06-01T08:00:00Z',
    );
  });

  it('accepts receipts for any leaf of logs of 1..300 events', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (size, a) => {
        expect(outcome(receiptIn(size, a % size).receipt, ORIGIN)).toBe('ok');
      }),
      { numRuns: 40 },
    );
  });

  it('names the check that fails for each kind of tampering', () => {
    const { receipt, tree } = receiptIn(37, 20);
    const otherLeaf = encodeEvent(eventFor('obj_5', 'p5', 's5'));
    const flipped = receipt.inclusion_proof.map((p, i) => {
      if (i !== 2) return p;
      const b = Buffer.from(p, 'base64');
      b[5] = (b[5] as number) ^ 0x10;
      return b.toString('base64');
    });
    const laterCheckpoint = signCheckpoint({ origin: ORIGIN, size: 36, root: tree.root(36) }, signer);
    const otherSigner = parseSignerKey(generateSignerKey(ORIGIN, new Uint8Array(32).fill(2)));
    const cases: [string, unknown, string][] = [
      ['subject', { ...receipt, subject: 'person:someone.else@example.org' }, 'subject'],
      ['salt', { ...receipt, salt: `${SALT}x` }, 'subject'],
      ['leaf not an event', { ...receipt, leaf: 'hello' }, 'leaf'],
      ['leaf of another objection', { ...receipt, leaf: otherLeaf }, 'leaf'],
      ['leaf with a changed time', { ...receipt, leaf: receipt.leaf.replace('10:00:00Z"', '10:00:01Z"') }, 'inclusion'],
      ['objection id', { ...receipt, objection_id: 'obj_other' }, 'leaf'],
      ['programme', { ...receipt, programme: '*' }, 'leaf'],
      ['scope', { ...receipt, scope: 'account' }, 'leaf'],
      ['leaf index', { ...receipt, leaf_index: 21 }, 'inclusion'],
      ['leaf index past the checkpoint', { ...receipt, leaf_index: 37 }, 'inclusion'],
      ['negative leaf index', { ...receipt, leaf_index: -1 }, 'format'],
      ['proof hash bit', { ...receipt, inclusion_proof: flipped }, 'inclusion'],
      ['proof hash dropped', { ...receipt, inclusion_proof: receipt.inclusion_proof.slice(1) }, 'inclusion'],
      [
        'proof hash not base64',
        { ...receipt, inclusion_proof: ['***', ...receipt.inclusion_proof.slice(1)] },
        'inclusion',
      ],
      ['checkpoint size', { ...receipt, checkpoint: receipt.checkpoint.replace('\n37\n', '\n38\n') }, 'checkpoint'],
      [
        'checkpoint root',
        { ...receipt, checkpoint: receipt.checkpoint.replace(toBase64(tree.root()), toBase64(tree.root(36))) },
        'checkpoint',
      ],
      ['signature', { ...receipt, checkpoint: tamperSignature(receipt.checkpoint) }, 'checkpoint'],
      ['checkpoint for a smaller tree', { ...receipt, checkpoint: laterCheckpoint }, 'inclusion'],
      [
        'checkpoint by another key',
        { ...receipt, checkpoint: signCheckpoint({ origin: ORIGIN, size: 37, root: tree.root() }, otherSigner) },
        'checkpoint',
      ],
      ['not a checkpoint', { ...receipt, checkpoint: signNote('hello\n', signer) }, 'checkpoint'],
      ['version', { ...receipt, v: 2 }, 'format'],
      ['missing salt', { ...receipt, salt: undefined }, 'format'],
      ['late not booleans', { ...receipt, late: { x: 'yes' } }, 'format'],
      ['proof not a list', { ...receipt, inclusion_proof: 'abc' }, 'format'],
      ['not an object', 'receipt', 'format'],
      ['null', null, 'format'],
    ];
    const got = cases.map(([what, input]) => [what, outcome(input, ORIGIN)]);
    expect(got).toEqual(cases.map(([what, , want]) => [what, want]));
  });

  it('fails the checkpoint check for another origin or another verifier key', () => {
    const { receipt } = receiptIn(10, 3);
    expect(outcome(receipt, 'log.example/other')).toBe('checkpoint');
    const stranger = parseVerifierKey(verifierKeyOf(parseSignerKey(generateSignerKey('log.example/dissent'))));
    expect(outcome(receipt, ORIGIN, stranger)).toBe('checkpoint');
  });

  it('fails the inclusion check for any single bit flipped in any proof hash', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (n, a, k, bit) => {
          const { receipt } = receiptIn(n, a % n);
          const proof = [...receipt.inclusion_proof];
          const at = k % proof.length;
          const b = Buffer.from(proof[at] as string, 'base64');
          b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
          proof[at] = b.toString('base64');
          expect(outcome({ ...receipt, inclusion_proof: proof }, ORIGIN)).toBe('inclusion');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never repeats the subject or salt in what it reports', () => {
    const { receipt } = receiptIn(10, 3);
    for (const input of [receipt, { ...receipt, salt: 'wrong' }, { ...receipt, leaf_index: 4 }]) {
      const text = JSON.stringify(verifyReceipt(input, verifier, ORIGIN));
      expect(text).not.toContain('erika');
      expect(text).not.toContain(SALT);
    }
  });
});
