import { createReadStream, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../shared/errors.ts';
import type { Store } from './store.ts';
import type { AccountRow } from './types.ts';

const nullableText = z
  .string()
  .max(1000)
  .nullish()
  .transform((v) => v ?? null);

/** An accounts line longer than this is refused: a real account is a few hundred bytes. */
export const MAX_ACCOUNT_LINE_BYTES = 64 * 1024;

const accountSchema = z.strictObject({
  account: z.string().min(1).max(200),
  person: z.string().min(1).max(200),
  source: z.string().min(1).max(50),
  handle: nullableText,
  display_name: nullableText,
  // One address: the confirmation link goes to it. A list ("a@x.org, b@y.org") would send it to every one of them.
  email: z
    .string()
    .max(254)
    .regex(/^[^\s@,;:<>()[\]"]+@[^\s@,;:<>()[\]"]+\.[^\s@,;:<>()[\]".]+$/, 'is not one e-mail address')
    .nullish()
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
 * Why an unknown key is refused, with the field it was probably meant to be. The key itself is named only when it
 * is such a near miss: any other key could be data (a name, an address) and stays out of the message.
 */
function unknownKeyReason(keys: readonly string[]): string {
  for (const key of keys) {
    const meant = FIELDS.find((f) => fold(f) === fold(key)) ?? ALIASES[fold(key)];
    if (meant) return `unknown field "${key}" (did you mean ${meant}?)`;
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

/** Summary of an identities import. */
export interface ImportSummary {
  readonly read: number;
  readonly imported: number;
  readonly bad: BadLine[];
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
    if (checked.bad.length > 0) return checked;
  }
  return readAccounts(file, opts, (rows) => store.upsertAccounts(rows));
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
    stream.once('error', (cause) => reject(new InputError(`cannot read accounts file ${file}`, 'E_READ', { cause })));
  });
  await opened;
  const bad: BadLine[] = [];
  const seen = new Map<string, number>();
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
    if (line.bytes?.every(isBlank)) continue;
    read++;
    let row: AccountRow | string;
    if (line.bytes === undefined) row = `line over ${MAX_ACCOUNT_LINE_BYTES.toLocaleString('en')} bytes`;
    else {
      let text: string | undefined;
      try {
        // A byte order mark, which some editors write, is not part of the first line.
        text = (lineNo === 1 ? firstLineDecoder : lineDecoder).decode(line.bytes);
      } catch {
        text = undefined;
      }
      row = text === undefined ? 'invalid UTF-8' : parseAccountLine(text);
    }
    if (typeof row !== 'string') {
      const first = seen.get(row.account);
      if (first !== undefined) row = `the account id of line ${first} again (one line per account)`;
      else seen.set(row.account, lineNo);
    }
    if (typeof row === 'string') {
      bad.push({ file, line: lineNo, reason: row });
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
  return { read, imported, bad, moved };
}

const firstLineDecoder = new TextDecoder('utf-8', { fatal: true });
const lineDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const isBlank = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d;

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
 * The lines of a byte stream, split at LF, with a trailing CR removed and numbered from 1. A line longer than `max`
 * bytes comes as `bytes: undefined`, without ever being held whole in memory.
 */
async function* byteLines(
  stream: AsyncIterable<Buffer>,
  max: number,
): AsyncGenerator<{ number: number; bytes: Uint8Array | undefined }> {
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let number = 0;
  const line = () => {
    number++;
    if (tooLong) return { number, bytes: undefined };
    let bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    return { number, bytes };
  };
  for await (const chunk of stream) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      if (!tooLong) parts.push(chunk.subarray(from, nl));
      length += nl - from;
      tooLong ||= length > max;
      yield line();
      parts = [];
      length = 0;
      tooLong = false;
      from = nl + 1;
    }
    if (from < chunk.length) {
      length += chunk.length - from;
      if (length > max) {
        tooLong = true;
        parts = [];
      } else parts.push(chunk.subarray(from));
    }
  }
  if (length > 0 || tooLong) yield line();
}
