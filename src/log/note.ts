import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { equalBytes, fromBase64, sha256, toBase64, toHex } from './hash.ts';

/** Error from parsing or checking a signed note; `reason` is safe to show to a user. */
export class NoteError extends Error {
  override name = 'NoteError';
}

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
/** Go's note.Open stops at this many signature lines. */
const MAX_SIGNATURES = 100;
// A lone surrogate cannot be encoded as UTF-8, and C2SP notes must be valid UTF-8.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/u;

/** An Ed25519 note signer (C2SP signed-note). */
export interface Signer {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** An Ed25519 note verifier parsed from a verifier key string. */
export interface Verifier {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly publicKey: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

// Go's note.isValidName refuses what unicode.IsSpace calls a space, the Unicode White_Space set: JavaScript's \s
// differs from it (it misses U+0085 and adds U+FEFF), so a note Go refuses would pass here, and one it opens fail.
const NAME_FORBIDDEN = /[\p{White_Space}+]/u;

/** Whether `name` may name a key (and so a note's signer): non-empty, no white space, no `+`. */
export function isValidName(name: string): boolean {
  return name.length > 0 && !NAME_FORBIDDEN.test(name) && !LONE_SURROGATE.test(name);
}

function checkName(name: string): void {
  if (!isValidName(name)) throw new NoteError('a key name must be non-empty, with no spaces or "+"');
}

/** The 4-byte key hash: SHA-256(name || "\n" || 0x01 || pubkey)[:4]. */
export function keyHash(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(ALG_ED25519), publicKey])).subarray(0, 4);
}

/** Generates a fresh Ed25519 signing key, encoded as a Go-compatible `PRIVATE+KEY+name+hash+base64` string. */
export function generateSignerKey(name: string, seed: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): string {
  checkName(name);
  const pub = publicKeyOfSeed(seed);
  const hash = toHex(keyHash(name, pub));
  return `PRIVATE+KEY+${name}+${hash}+${toBase64(Buffer.concat([Buffer.of(ALG_ED25519), seed]))}`;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyOfSeed(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** Splits a key string on its first `fields - 1` plus signs; the base64 key at the end may itself hold plus signs. */
function splitKey(text: string, fields: number): string[] {
  const parts = text.trim().split('+');
  return parts.length <= fields ? parts : [...parts.slice(0, fields - 1), parts.slice(fields - 1).join('+')];
}

/** Parses a signing key string into a signer. */
export function parseSignerKey(skey: string): Signer {
  const parts = splitKey(skey, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('malformed signing key');
  const [, , name, hashHex, b64] = parts as [string, string, string, string, string];
  checkName(name);
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw new NoteError('malformed signing key');
  }
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('signing key is not Ed25519');
  const seed = raw.subarray(1);
  const key = privateKeyObject(seed);
  const publicKey = publicKeyOfSeed(seed);
  const kh = keyHash(name, publicKey);
  if (toHex(kh) !== hashHex) throw new NoteError('signing key hash does not match its key');
  return { name, keyHash: kh, publicKey, sign: (m) => new Uint8Array(sign(null, m, key)) };
}

/** The verifier key string `name+hex(keyhash)+base64(0x01 || pubkey)` for a signer. */
export function verifierKeyOf(signer: Pick<Signer, 'name' | 'keyHash' | 'publicKey'>): string {
  return `${signer.name}+${toHex(signer.keyHash)}+${toBase64(Buffer.concat([Buffer.of(ALG_ED25519), signer.publicKey]))}`;
}

/** Parses a verifier key string. */
export function parseVerifierKey(vkey: string): Verifier {
  const parts = splitKey(vkey, 3);
  if (parts.length !== 3) throw new NoteError('malformed verifier key: expected name+hash+key');
  const [name, hashHex, b64] = parts as [string, string, string];
  checkName(name);
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw new NoteError('malformed verifier key: the key is not base64');
  }
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('verifier key is not an Ed25519 key');
  const publicKey = raw.subarray(1);
  const kh = keyHash(name, publicKey);
  if (!/^[0-9a-f]{8}$/.test(hashHex) || toHex(kh) !== hashHex)
    throw new NoteError('verifier key hash does not match its key');
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
  return {
    name,
    keyHash: kh,
    publicKey,
    verify: (m, s) => s.length === 64 && verify(null, m, key, s),
  };
}

/** A signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly signature: Uint8Array;
}

/** A parsed signed note: its text (ending in a newline) and its signature lines. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Signs `text` (which must end in a newline) and returns the whole signed note. */
export function signNote(text: string, signer: Signer): string {
  checkText(text);
  const sig = signer.sign(Buffer.from(text, 'utf8'));
  return `${text}\n${SIG_PREFIX}${signer.name} ${toBase64(Buffer.concat([signer.keyHash, sig]))}\n`;
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text must end in a newline');
  if (CONTROL.test(text)) throw new NoteError('note text has control characters');
  if (LONE_SURROGATE.test(text)) throw new NoteError('note text is not valid UTF-8');
}

/** Splits a signed note into its text and signature lines, checking its shape but no signature. */
export function parseNote(note: string): Note {
  if (note.length > 1_000_000) throw new NoteError('note is too large');
  // As in Go's note.Open, the whole note (signature lines too) must be free of control characters.
  if (CONTROL.test(note) || LONE_SURROGATE.test(note)) throw new NoteError('note has control characters or bad UTF-8');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no signature block (no blank line)');
  const text = note.slice(0, split + 1);
  checkText(text);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteError('note signature block must end in a newline');
  const signatures: NoteSignature[] = [];
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp <= 0) throw new NoteError('malformed signature line');
    const name = rest.slice(0, sp);
    if (!isValidName(name)) throw new NoteError('malformed signature line');
    if (signatures.length === MAX_SIGNATURES) throw new NoteError('note has too many signatures');
    let raw: Uint8Array;
    try {
      raw = fromBase64(rest.slice(sp + 1));
    } catch {
      throw new NoteError('signature is not base64');
    }
    if (raw.length < 5) throw new NoteError('signature is too short');
    signatures.push({ name, keyHash: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  if (signatures.length === 0) throw new NoteError('note has no signatures');
  return { text, signatures };
}

/** Parses a note and checks that `verifier` signed it; returns its text or throws NoteError saying why not. */
export function openNote(note: string, verifier: Verifier): string {
  const parsed = parseNote(note);
  // The first signature by this key decides, as in Go's note.Open: C2SP says a bad signature from a known key
  // should reject the note, so a valid copy further down must not rescue it.
  const mine = parsed.signatures.find((s) => s.name === verifier.name && equalBytes(s.keyHash, verifier.keyHash));
  if (!mine) throw new NoteError(`note is not signed by key ${verifier.name}`);
  if (!verifier.verify(Buffer.from(parsed.text, 'utf8'), mine.signature))
    throw new NoteError('note signature is invalid');
  return parsed.text;
}
