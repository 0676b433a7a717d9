import { createReadStream, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError, unreadableWhy } from '../shared/errors.ts';
import type { Store } from './store.ts';
import type { AccountRow } from './types.ts';

/** Text without a NUL character, which no name or id holds and which PostgreSQL cannot store. */
const noNul = (s: z.ZodString) => s.refine((v) => !v.includes('\u0000'), 'holds a NUL character (U+0000)');

const nullableText = noNul(z.string().max(1000))
  .nullish()
  .transform((v) => v ?? null);

/** An accounts line longer than this is refused: a real account is a few hundred bytes. */
export const MAX_ACCOUNT_LINE_BYTES = 64 * 1024;

const accountSchema = z.strictObject({
  account: noNul(z.string().min(1).max(200)),
  person: noNul(z.string().min(1).max(200)),
  source: noNul(z.string().min(1).max(50)),
  handle: nullableText,
  display_name: nullableText,
  // One address: the confirmation link goes to it. A list ("a@x.org, b@y.org") would send it to every one of them.
  // An empty e-mail is no e-mail, as before this was checked.
  email: z
    .preprocess(
      (v) => (v === '' ? null : v),
      z
        .string()
        .max(254)
        .regex(/^[^\s@,;:<>()[\]"\0]+@[^\s@,;:<>()[\]"\0]+\.[^\s@,;:<>()[\]".\0]+$/, 'is not one e-mail address')
        .nullish(),
    )
    .transform((v) => v ?? null),
  birth_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    // Date.parse takes 2023-02-29 as 1 March; the engine would read it as no date at all.
    .refine(
      (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(d).toISOString().startsWith(d),
      'is not a real date',
    )
    .nullish()
    .transform((v) => v ?? null),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE')
    // The EU's own abbreviations, which EU data sets use, are no ISO codes: a policy's jurisdictions (EU, GR, GB) never
    // match them, and the account's content would be excluded as outside them without a word.
    .refine((c) => c !== 'EL', 'EL is the EU abbreviation for Greece; its ISO 3166-1 code is GR')
    .refine((c) => c !== 'UK', 'UK is not an ISO 3166-1 code; the United Kingdom is GB')
    .refine((c) => c !== 'EU', 'must be a country, not the EU')
    .nullish()
    .transform((v) => v ?? null),
});

const FIELDS = Object.keys(accountSchema.shape);
/** Names that people give the fields, by their folded form (see fold). */
const ALIASES: Record<string, string> = {
  mail: 'email',
  emailaddress: 'email',
  name: 'display_name',
  displayname: 'display_name',
  fullname: 'display_name',
  birthdate: 'birth_date',
  birthday: 'birth_date',
  dateofbirth: 'birth_date',
  dob: 'birth_date',
  username: 'handle',
  countrycode: 'country',
  accountid: 'account',
  personid: 'person',
};
const fold = (key: string) => key.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Why an unknown key is refused, with the field it was probably meant to be. The key itself is never named: it could
 * be data (a name, an address, a date).
 */
function unknownKeyReason(keys: readonly string[]): string {
  for (const key of keys) {
    const meant = FIELDS.find((f) => fold(f) === fold(key)) ?? ALIASES[fold(key)];
    if (meant) return `an unknown field (did you mean ${meant}?)`;
  }
  return `${keys.length === 1 ? 'an unknown field' : `${keys.length} unknown fields`} (the fields are ${FIELDS.join(', ')})`;
}

/** A line of an accounts file that could not be imported; carries no personal data. */
export interface BadLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** Parses one accounts JSONL line; returns the row or a reason that names the field but never its value. */
export function parseAccountLine(text: string): AccountRow | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = accountSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue?.code === 'unrecognized_keys') return unknownKeyReason(issue.keys);
  return `field ${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}`;
}

/** What an operator should know when an import gives existing accounts to other persons. */
export function movedWarning(moved: number): string {
  return `${moved === 1 ? '1 account now belongs' : `${moved} accounts now belong`} to another person than before: objections of the former person no longer cover ${moved === 1 ? 'it' : 'them'} (except one filed through that very account), those of the new person do`;
}

/**
 * How many bad lines an import keeps with their reasons; past these it only counts them, so that a huge file that is
 * bad on every line (an extra field in every row of an export) is reported instead of exhausting memory.
 */
export const MAX_BAD_LINES_KEPT = 1000;

/** Summary of an identities import. */
export interface ImportSummary {
  readonly read: number;
  readonly imported: number;
  /** The first bad lines (up to MAX_BAD_LINES_KEPT), in file order. */
  readonly bad: BadLine[];
  /** How many lines were bad in all: read = imported + badLines. */
  readonly badLines: number;
  /** Accounts already in the registry that the file gives to another person. */
  readonly moved: number;
}

interface ImportOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (read: number) => void;
  /** Read the whole file first and import nothing when a line is bad (the build wants all or nothing). */
  readonly allOrNothing?: boolean;
}

