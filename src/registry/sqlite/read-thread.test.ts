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

/** A registry file holding `n` objections of every state, channel and scope. */
async function registryWith(n: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-read-thread-')), 'r.db');
  const s = new SqliteStore(file);
  await s.migrate();
  await s.close();
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO objections (id, subject, scope, programme, state, channel, submitted_at, salt, leaf_index)
     VALUES (?, ?, 'person', ?, ?, ?, ?, 'salt', ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const state = i % 10 === 0 ? 'pending' : 'effective';
      insert.run(
        `o:${i}`,
        `p:${i}`,
        i % 3 === 0 ? '*' : 'ai-training-2025',
        state,
        i % 2 === 0 ? 'web' : 'api',
        new Date(Date.UTC(2025, 4, 26, 23, 59) + i * 1000).toISOString(),
        state === 'pending' ? null : i,
      );
    }
  })();
  db.close();
  return file;
}

it('a server counts the objections for /metrics off the main thread: the event loop turns while the count runs', async () => {
  const file = await registryWith(2000);
  const reference = new SqliteStore(file);
  const expected = await reference.countObjections();
  await reference.close();
  const store = new SqliteStore(file);
  await store.migrate();
  store.startWriterThread();
  cleanup.push(() => store.close());

  // Run on the main thread, a count (over a second at a million objections) answers before the event loop turns
  // once: every request waits for it.
  const loop = countTurns();
  const rows = await store.countObjections();
  const turnsBeforeRows = loop.turns;
  const byLate = await store.countObjectionsCovering('ai-training-2025', '2025-05-27T00:00:00.000Z');
  await loop.stop();
  expect(turnsBeforeRows).toBeGreaterThan(0);

  const key = (r: { state: string; channel: string; programme: string }) => `${r.state} ${r.channel} ${r.programme}`;
  const sorted = (r: { state: string; channel: string; programme: string; n: number }[]) =>
    [...r].sort((a, b) => key(a).localeCompare(key(b)));
  expect(sorted(rows)).toEqual(sorted(expected));
  expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(2000);
  // Submitted a second apart from one minute before the deadline: 61 in time (the last one at the deadline itself),
  // the rest late; all of them cover the programme (to it or to *).
  expect(byLate.filter((r) => !r.late).reduce((sum, r) => sum + r.n, 0)).toBe(61);
  expect(byLate.filter((r) => r.late).reduce((sum, r) => sum + r.n, 0)).toBe(1939);
});
