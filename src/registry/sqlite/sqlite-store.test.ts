import { once } from 'node:events';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { expect, it, vi } from 'vitest';
import { hashLeaf } from '../../log/hash.ts';
import { Frontier } from '../../log/merkle.ts';
import { MIGRATIONS } from '../migrations.ts';
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
  // synchronous is a setting of each connection, not of the file: read it on the store's own connection.
  const original = Database.prototype.pragma;
  const opened = new Set<Database.Database>();
  const spy = vi.spyOn(Database.prototype, 'pragma').mockImplementation(function (
    this: Database.Database,
    ...args: Parameters<Database.Database['pragma']>
  ) {
    opened.add(this);
    return original.apply(this, args);
  });
  const s = new SqliteStore(file);
  await s.migrate();
  spy.mockRestore();
  expect(opened.size).toBe(1);
  // 2 is FULL: each commit is synced before it is answered, so that it survives a power loss, not only a crash.
  expect([...opened][0]?.pragma('synchronous', { simple: true })).toBe(2);
  await s.close();
  const db = new Database(file, { readonly: true });
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(statSync(file).size).toBeGreaterThan(0);
  db.close();
});

it('upgrades a version 2 database in place: the log keeps every leaf and checkpoint, and appends on top', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-sqlite-')), 'r.db');
  // A registry as version 2 left it, with a log of three leaves and two checkpoints.
  const old = new Database(file);
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
    old.exec(m.sqlite);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2025-05-01T00:00:00Z');
  }
  const f = new Frontier();
  const nodes = ['a', 'b', 'c'].flatMap((leaf) => f.append(hashLeaf(leaf)));
  ['a', 'b', 'c'].forEach((leaf, i) => {
    old.prepare('INSERT INTO log_leaves VALUES (?, ?)').run(i, leaf);
  });
  for (const n of nodes) old.prepare('INSERT INTO log_nodes VALUES (?, ?, ?)').run(n.id.level, n.id.index, n.hash);
  old.prepare('INSERT INTO checkpoints VALUES (?, ?, ?)').run(2, 'note at 2', '2025-05-01T00:00:00Z');
  old.prepare('INSERT INTO checkpoints VALUES (?, ?, ?)').run(3, 'note at 3', '2025-05-01T00:00:01Z');
  old
    .prepare(
      `INSERT INTO accounts (account, person, source, handle, email, updated_at)
       VALUES ('fb:a:7', 'p:7', 'facebook', 'jürgen.öz', 'Jürgen@Example.org', '2025-05-01T00:00:00Z')`,
    )
    .run();
  old.close();

  const s = new SqliteStore(file);
  expect(await s.migrate()).toBe(8);
  // Accounts imported before handles were folded are found in any case and Unicode form too.
  expect((await s.findAccounts('JÜRGEN.ÖZ')).map((a) => a.account)).toEqual(['fb:a:7']);
  expect((await s.findAccounts('jürgen@example.ORG')).map((a) => a.account)).toEqual(['fb:a:7']);
  expect((await s.findAccounts('\u200ejürgen.öz\u200e')).map((a) => a.account)).toEqual(['fb:a:7']);
  // An older dissent (no fold function) cannot write an account it would leave unfindable: it fails instead.
  const older = new Database(file);
  expect(() =>
    older
      .prepare(
        "INSERT INTO accounts (account, person, source, handle, updated_at) VALUES ('x:a:1', 'x:p:1', 'x', 'h', 'now')",
      )
      .run(),
  ).toThrow(/unknown function: dissent_fold/);
  older.close();
  expect(await s.logSize()).toBe(3);
  expect(await s.getLeaves(0, 3)).toEqual(['a', 'b', 'c']);
  expect((await s.latestCheckpoint())?.note).toBe('note at 3');
  const more = f.append(hashLeaf('d'));
  await s.commit({
    objections: [],
    withdrawals: [],
    leaves: [{ index: 3, leaf: 'd' }],
    nodes: more,
    checkpoint: { size: 4, note: 'note at 4', created_at: '2025-05-01T00:00:02Z' },
  });
  expect(await s.getLeaves(2, 4)).toEqual(['c', 'd']);
  expect((await s.latestCheckpoint())?.size).toBe(4);
  await s.close();
  const db = new Database(file, { readonly: true });
  const indexes = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('log_leaves', 'checkpoints', 'objections')",
    )
    .pluck()
    .all();
  expect(indexes).not.toContain('objections_subject');
  expect(indexes.filter((n) => String(n).startsWith('sqlite_autoindex_log_leaves'))).toEqual([]);
  db.close();
  // A registry a newer dissent has migrated further is refused, not written in a way that version would not expect.
  const newer = new Database(file);
  newer.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(99, 'from the future', '2030-01-01T00:00:00Z');
  newer.close();
  const s2 = new SqliteStore(file);
  await expect(s2.migrate()).rejects.toThrow(/schema version 99, made by a newer dissent/);
  await s2.close();
});

