import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64, toHex } from './hash.ts';
import {
  generateSignerKey,
  keyHash,
  NoteError,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type Verifier,
  verifierKeyOf,
} from './note.ts';

// Known answers from Go's golang.org/x/mod/sumdb/note (note_test.go: TestNewVerifier, TestSign, TestOpen).
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const seedOf = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function expectNoteError(f: () => unknown): void {
  expect(f).toThrow(NoteError);
}

describe('keys', () => {
  it('reads Go signing and verifier keys and derives the same verifier key', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(toHex(signer.keyHash)).toBe('c74f20a3');
    expect(verifierKeyOf(signer)).toBe(PETER_VKEY);
    const v = parseVerifierKey(PETER_VKEY);
    expect(toBase64(v.publicKey)).toBe(toBase64(signer.publicKey));
    expect(toHex(keyHash('PeterNeumann', v.publicKey))).toBe('c74f20a3');
  });

  it('generates keys in the Go format that parse back to the same key', () => {
    const skey = generateSignerKey('log.example/dissent', seedOf(7));
    expect(skey).toMatch(/^PRIVATE\+KEY\+log\.example\/dissent\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(generateSignerKey('log.example/dissent', seedOf(7))).toBe(skey);
    expect(generateSignerKey('log.example/dissent', seedOf(8))).not.toBe(skey);
    const signer = parseSignerKey(skey);
    const vkey = verifierKeyOf(signer);
    expect(vkey.startsWith(`log.example/dissent+${toHex(signer.keyHash)}+`)).toBe(true);
    expect(verifierKeyOf(parseVerifierKey(vkey))).toBe(vkey);
    const fresh = generateSignerKey('x');
    expect(parseSignerKey(fresh).name).toBe('x');
  });

  it('parses back every generated key, whatever bytes (and so "+" signs) its base64 holds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const skey = generateSignerKey('log.example', seed);
        const signer = parseSignerKey(skey);
        const vkey = verifierKeyOf(signer);
        const verifier = parseVerifierKey(vkey);
        expect(verifierKeyOf(verifier)).toBe(vkey);
        expect(openNote(signNote('x\n', signer), verifier)).toBe('x\n');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses bad key names', () => {
    for (const name of ['', 'a b', 'a+b', 'tab\there', 'nbsp\u00a0']) expectNoteError(() => generateSignerKey(name));
  });

  it('refuses the malformed verifier keys of Go note_test.go and others', () => {
    const bad = [
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', // wrong length, adjusted hash
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // unknown algorithm, adjusted hash
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // hash does not match
      'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // Go writes the hash in lowercase
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', // truncated base64
      'PeterNeumann+c74f20a3',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      '',
    ];
    for (const vkey of bad) expectNoteError(() => parseVerifierKey(vkey));
  });

  it('refuses a signing key whose hash or algorithm is wrong', () => {
    expectNoteError(() => parseSignerKey(PETER_SKEY.replace('c74f20a3', 'c74f20a4')));
    expectNoteError(() => parseSignerKey(PETER_SKEY.replace('+AYEK', '+AoEK')));
    expectNoteError(() => parseSignerKey(PETER_VKEY));
  });
});