/**
 * Imports an accounts JSONL file into the store, upserting by account id in batches. A bad line is reported with
 * its number and skipped; the rest still goes in, unless `allOrNothing`, which checks every line in a first pass.
 */
export async function importAccounts(store: Store, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  if (opts.allOrNothing) {
    const checked = await readAccounts(file, opts);
    if (checked.badLines > 0) return checked;
  }
  return readAccounts(file, opts, (rows) => store.upsertAccounts(rows));
}

/**
 * Reads and checks an accounts file without importing it, handing its good rows to `onRows` in batches: for tools
 * that need what the identity graph would hold (`dissent redact --accounts`), with the import's own checks.
 */
export function readAccountsFile(file: string, onRows: (rows: AccountRow[]) => void): Promise<ImportSummary> {
  return readAccounts(file, {}, async (rows) => {
    onRows(rows);
    return { moved: 0 };
  });
}

/** The error for an accounts file with bad lines: the first five by number and reason, and how many more. */
export function badAccountsError(summary: Pick<ImportSummary, 'bad' | 'badLines'>, outcome: string): InputError {
  const { bad, badLines: n } = summary;
  const listed = bad.slice(0, 5).map((b) => `line ${b.line}: ${b.reason}`);
  if (n > listed.length) listed.push(`${n - listed.length} more`);
  return new InputError(
    `the accounts file ${bad[0]?.file ?? ''} has ${n === 1 ? '1 bad line' : `${n} bad lines`} (${listed.join('; ')}); fix ${n === 1 ? 'it' : 'them'} and run again (${outcome})`,
    'E_ACCOUNTS',
  );
}

/** Reads and checks an accounts file, handing the good rows to `upsert` in batches (none: a check only). */
async function readAccounts(
  file: string,
  opts: ImportOptions,
  upsert?: (rows: AccountRow[]) => Promise<{ moved: number }>,
): Promise<ImportSummary> {
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`the accounts file ${file} is a folder; give the JSONL file itself`, 'E_READ');
  }
  const stream = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (cause) =>
      reject(new InputError(`cannot read accounts file ${file}: ${unreadableWhy(cause)}`, 'E_READ', { cause })),
    );
  });
  await opened;
  const bad: BadLine[] = [];
  let badLines = 0;
  const seen = new SeenIds();
  let batch: AccountRow[] = [];
  let read = 0;
  let imported = 0;
  let moved = 0;
  const flush = async () => {
    if (upsert && batch.length > 0) {
      moved += (await upsert(batch)).moved;
      imported += batch.length;
    }
    batch = [];
  };
  for await (const line of byteLines(stream, MAX_ACCOUNT_LINE_BYTES)) {
    const lineNo = line.number;
    opts.signal?.throwIfAborted();
    if (lineNo === 1) refuseFileShape(file, line.bytes);
    // A byte order mark, which some editors write, is not part of the first line.
    const bytes = lineNo === 1 ? withoutBom(line.bytes) : line.bytes;
    if (bytes?.every(isBlank)) continue;
    read++;
    let row: AccountRow | string;
    if (bytes === undefined) row = `line over ${MAX_ACCOUNT_LINE_BYTES.toLocaleString('en')} bytes`;
    else {
      let text: string | undefined;
      try {
        text = decoder.decode(bytes);
      } catch {
        text = undefined;
      }
      row = text === undefined ? 'invalid UTF-8' : parseAccountLine(text);
    }
    if (typeof row !== 'string') {
      const first = seen.firstLine(row.account, lineNo);
      if (first !== undefined) row = `the account id of line ${first} again (one line per account)`;
    }
    if (typeof row === 'string') {
      badLines++;
      if (bad.length < MAX_BAD_LINES_KEPT) bad.push({ file, line: lineNo, reason: row });
      continue;
    }
    batch.push(row);
    if (batch.length >= 10_000) {
      await flush();
      opts.onProgress?.(read);
    }
  }
  await flush();
  if (read === 0) throw new InputError(`the accounts file ${file} holds no accounts (it is empty)`, 'E_READ');
  return { read, imported, bad, badLines, moved };
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const isBlank = (b: number) => b === 0x20 || b === 0x09;
const withoutBom = (b: Uint8Array | undefined) =>
  b !== undefined && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;

