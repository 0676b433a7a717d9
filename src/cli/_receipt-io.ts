import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Receipt } from '../log/receipt.ts';
import { DissentError, InputError, unreadableWhy } from '../shared/errors.ts';
import { EXIT, setExitCode } from './_run.ts';

/**
 * Refuses an --out path that cannot take a file (a folder, or a path whose folder does not exist) before anything is
 * filed: a receipt is the person's proof, and the log entry behind it cannot be made twice.
 */
export function checkOutPath(file: string | undefined): void {
  if (!file) return;
  const folder = dirname(file);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`cannot write ${file}: the folder ${folder} does not exist`, 'E_OUT');
  }
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`cannot write ${file}: it is a folder; give a file name`, 'E_OUT');
  }
}

/**
 * Refuses a receipt --out path as checkOutPath does, and also a file that exists: writing over it would destroy the
 * receipt it may hold (a withdrawal's, or one for an objection since withdrawn, cannot be had again), and would keep
 * that file's mode where a receipt, which links its holder to the log, is written readable by its owner only.
 */
export function checkReceiptPath(file: string | undefined): void {
  if (file === '-') return;
  checkOutPath(file);
  if (file && statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new InputError(
      `cannot write ${file}: the file exists, and a receipt is never written over a file; move it away or give a new name`,
      'E_OUT',
    );
  }
}

/**
 * Writes `text` to a new `file` (mode 0600; a device such as /dev/null is written as is), or to stdout when no file is
 * given. When the file cannot be written after all (say, another run created it meanwhile), the text goes to stdout
 * and the error says so, so that a receipt for something already logged is never lost. `text` may come in pieces (one
 * receipt a line), written one after another and never joined: a bulk's receipts can pass the longest string
 * JavaScript holds (about 512 MB, some 300,000 receipts). Pieces are read again for that fallback, so give an array or
 * an object whose iterator starts over.
 */
export function emitText(text: string | Iterable<string>, file?: string): void {
  const pieces = typeof text === 'string' ? [text] : text;
  // `-` is stdout, as for most commands that take an output file.
  if (!file || file === '-') {
    writeStdout(pieces);
    return;
  }
  let fd: number | undefined;
  try {
    const device = statSync(file, { throwIfNoEntry: false })?.isFile() === false;
    fd = openSync(file, device ? 'w' : 'wx', 0o600);
    for (const chunk of chunked(pieces)) writeAll(fd, chunk);
    closeSync(fd);
  } catch (cause) {
    if (fd !== undefined) closeQuietly(fd);
    writeStdout(pieces);
    const why = (cause as NodeJS.ErrnoException).code ?? 'write failed';
    throw new DissentError(
      `could not write ${file} (${why}); the receipt is printed on stdout above instead: keep it`,
      'E_OUT',
      { cause },
    );
  }
}

/** Pieces joined into chunks of about a megabyte: few writes, and no string near the longest one. */
function* chunked(pieces: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The write already failed; that is what the caller hears of.
  }
}

/**
 * Writes receipts to stdout. A reader that stops early (`| head`) or is gone closes the pipe, and a redirect onto a full
 * disk fails (ENOSPC): that is said plainly and fails the command, instead of a crash with a stack trace, since what
 * was filed stands without its receipts.
 */
function writeStdout(pieces: Iterable<string>): void {
  process.stdout.once('error', (e: NodeJS.ErrnoException) => {
    const why =
      e.code === 'EPIPE'
        ? 'the reader of standard output closed it (EPIPE)'
        : `standard output could not be written (${e.code ?? 'write failed'})`;
    process.stderr.write(
      `dissent: the receipts were not all written: ${why}; what was filed stands, give --out FILE to keep its receipts\n`,
    );
    setExitCode(EXIT.usage);
  });
  for (const chunk of chunked(pieces)) process.stdout.write(chunk);
}

/** Writes a receipt as pretty JSON to `file`, or to stdout when no file is given (see emitText). */
export function emitReceipt(receipt: Receipt, file?: string): void {
  emitText(`${JSON.stringify(receipt, null, 2)}\n`, file);
}

/**
 * Reads a file the user named, turning a missing or unreadable file into an input error. A leading byte order mark
 * (Windows editors write one) is dropped, as the browser and the portal's upload drop it: a receipt saved that way
 * must not be "not valid JSON" here alone.
 */
export function readUserFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (cause) {
    throw new InputError(`cannot read the ${what} file ${file}: ${unreadableWhy(cause)}`, 'E_READ', { cause });
  }
}

/** A --key value: the verifier key string itself, or a file that holds it. */
export function readKeyArg(value: string): string {
  if (/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value.trim())) return value.trim();
  if (existsSync(value)) return readUserFile(value, 'verifier key').trim();
  throw new InputError(
    'the --key value is neither a verifier key (name+hash+key) nor a readable file; get it with "dissent log key"',
    'E_KEY',
  );
}
