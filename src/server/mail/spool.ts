import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MailDeferredError, type Mailer, type MailMessage, type SpooledMail } from './mailer.ts';
import { isRefusedForGood } from './smtp.ts';

/** How old a half-written spool file must be to be taken for one a crash cut short, and removed. */
const STALE_WRITE_MS = 10 * 60_000;

/** A spooled mail's file: the message, as the server made it. */
interface SpoolFile {
  readonly v: 1;
  readonly message: MailMessage;
}

/**
 * Keeps each mail in a folder (the home's `mail-spool/`) until the mail server has taken it, so that no link mail is
 * lost to a restart: a shutdown while the mail server is slow or down (deadline night), a deploy, or a crash. Each
 * mail is written (fsync'd, mode 0600: it holds an address and a link) before it is handed to `inner`, and removed
 * once `inner` delivered it or the mail server refused it for good (see isRefusedForGood). A mail still in the spool
 * when the mailer closes stays there, and its send fails with MailDeferredError; so does one that failed at every
 * attempt for another reason, its send failing with that error. `resume` (at the next start, and in the server's
 * sweep of the spool every 15 minutes) sends them again, unless their links have expired by then.
 * A mail delivered just before a crash, but not yet removed, is sent once more: the same link twice, never none.
 * A mail the spool cannot take (a full disk, a read-only mount) is sent all the same, only not kept over a restart,
 * and `onSpoolError` hears why.
 */
export class SpooledMailer implements Mailer {
  readonly dir: string;
  readonly #inner: Mailer;
  readonly #onSpoolError: (e: unknown) => void;
  #closed = false;
  #seq = 0;
  /** The spool files a send of this mailer is handling now. */
  readonly #inFlight = new Set<string>();

  constructor(inner: Mailer, dir: string, opts: { onSpoolError?: (e: unknown) => void } = {}) {
    this.#inner = inner;
    this.dir = dir;
    this.#onSpoolError = opts.onSpoolError ?? (() => {});
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async send(message: MailMessage): Promise<void> {
    let path: string;
    try {
      path = await this.#write(message);
    } catch (e) {
      // The spool is there so that no mail is lost: one it cannot keep must not be lost for that reason alone.
      this.#onSpoolError(e);
      await this.#inner.send(message);
      return;
    }
    await this.#deliver(path, message);
  }

  /**
   * The mails in the spool that no send of this mailer is handling, oldest first; those whose link expired before
   * `now` are taken off and listed in `expired`. `olderThanMs`: only mails spooled at least that long ago (by the wall
   * clock), so that a periodic sweep leaves alone the mails another server on the same home (the old one of an
   * overlapping deploy) is still trying.
   */
  async resume(
    now: Date,
    opts: { olderThanMs?: number } = {},
  ): Promise<{ pending: SpooledMail[]; expired: MailMessage[] }> {
    const pending: SpooledMail[] = [];
    const expired: MailMessage[] = [];
    // The folder removed while serving holds nothing: the next send makes it again.
    const names = await readdir(this.dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    // File names start with the time they were spooled, so that the oldest mail goes first.
    for (const name of names.sort()) {
      const path = join(this.dir, name);
      // A mail whose write a crash cut short was never handed on: its form's answer came before it, and said nothing
      // of it having been sent. A young one may be another server's write in progress (the old one of a deploy that
      // overlaps this start), which its rename is about to finish.
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        // File times are the wall clock's, whatever clock the server runs on.
        const info = await stat(path).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > STALE_WRITE_MS) await rm(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json') || this.#inFlight.has(path)) continue;
      if (opts.olderThanMs !== undefined) {
        const info = await stat(path).catch(() => undefined);
        if (!info || Date.now() - info.mtimeMs < opts.olderThanMs) continue;
      }
      // Gone since the listing (undefined): delivered by a send that just ended, or by another server. One that cannot
      // be read (a folder, a file an earlier run as root left) is set aside like a damaged one: it must not stop the
      // start, nor every other mail, at every start.
      const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) =>
        e.code === 'ENOENT' ? undefined : null,
      );
      if (text === undefined) continue;
      const message = text === null ? undefined : parseSpoolFile(text);
      if (!message) {
        // Not ours, or damaged: set aside, so that it is neither sent nor read again at every start.
        await rename(path, `${path}.unreadable`).catch(() => {});
        continue;
      }
      if (message.expiresAt !== undefined && Date.parse(message.expiresAt) <= now.getTime()) {
        await rm(path, { force: true });
        expired.push(message);
        continue;
      }
      pending.push({ message, send: () => this.#deliver(path, message) });
    }
    return { pending, expired };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#inner.close();
  }

  async #deliver(path: string, message: MailMessage): Promise<void> {
    if (this.#closed) throw new MailDeferredError();
    if (this.#inFlight.has(path)) return;
    this.#inFlight.add(path);
    try {
      await this.#attempt(path, message);
    } finally {
      this.#inFlight.delete(path);
    }
  }

  async #attempt(path: string, message: MailMessage): Promise<void> {
    try {
      await this.#inner.send(message);
    } catch (e) {
      // Closing cut the delivery short (or the wait for its next attempt): the mail stays for the next start.
      if (this.#closed) throw new MailDeferredError();
      // A mail server down past the last attempt, or refusing the operator's login or relay, fails every mail: the
      // next sweep or start sends them again (unless their links have expired by then).
      if (isRefusedForGood(e)) await rm(path, { force: true });
      throw e;
    }
    await rm(path, { force: true });
  }

  /** Writes the mail into the spool durably (file and folder fsync'd) and returns its path. */
  async #write(message: MailMessage): Promise<string> {
    const name = `${String(Date.now()).padStart(15, '0')}-${String(this.#seq++).padStart(9, '0')}-${randomBytes(4).toString('hex')}.json`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const path = join(this.dir, name);
    // The folder may have gone since the start (a clean-up script took it for clutter): it is made again.
    const file = await open(tmp, 'wx', 0o600).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      return open(tmp, 'wx', 0o600);
    });
    try {
      try {
        await file.writeFile(JSON.stringify({ v: 1, message } satisfies SpoolFile));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
    } catch (e) {
      // A full disk: the half-written file would only be swept up ten minutes after the next start.
      await rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    return path;
  }
}

/** The message of a spool file, or undefined when the file is not one. */
function parseSpoolFile(text: string): MailMessage | undefined {
  try {
    const f = JSON.parse(text) as Partial<SpoolFile>;
    const m = f.message;
    const str = (x: unknown) => typeof x === 'string';
    if (f.v !== 1 || !m || !str(m.to) || !str(m.subject) || !str(m.text) || !str(m.lang)) return undefined;
    if (m.expiresAt !== undefined && (!str(m.expiresAt) || Number.isNaN(Date.parse(m.expiresAt)))) return undefined;
    if (m.kind !== undefined && m.kind !== 'confirm' && m.kind !== 'withdraw') return undefined;
    return m;
  } catch {
    return undefined;
  }
}
