import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { initHome } from '../../src/cli/commands/init.ts';
import { type Home, openHome } from '../../src/config/home.ts';
import { importAccounts } from '../../src/registry/identities.ts';
import type { AccountRow } from '../../src/registry/types.ts';

/** A small identity graph: p:1..p:6 adults in DE with facebook + linked instagram, plus edge cases. */
export const ACCOUNTS: AccountRow[] = [
  ...[1, 2, 3, 4, 5, 6].flatMap((i) => [
    acct(`fb:a:${i}`, `p:${i}`, 'facebook', `user${i}`, `Person${i} Beispiel`, '1980-01-01', 'DE'),
    acct(`ig:a:${i}`, `p:${i}`, 'instagram', `insta${i}`, `Person${i} Beispiel`, '1980-01-01', 'DE'),
  ]),
  acct('fb:a:7', 'p:7', 'facebook', 'kid7', 'Kind Sieben', '2012-06-01', 'DE'),
  acct('fb:a:8', 'p:8', 'facebook', 'nobday8', 'Ohne Datum', null, 'AT'),
  acct('fb:a:9', 'p:9', 'facebook', 'swiss9', 'Hans Schweizer', '1970-01-01', 'CH'),
  acct('fb:a:10', 'p:10', 'facebook', 'anna.muster', 'Anna Musterfrau', '1975-03-03', 'FR'),
];

function acct(
  account: string,
  person: string,
  source: string,
  handle: string,
  display_name: string,
  birth_date: string | null,
  country: string,
): AccountRow {
  return { account, person, source, handle, display_name, email: `${handle}@example.org`, birth_date, country };
}

let seq = 0;
/** A canonical record that every default policy keeps, with overrides. */
export function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    id: `fa:p:${String(seq).padStart(5, '0')}`,
    source: 'facebook',
    kind: 'post',
    account: 'fb:a:1',
    created_at: '2024-05-01T12:00:00Z',
    visibility: 'public',
    e2ee: false,
    text: `Ein ganz normaler Beitrag Nummer ${seq} über das Wetter.`,
    participants: [],
    parent: null,
    ...over,
  };
}

/** Writes records (objects, or raw lines as strings) as a JSONL file. */
export function writeJsonl(file: string, rows: readonly (Record<string, unknown> | string)[]): void {
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
}

/** A fresh temp folder, removed by the returned function. */
export function tempDir(prefix = 'dissent-build-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A home with the example programme (deadline in the past) and the fixture identity graph, optionally a policy. */
export async function makeHome(dir: string, policy?: string): Promise<string> {
  const home = join(dir, 'home');
  initHome(home);
  if (policy !== undefined) writeFileSync(join(home, 'policies', 'ai-training-2025.yaml'), policy);
  const accounts = join(dir, 'accounts.jsonl');
  writeJsonl(accounts, ACCOUNTS as unknown as Record<string, unknown>[]);
  const h = await openHome(home);
  try {
    await importAccounts(h.store, accounts);
  } finally {
    await h.close();
  }
  return home;
}

/** Opens a home for the length of `fn`. */
export async function withHome<T>(home: string, fn: (h: Home) => Promise<T>): Promise<T> {
  const h = await openHome(home);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

/** Reads every row of the snapshot's shards, in output order. */
export async function readShards(out: string): Promise<Record<string, string>[]> {
  const files = readdirSync(join(out, 'data')).sort();
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const list = files.map((f) => `'${join(out, 'data', f)}'`).join(', ');
    const r = await conn.runAndReadAll(
      `SELECT id, text, source, kind, strftime(created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at, lang FROM read_parquet([${list}]) ORDER BY filename, file_row_number`,
    );
    return r.getRowObjectsJson() as Record<string, string>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Reads the lineage file of a snapshot. */
export async function readLineage(
  out: string,
): Promise<{ id: string; person: string | null; reason: string | null }[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT id, person, reason FROM '${join(out, 'lineage', 'records.parquet')}'`);
    return r.getRowObjectsJson() as { id: string; person: string | null; reason: string | null }[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Every file under a folder (recursively), with its bytes, for greps over a whole snapshot. */
export function allFiles(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...allFiles(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs the real CLI as a child process. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  // One process (node --import tsx), so that a test kill hook really kills the build and the test sees the signal.
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