describe('signNote and openNote', () => {
  it('signs exactly as Go does (Ed25519 is deterministic)', () => {
    expect(signNote(TEXT, parseSignerKey(PETER_SKEY))).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('opens Go notes, ignoring signatures from other keys', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const enoch = parseVerifierKey(ENOCH_VKEY);
    expect(openNote(`${TEXT}\n${PETER_SIG}`, peter)).toBe(TEXT);
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, peter)).toBe(TEXT);
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, enoch)).toBe(TEXT);
    expect(parseNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`).signatures.map((s) => s.name)).toEqual([
      'PeterNeumann',
      'EnochRoot',
    ]);
    expectNoteError(() => openNote(`${TEXT}\n${ENOCH_SIG}`, peter));
  });

  it('refuses the malformed notes of Go note_test.go', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ];
    for (const note of bad) expectNoteError(() => openNote(note, peter));
  });

  it('refuses a note whose signature block is malformed anywhere, as Go does', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    // A control character or an invalid key name in another key's line still makes the note malformed.
    expectNoteError(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG.replace('EnochRoot', 'Enoch\u0001Root')}`, peter));
    expectNoteError(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG.replace('EnochRoot', 'Enoch+Root')}`, peter));
    // Go gives up after 100 signature lines.
    expectNoteError(() => openNote(`${TEXT}\n${ENOCH_SIG.repeat(100)}${PETER_SIG}`, peter));
    expect(openNote(`${TEXT}\n${ENOCH_SIG.repeat(99)}${PETER_SIG}`, peter)).toBe(TEXT);
  });

  it("judges a key name with a space the way Go does: Unicode White_Space, not JavaScript's \\s", () => {
    const peter = parseVerifierKey(PETER_VKEY);
    // U+0085 (next line) is a space to Go's note.Open, which refuses the whole note; U+FEFF is not, and Go opens it.
    expectNoteError(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG.replace('EnochRoot', 'Enoch\u0085Root')}`, peter));
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG.replace('EnochRoot', 'Enoch\ufeffRoot')}`, peter)).toBe(TEXT);
    expectNoteError(() => generateSignerKey('log\u0085example', seedOf(1)));
  });

  it('lets the first signature by the key decide, as Go does', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const forged = PETER_SIG.replace('x08go/ZJ', 'x08go/ZK');
    expectNoteError(() => openNote(`${TEXT}\n${forged}${PETER_SIG}`, peter));
    expect(openNote(`${TEXT}\n${PETER_SIG}${forged}`, peter)).toBe(TEXT);
  });

  it('round-trips any valid text', () => {
    const signer = parseSignerKey(generateSignerKey('log.example', seedOf(1)));
    const verifier = parseVerifierKey(verifierKeyOf(signer));
    const line = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\u0000-\u001f]/u.test(s));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        fc.pre(!text.includes('\n\n'));
        const note = signNote(text, signer);
        expect(openNote(note, verifier)).toBe(text);
        expect(parseNote(note).text).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every note with any single byte of its text or signature changed', () => {
    const signer = parseSignerKey(generateSignerKey('log.example', seedOf(2)));
    const verifier = parseVerifierKey(verifierKeyOf(signer));
    const note = signNote('log.example/dissent\n42\nB6NNNfHh7ccldl3Ef63eG8ADxLb8nHMqAJ2Vt6eIPHU=\n', signer);
    const bytes = Buffer.from(note, 'utf8');
    let tried = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x02, 0x20, 0x80]) {
        const bad = Buffer.from(bytes);
        bad[i] = (bad[i] as number) ^ mask;
        const text = bad.toString('utf8');
        tried++;
        let opened: string | undefined;
        try {
          opened = openNote(text, verifier);
        } catch (e) {
          expect(e).toBeInstanceOf(NoteError);
        }
        if (opened !== undefined) expect.fail(`byte ${i} ^ ${mask} was accepted`);
      }
    }
    expect(tried).toBe(bytes.length * 4);
  });

  it('refuses a note under a wrong key, including one forged to share the name and key hash', () => {
    const signer = parseSignerKey(generateSignerKey('log.example', seedOf(3)));
    const note = signNote('hello\n', signer);
    const other = parseVerifierKey(verifierKeyOf(parseSignerKey(generateSignerKey('log.example', seedOf(4)))));
    expectNoteError(() => openNote(note, other));
    const renamed = parseVerifierKey(verifierKeyOf(parseSignerKey(generateSignerKey('log.other', seedOf(3)))));
    expectNoteError(() => openNote(note, renamed));
    const impostor: Verifier = { ...other, name: signer.name, keyHash: signer.keyHash };
    expect(() => openNote(note, impostor)).toThrow(/invalid/);
  });

  it('refuses to sign text that no verifier would accept', () => {
    const signer = parseSignerKey(generateSignerKey('log.example', seedOf(5)));
    expectNoteError(() => signNote('no newline', signer));
    expectNoteError(() => signNote('tab\there\n', signer));
    expectNoteError(() => signNote('lone \ud800 surrogate\n', signer));
  });
});
