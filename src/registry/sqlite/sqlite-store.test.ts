import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { describeStore } from '../store.contract.ts';
import { SqliteStore } from './sqlite-store.ts';

describeStore('SQLite :memory:', async () => new SqliteStore(':memory:'));

describeStore('SQLite file, commits on the writer thread', async () => {
  const s = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'dissent-sqlite-')), 'r.db'));
  await s.migrate();
  s.startWriterThread();
  return s;
});

it('opens a file database in WAL mode with synchronous=FULL', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-sqlite-')), 'r.db');
  const s = new SqliteStore(file);
  await s.migrate();
  await s.close();
  const db = new Database(file, { readonly: true });
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(statSync(file).size).toBeGreaterThan(0);
  db.close();
});