it('upgrades a version 6 database so that handles stored with invisible characters or full-width are found', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-sqlite-')), 'r.db');
  const old = new Database(file);
  // Version 6 folded by NFC and lower case only, and indexed that fold.
  old.function('dissent_fold', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.normalize('NFC').toLowerCase() : null,
  );
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 6)) {
    old.exec(m.sqlite);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2025-05-01T00:00:00Z');
  }
  old
    .prepare(
      `INSERT INTO accounts (account, person, source, handle, email, updated_at)
       VALUES ('ig:a:3', 'p:3', 'instagram', '\u200emia.k ', 'ｍｉａ＠example.org', '2025-05-01T00:00:00Z')`,
    )
    .run();
  old.close();
  const s = new SqliteStore(file);
  expect(await s.migrate()).toBe(8);
  expect((await s.findAccounts('mia.k')).map((a) => a.account)).toEqual(['ig:a:3']);
  expect((await s.findAccounts('MIA@example.org')).map((a) => a.account)).toEqual(['ig:a:3']);
  await s.close();
});

it('names the registry file and what is wrong with it when it is no database or cannot be opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dissent-sqlite-'));
  // Say, database.url pointed at the config, or at a compressed backup.
  const notDb = join(dir, 'registry.db');
  writeFileSync(notDb, 'log:\n  origin: "dissent.example/log"\n'.repeat(200));
  const opening = async (file: string) => {
    const s = new SqliteStore(file);
    await s.migrate();
    return s;
  };
  await expect(opening(notDb)).rejects.toThrow(`the registry ${notDb} is not a SQLite database`);
  const folder = join(dir, 'folder.db');
  mkdirSync(folder);
  await expect(opening(folder)).rejects.toThrow(`the registry ${folder} cannot be opened`);
});

it('imports accounts while another process is committing, waiting for it instead of failing as locked', async () => {
  // The server commits objections on the same file while an operator runs identities import.
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-sqlite-')), 'r.db');
  const s = new SqliteStore(file);
  await s.migrate();
  const account = (n: number) => ({
    account: `fb:a:${n}`,
    person: `p:${n}`,
    source: 'facebook',
    handle: null,
    display_name: null,
    email: null,
    birth_date: null,
    country: null,
  });
  await s.upsertAccounts([account(0)]);
  const other = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const db = new (require(workerData.sqlite))(workerData.file);
     db.exec("BEGIN IMMEDIATE; INSERT INTO idempotency VALUES ('k', 'h', 'o', '2025-05-01T00:00:00Z')");
     parentPort.postMessage('writing');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { file, sqlite: createRequire(import.meta.url).resolve('better-sqlite3') } },
  );
  await once(other, 'message');
  await s.upsertAccounts([account(1), account(0)]);
  await once(other, 'exit');
  expect(await s.countAccounts()).toEqual({ accounts: 2, persons: 2 });
  expect(await s.getIdempotency('k')).toBeDefined();
  await s.close();
});
