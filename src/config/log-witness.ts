import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Checkpoint, openCheckpoint } from '../log/checkpoint.ts';
import { type Hash, toBase64 } from '../log/hash.ts';
import { foldRange, nodeKey, rangeNodes } from '../log/merkle.ts';
import { NoteError, parseNote, parseVerifierKey, type Signer, type Verifier, verifierKeyOf } from '../log/note.ts';
import type { Store } from '../registry/store.ts';
import { InputError } from '../shared/errors.ts';

/** The home's copy of the latest checkpoint its log signed: a C2SP signed note, as `dissent log checkpoint` prints. */
export const WITNESS_FILE = 'log-witness';

/** How often, at most, a busy process writes the witness (a server signs many checkpoints a second). */
const WRITE_EVERY_MS = 1000;

/** Raised when the registry's log is behind, or not an extension of, the checkpoint the home's witness holds. */
export class LogRolledBackError extends InputError {
  override name = 'LogRolledBackError';
  constructor(
    message: string,
    code: 'E_LOG_BEHIND' | 'E_LOG_FORKED',
    readonly witnessSize: number,
    readonly logSize: number,
  ) {
    super(message, code);
  }
}

/** Raised when the registry's latest checkpoint was signed by another key than the home's, or for another origin. */
export class LogKeyError extends InputError {
  override name = 'LogKeyError';
  constructor(message: string) {
    super(message, 'E_LOG_KEY');
  }
}

/**
 * Keeps the latest checkpoint the home's log signed in a file of the home (`log-witness`), outside the registry, and
 * checks a registry against it when the home is opened. A registry restored from an older backup (or an older copy
 * of the file put back by hand) lacks the objections acknowledged since; appending to it would give new entries the
 * indices those objections' receipts name, a fork of the published log under the same key. The check refuses that
 * before anything is appended, and before a build could leave the missing objections unhonoured.
 *
 * The file is written after the commits it covers, and never fsync'd: after a crash it may be older than the
 * registry, which weakens the check by a second's worth of entries, but it can never be ahead of it (commits are
 * durable before they are answered). A file that is unreadable, signed by another key or for another origin (a new
 * log) is no witness and is replaced by the next checkpoint.
 */
export class LogWitness {
  readonly #file: string;
  readonly #verifier: Verifier;
  readonly #origin: string;
  readonly #keyFile: string;
  readonly #seen: Checkpoint | undefined;
  /** Whether the registry passed the check: until then, this process writes nothing. */
  #checked = false;
  #pending: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #warned = false;

  constructor(dir: string, signer: Signer, origin: string, keyFile: string) {
    this.#file = join(dir, WITNESS_FILE);
    this.#verifier = parseVerifierKey(verifierKeyOf(signer));
    this.#origin = origin;
    this.#keyFile = keyFile;
    this.#seen = this.#read(true);
  }

