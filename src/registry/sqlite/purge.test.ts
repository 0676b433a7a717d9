import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { countTurns } from '../_test-turns.ts';
import { SqliteStore } from './sqlite-store.ts';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

/**
 * A registry file on deadline night: `n` requests nobody confirmed (their links expired), as many still waiting for a
 * link that has not expired, a few without any link, and effective objections with used links and withdrawals.
 */
async function registryWith(n: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-purge-')), 'r.db');
  const s = new SqliteStore(file);
  await s.migrate();
  await s.close();
  const db = new Database(file);
  const objection = db.prepare(
    `INSERT INTO objections (id, subject, scope, programme, state, channel, submitted_at, salt, leaf_index)
     VALUES (?, ?, 'person', '*', ?, 'web', ?, 'salt', ?)`,
  );
  const token = db.prepare(
    'INSERT INTO tokens (token_hash, objection_id, purpose, expires_at, used_at) VALUES (?, ?, ?, ?, ?)',
  );
  const withdrawal = db.prepare(
    `INSERT INTO withdrawals (id, objection_id, subject, scope, programme, channel, submitted_at, salt, leaf_index)
     VALUES (?, ?, ?, 'person', '*', 'web', '2025-05-21T00:00:00.000Z', 'salt', ?)`,
  );
  const at = (i: number) => new Date(Date.UTC(2025, 4, 20) + i * 1000).toISOString();
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      objection.run(`o_old${i}`, `p:old${i}`, 'pending', at(i), null);
      token.run(Buffer.from(`old${i}`), `o_old${i}`, 'confirm', '2025-05-23T00:00:00.000Z', null);
      objection.run(`o_wait${i}`, `p:wait${i}`, 'pending', at(i), null);
      token.run(Buffer.from(`wait${i}`), `o_wait${i}`, 'confirm', '2025-06-30T00:00:00.000Z', null);
      objection.run(`o_done${i}`, `p:done${i}`, 'effective', at(i), 2 * i);
      token.run(Buffer.from(`done${i}`), `o_done${i}`, 'confirm', '2025-05-23T00:00:00.000Z', at(i));
      withdrawal.run(`w_${i}`, `o_done${i}`, `p:done${i}`, 2 * i + 1);
    }
    for (let i = 0; i < 3; i++) objection.run(`o_linkless${i}`, `p:linkless${i}`, 'pending', at(i), null);
  })();
  db.close();
  return file;
}

it('the purge of unconfirmed requests lets the server answer while it runs, and deletes exactly the expired ones', async () => {
  const n = 1200;
  const file = await registryWith(n);
  const store = new SqliteStore(file);
  await store.migrate();
  store.startWriterThread();
  cleanup.push(() => store.close());

  // Run as one transaction, the purge of thousands of requests stopped every request until it was done (25 s for
  // 4,000 among 40,000 objections): the event loop did not turn once.
  const loop = countTurns();
  const purged = await store.purgeUnconfirmed('2025-05-27T00:00:00.000Z', '2025-05-24T00:00:00.000Z');
  const turnsBeforeDone = loop.turns;
  await loop.stop();
  expect(turnsBeforeDone).toBeGreaterThan(0);

  expect(purged).toBe(n + 3);
  const db = new Database(file, { readonly: true });
  cleanup.push(() => {
    db.close();
  });
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  expect(count("SELECT count(*) FROM objections WHERE id LIKE 'o_old%' OR id LIKE 'o_linkless%'")).toBe(0);
  expect(count("SELECT count(*) FROM tokens WHERE objection_id LIKE 'o_old%'")).toBe(0);
  expect(count("SELECT count(*) FROM objections WHERE id LIKE 'o_wait%' AND state = 'pending'")).toBe(n);
  expect(count("SELECT count(*) FROM objections WHERE id LIKE 'o_done%' AND state = 'effective'")).toBe(n);
  expect(count('SELECT count(*) FROM tokens')).toBe(2 * n);
  expect(count('SELECT count(*) FROM withdrawals')).toBe(n);
});

it('deleting a request finds its tokens and withdrawals by index, not by reading every token and withdrawal', async () => {
  const file = await registryWith(1);
  const db = new Database(file, { readonly: true });
  cleanup.push(() => {
    db.close();
  });
  // The foreign-key checks of a deleted objection run these lookups; read whole, they made a purge quadratic.
  for (const table of ['tokens', 'withdrawals']) {
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM ${table} WHERE objection_id = ?`).all('o_old0') as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING (COVERING )?INDEX/);
  }
});
