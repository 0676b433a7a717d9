import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.ts';
import { EMPTY_ROOT, hashLeaf, toBase64, toHex } from './hash.ts';
import { generateSignerKey, NoteError, parseSignerKey, parseVerifierKey, signNote, verifierKeyOf } from './note.ts';

const signer = parseSignerKey(generateSignerKey('log.example/dissent', new Uint8Array(32).fill(9)));
const verifier = parseVerifierKey(verifierKeyOf(signer));
const root = hashLeaf('root');

describe('checkpoint bodies', () => {
  it('formats the three C2SP lines: origin, decimal size, base64 root', () => {
    const body = formatCheckpoint({ origin: 'log.example/dissent', size: 42, root });
    expect(body).toBe(`log.example/dissent\n42\n${toBase64(root)}\n`);
  });

  it('parses what it formats, for any origin and size', () => {
    const origin = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\u0000-\u001f]/u.test(s));
    fc.assert(
      fc.property(
        origin,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (o, n, random) => {
          // An empty tree has one root.
          const r = n === 0 ? EMPTY_ROOT : random;
          const cp = parseCheckpoint(formatCheckpoint({ origin: o, size: n, root: r }));
          expect(cp.origin).toBe(o);
          expect(cp.size).toBe(n);
          expect(toHex(cp.root)).toBe(toHex(r));
        },
      ),
    );
  });

  it('ignores extension lines after the root', () => {
    const cp = parseCheckpoint(`o\n7\n${toBase64(root)}\nextension one\nextension two\n`);
    expect(cp.size).toBe(7);
  });

  it('refuses malformed bodies', () => {
    const r = toBase64(root);
    const bad = [
      `o\n7\n${r}`, // no final newline
      `o\n7\n`,
      `\n7\n${r}\n`, // empty origin
      `o\n07\n${r}\n`, // leading zero
      `o\n-1\n${r}\n`,
      `o\n1e3\n${r}\n`,
      `o\n 7\n${r}\n`,
      `o\n99999999999999999\n${r}\n`, // beyond 2^53
      `o\n7\n${r.slice(0, -2)}\n`, // not base64 of 32 bytes
      `o\n7\n${toBase64(new Uint8Array(31))}\n`,
      `o\n7\n${r.replace('=', '')}\n`, // unpadded base64 is not canonical
      `o\n0\n${r}\n`, // an empty tree with another root than SHA-256 of nothing
    ];
    for (const text of bad) expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow(NoteError);
  });
});

describe('signed checkpoints', () => {
  const cp: Checkpoint = { origin: 'log.example/dissent', size: 1234, root };

  it('opens what it signs and checks the origin when asked', () => {
    const note = signCheckpoint(cp, signer);
    const opened = openCheckpoint(note, verifier, 'log.example/dissent');
    expect(opened.size).toBe(1234);
    expect(toHex(opened.root)).toBe(toHex(root));
    expect(openCheckpoint(note, verifier).origin).toBe('log.example/dissent');
    expect(() => openCheckpoint(note, verifier, 'log.example/other')).toThrow(NoteError);
  });

  it('refuses a checkpoint whose size or root was changed after signing', () => {
    const note = signCheckpoint(cp, signer);
    expect(() => openCheckpoint(note.replace('\n1234\n', '\n1235\n'), verifier)).toThrow(NoteError);
    const other = toBase64(hashLeaf('other'));
    expect(() => openCheckpoint(note.replace(toBase64(root), other), verifier)).toThrow(NoteError);
  });

  it('refuses a validly signed note that is not a checkpoint', () => {
    expect(() => openCheckpoint(signNote('hello\n', signer), verifier)).toThrow(/three lines/);
    expect(() => openCheckpoint(signNote('a\nb\nc\n', signer), verifier)).toThrow(/decimal/);
  });
});