  /**
   * Checks that the store's log holds the witnessed checkpoint: at least as many entries, and the same root at its
   * size. Throws LogRolledBackError otherwise; on success, later checkpoints are written. Called before the registry
   * is opened over the store, which would sign a checkpoint of a log started anew. `where` names the registry (its
   * file and the setting that named it) in the error.
   */
  async check(store: Store, where: string): Promise<void> {
    await this.#checkSigner(store, where);
    const seen = this.#seen;
    const size = await store.logSize();
    this.refuseSize(size, where);
    if (seen && !(await holdsRoot(store, seen))) {
      throw new LogRolledBackError(
        `the registry's log (${where}) differs from the checkpoint of ${seen.size} entries this home's log signed on ${this.#writtenAt()} (${this.#file}): its entries below ${seen.size} are not the ones that checkpoint covers, so the log has forked (a registry restored from an older copy, then appended to). Nothing was changed; see "The log witness" in docs/portal.md (under Backups), which says what to do`,
        'E_LOG_FORKED',
        seen.size,
        size,
      );
    }
    this.#checked = true;
    if (this.#pending) this.#schedule();
  }

  /** Throws LogRolledBackError when a log of `size` entries is behind the witnessed checkpoint. */
  refuseSize(size: number, where: string): void {
    const seen = this.#seen;
    if (seen && size < seen.size) {
      throw new LogRolledBackError(
        `the registry's log (${where}) holds ${size} entries, but this home's log signed a checkpoint of ${seen.size} on ${this.#writtenAt()} (${this.#file}): the registry was restored from an older backup, replaced by an older copy or started anew, or it is another registry than the one the home's log is kept in (a DATABASE_URL or database.url other than the server's), and ${seen.size - size} acknowledged objection(s) or withdrawal(s) are missing from it. Nothing was changed. Appending now would fork the published log, and a build would not honour the missing objections. Restore the newest backup (one with at least ${seen.size} entries: dissent log checkpoint shows its size); if no backup holds them, see "The log witness" in docs/portal.md (under Backups), which says what to do`,
        'E_LOG_BEHIND',
        seen.size,
        size,
      );
    }
  }

  /**
   * Refuses a registry whose latest checkpoint this home's key did not sign, or signed for another origin: the log of
   * another home (a second host set up with its own dissent init, over the server's database). Appending would sign
   * the same log under a second key, and verifiers holding the published key would reject every receipt and proof
   * made after it.
   */
  async #checkSigner(store: Store, where: string): Promise<void> {
    const latest = await store.latestCheckpoint();
    if (!latest) return;
    try {
      openCheckpoint(latest.note, this.#verifier, this.#origin);
    } catch (e) {
      if (!(e instanceof NoteError)) throw e;
      const origin = latest.note.slice(0, latest.note.indexOf('\n'));
      // The operator started a new log over this home's own (docs/portal.md, Backups): a new key and origin, where the
      // home's witness shows that it signed the registry's log before, under the key and origin the log has.
      if (origin !== this.#origin && this.#keptBefore(latest.note)) return;
      const why =
        origin === this.#origin
          ? `is signed for ${origin} by another key than this home's (${this.#keyFile})`
          : `is the log of ${origin}, not of ${this.#origin} (log.origin in this home's config)`;
      throw new LogKeyError(
        `the registry's log (${where}) ${why}: another home keeps its log, as when a second host was set up with its own dissent init. Nothing was changed; signing it here would give the published log a second key, and its verifiers would reject every receipt made after. To share the log, copy log.key and log.origin from the home that made it to every host. If that key is lost, start a new log here instead: a log.origin of its own for this home, then the registry's latest checkpoint as its witness (dissent log checkpoint --home DIR > DIR/log-witness; see "Several hosts" in docs/portal.md)`,
      );
    }
  }

  /**
   * Whether the witness file holds a checkpoint of `note`'s origin signed by `note`'s key (by name and key hash): the
   * log this home kept before its key and origin were changed. A second host's own home has a witness of its own log.
   */
  #keptBefore(note: string): boolean {
    try {
      const [mine, theirs] = [parseNote(readFileSync(this.#file, 'utf8')), parseNote(note)];
      const origin = (text: string) => text.slice(0, text.indexOf('\n'));
      return (
        origin(mine.text) === origin(theirs.text) &&
        mine.signatures.some((m) =>
          theirs.signatures.some((t) => t.name === m.name && Buffer.from(t.keyHash).equals(Buffer.from(m.keyHash))),
        )
      );
    } catch {
      return false;
    }
  }

  /** Notes a checkpoint the registry committed; it is written within a second, and at flush(). */
  saw(note: string): void {
    this.#pending = note;
    if (this.#checked) this.#schedule();
  }

  /** Writes the latest checkpoint seen now, if the check passed. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#checked || this.#pending === undefined) return;
    const note = this.#pending;
    this.#pending = undefined;
    // Another process of the same home (the CLI beside a server) may have written a later one meanwhile.
    const current = this.#read();
    if (current && current.size > openCheckpoint(note, this.#verifier).size) return;
    // A temporary file of this process's own: with one name for all, a second process truncated and wrote the file
    // the first had just renamed into place (leaving a damaged witness, which the check ignores), and then found
    // nothing to rename.
    const tmp = `${this.#file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, note, { mode: 0o600 });
      renameSync(tmp, this.#file);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {}
      // A safety net that cannot be written must not stop the service (a server writes it from a timer): say so once.
      if (!this.#warned) {
        this.#warned = true;
        process.stderr.write(
          `dissent: cannot write ${this.#file} (${(e as NodeJS.ErrnoException).code ?? 'write failed'}); a registry restored from an older backup would not be noticed\n`,
        );
      }
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), WRITE_EVERY_MS);
    this.#timer.unref();
  }

  /** The file's checkpoint if it is this log's; with `warn`, says on stderr when the file is there but unreadable. */
  #read(warn = false): Checkpoint | undefined {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A witness made unreadable (by a command run once as root, say) would let a restored registry pass unnoticed.
      if (warn && code !== 'ENOENT') {
        process.stderr.write(
          `dissent: warning: cannot read ${this.#file} (${code ?? 'read failed'}), so this registry is not checked against the latest checkpoint the home's log signed; give it back to the user that runs dissent\n`,
        );
      }
      return undefined;
    }
    try {
      return openCheckpoint(text, this.#verifier, this.#origin);
    } catch {
      return undefined;
    }
  }

  #writtenAt(): string {
    try {
      return statSync(this.#file).mtime.toISOString();
    } catch {
      return 'an unknown date';
    }
  }
}

/** Whether the store's log, at the checkpoint's size, has the checkpoint's root. */
async function holdsRoot(store: Store, cp: Checkpoint): Promise<boolean> {
  const ids = rangeNodes(0, cp.size);
  const nodes = await store.getNodes(ids);
  const hashes = ids.map((id) => nodes.get(nodeKey(id)));
  if (hashes.some((h) => h === undefined)) return false;
  return toBase64(foldRange(hashes as Hash[])) === toBase64(cp.root);
}
