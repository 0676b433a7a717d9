import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

/**
 * Runs `write` while another connection holds the registry's write lock (as the writer thread does during each group
 * commit on deadline night), and says whether the event loop turned before the write was done. The lock is let go on
 * that turn.
 */
async function whileLocked<T>(file: string, write: () => Promise<T>): Promise<{ turned: boolean; result: T }> {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  let turned = false;
  const released = nextTurn().then(() => {
    turned = true;
    other.exec('COMMIT');
    other.close();
  });
  try {
    const result = await write();
    return { turned, result };
  } finally {
    await released;
  }
}

it('in server mode, link tokens and idempotency keys are written without stopping the event loop while a commit holds the lock', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-small-writes-')), 'r.db');
  const store = new SqliteStore(file);
  await store.migrate();
  store.startWriterThread();
  cleanup.push(() => store.close());
  await store.commit({
    objections: [
      {
        id: 'o_1',
        subject: 'p:1',
        scope: 'person',
        programme: '*',
        state: 'pending',
        channel: 'web',
        submitted_at: '2025-05-26T20:00:00.000Z',
        effective_at: null,
        withdrawn_at: null,
        reason: null,
        salt: 'salt',
        leaf_index: null,
        withdrawal_id: null,
        via_account: null,
      },
    ],
    withdrawals: [],
    leaves: [],
    nodes: [],
  });
  const hash = new Uint8Array(32).fill(7);

  // Written on the main thread, each of these waited there for the lock (SQLite's busy wait: every request stopped
  // for as long as the commit took, up to 136 ms under an API rush) and then for its own fsync. Here the lock is
  // let go only on the next turn of the event loop, which never came: the write failed as locked after 10 s.
  const created = await whileLocked(file, () =>
    store.createToken({
      token_hash: hash,
      objection_id: 'o_1',
      purpose: 'confirm',
      expires_at: '2025-05-29T20:00:00.000Z',
    }),
  );
  expect(created.turned).toBe(true);
  const used = await whileLocked(file, () => store.useToken(hash, 'confirm', '2025-05-26T21:00:00.000Z'));
  expect(used.turned).toBe(true);
  expect(used.result).toMatchObject({ ok: true, token: { objection_id: 'o_1', used_at: '2025-05-26T21:00:00.000Z' } });
  const released = await whileLocked(file, () => store.releaseToken(hash));
  expect(released.turned).toBe(true);
  expect(await store.peekToken(hash, 'confirm', '2025-05-26T21:00:00.000Z')).toMatchObject({ objection_id: 'o_1' });
  const remembered = await whileLocked(file, () =>
    store.putIdempotency('key-1', 'hash-1', 'o_1', '2025-05-26T21:00:00.000Z'),
  );
  expect(remembered.turned).toBe(true);
  expect(await store.getIdempotency('key-1')).toEqual({ request_hash: 'hash-1', objection_id: 'o_1' });
}, 30_000);