/**
 * Refuses, by its first line, a file that is not JSON Lines at all, with what to do about it; otherwise each of
 * its lines would be reported as invalid JSON.
 */
function refuseFileShape(file: string, first: Uint8Array | undefined): void {
  if (first === undefined) return;
  if (first[0] === 0x1f && first[1] === 0x8b) {
    throw new InputError(`the accounts file ${file} is gzip-compressed; unpack it first (gunzip)`, 'E_READ');
  }
  if ((first[0] === 0xff && first[1] === 0xfe) || (first[0] === 0xfe && first[1] === 0xff)) {
    throw new InputError(`the accounts file ${file} is UTF-16; save it as UTF-8`, 'E_READ');
  }
  const start = first.findIndex((b) => !isBlank(b) && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (first[start] === 0x5b) {
    throw new InputError(
      `the accounts file ${file} holds a JSON array; it must be JSON Lines, one account object per line (jq -c '.[]' turns an array into lines)`,
      'E_READ',
    );
  }
}

/**
 * The lines of a byte stream, split at LF, CR LF or a lone CR (the line end is not part of the line), numbered from 1.
 * A line longer than `max` bytes comes as `bytes: undefined`, without ever being held whole in memory.
 */
async function* byteLines(
  stream: AsyncIterable<Buffer>,
  max: number,
): AsyncGenerator<{ number: number; bytes: Uint8Array | undefined }> {
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let number = 0;
  let afterCr = false;
  const append = (bytes: Buffer) => {
    length += bytes.length;
    if (tooLong) return;
    if (length > max) {
      tooLong = true;
      parts = [];
    } else if (bytes.length > 0) parts.push(bytes);
  };
  const take = () => {
    number++;
    const bytes = tooLong ? undefined : parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    tooLong = false;
    return { number, bytes };
  };
  for await (const chunk of stream) {
    // The LF of a CR LF that a read split in two.
    let from = afterCr && chunk[0] === 0x0a ? 1 : 0;
    afterCr = false;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== 0x0a && b !== 0x0d) continue;
      append(chunk.subarray(from, i));
      yield take();
      if (b === 0x0d) {
        if (i + 1 === chunk.length) afterCr = true;
        else if (chunk[i + 1] === 0x0a) i++;
      }
      from = i + 1;
    }
    append(chunk.subarray(from));
  }
  if (length > 0 || tooLong) yield take();
}

/**
 * The line numbers of the account ids read so far, by a 64-bit hash of the id: about 24 bytes an account, where a
 * map of the ids themselves took over 100 MB per million. Two ids that share a hash (about one chance in a million
 * for ten million accounts) would be reported as a repeat.
 */
class SeenIds {
  #hi = new Uint32Array(1 << 16);
  #lo = new Uint32Array(1 << 16);
  #line = new Uint32Array(1 << 16);
  #size = 0;

  /** The line the id was first seen on, or undefined (and the id is remembered as on `line`). */
  firstLine(id: string, line: number): number | undefined {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) >>> 0;
    h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) >>> 0;
    const mask = this.#line.length - 1;
    for (let slot = (h1 ^ h2) & mask; ; slot = (slot + 1) & mask) {
      const seen = this.#line[slot] as number;
      if (seen === 0) break;
      if (this.#hi[slot] === h1 && this.#lo[slot] === h2) return seen;
    }
    this.#put(h1, h2, line);
    if (++this.#size * 2 > this.#line.length) this.#grow();
    return undefined;
  }

  #put(h1: number, h2: number, line: number): void {
    const mask = this.#line.length - 1;
    let slot = (h1 ^ h2) & mask;
    while (this.#line[slot] !== 0) slot = (slot + 1) & mask;
    this.#hi[slot] = h1;
    this.#lo[slot] = h2;
    this.#line[slot] = line;
  }

  #grow(): void {
    const [hi, lo, lines] = [this.#hi, this.#lo, this.#line];
    this.#hi = new Uint32Array(hi.length * 2);
    this.#lo = new Uint32Array(hi.length * 2);
    this.#line = new Uint32Array(hi.length * 2);
    for (let i = 0; i < lines.length; i++)
      if (lines[i] !== 0) this.#put(hi[i] as number, lo[i] as number, lines[i] as number);
  }
}
