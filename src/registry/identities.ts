import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { InputError } from '../shared/errors.ts';
import type { Store } from './store.ts';
import type { AccountRow } from './types.ts';

const nullableText = z
  .string()
  .max(1000)
  .nullish()
  .transform((v) => v ?? null);

const accountSchema = z.object({
  account: z.string().min(1).max(200),
  person: z.string().min(1).max(200),
  source: z.string().min(1).max(50),
  handle: nullableText,
  display_name: nullableText,
  email: nullableText,
  birth_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a real date')
    .nullish()
    .transform((v) => v ?? null),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE')
    .nullish()
    .transform((v) => v ?? null),
});

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
  return `field ${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}`;
}

/** Summary of an identities import. */
export interface ImportSummary {
  readonly read: number;
  readonly imported: number;
  readonly bad: BadLine[];
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
  upsert?: (rows: AccountRow[]) => Promise<unknown>,
): Promise<ImportSummary> {
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`the accounts file ${file} is a folder; give the JSONL file itself`, 'E_READ');
  }
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (cause) => reject(new InputError(`cannot read accounts file ${file}`, 'E_READ', { cause })));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const bad: BadLine[] = [];
  let batch: AccountRow[] = [];
  let read = 0;
  let imported = 0;
  let lineNo = 0;
  const flush = async () => {
    if (upsert && batch.length > 0) {
      await upsert(batch);
      imported += batch.length;
    }
    batch = [];
  };
  for await (const text of lines) {
    lineNo++;
    opts.signal?.throwIfAborted();
    if (text.trim() === '') continue;
    read++;
    // A byte order mark, which some editors write, is not part of the first line.
    const row = parseAccountLine(lineNo === 1 ? text.replace(/^\uFEFF/, '') : text);
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
  return { read, imported, bad };
}
