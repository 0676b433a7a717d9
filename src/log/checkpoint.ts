import { EMPTY_ROOT, equalBytes, fromBase64, type Hash, toBase64 } from './hash.ts';
import { NoteError, openNote, type Signer, signNote, type Verifier } from './note.ts';

/** A C2SP tlog-checkpoint: the log's origin, its size and its root hash. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
}

/** The checkpoint body: origin, size and base64 root, each ending in a newline. */
export function formatCheckpoint(cp: Checkpoint): string {
  return `${cp.origin}\n${cp.size}\n${toBase64(cp.root)}\n`;
}

/** Parses a checkpoint body (extension lines after the root are allowed and ignored). */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('checkpoint body must have three lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0) throw new NoteError('checkpoint has an empty origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new NoteError('checkpoint size is not a decimal number');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new NoteError('checkpoint size is too large');
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new NoteError('checkpoint root is not base64');
  }
  if (root.length !== 32) throw new NoteError('checkpoint root is not a SHA-256 hash');
  // Every tree extends the empty one; a consistency proof from size 0 checks no hash, so a checkpoint of size 0
  // must carry the empty tree's root itself.
  if (size === 0 && !equalBytes(root, EMPTY_ROOT))
    throw new NoteError("checkpoint of size 0 has a root other than the empty tree's");
  return { origin, size, root };
}

/** Signs a checkpoint as a signed note. */
export function signCheckpoint(cp: Checkpoint, signer: Signer): string {
  return signNote(formatCheckpoint(cp), signer);
}

/** Verifies a signed checkpoint note against a verifier key and returns the checkpoint; throws NoteError otherwise. */
export function openCheckpoint(note: string, verifier: Verifier, expectedOrigin?: string): Checkpoint {
  const cp = parseCheckpoint(openNote(note, verifier));
  if (expectedOrigin !== undefined && cp.origin !== expectedOrigin) {
    throw new NoteError(`checkpoint origin is not ${expectedOrigin}`);
  }
  return cp;
}
