import { expect, it } from 'vitest';
import type { Programme } from '../config/config.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../log/note.ts';
import { verifyReceipt } from '../log/receipt.ts';
import { countTurns } from './_test-turns.ts';
import { Registry } from './registry.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

const signer = parseSignerKey(generateSignerKey('test.example/log'));
const verifier = parseVerifierKey(verifierKeyOf(signer));
const PROGRAMMES: Programme[] = [
  {
    id: 'ai-2025',
    title: 'AI 2025',
    purpose: 'train_ai_system',
    legal_basis: 'legitimate_interest',
    jurisdictions: ['EU'],
    notice_date: new Date('2025-04-14T00:00:00Z'),
    deadline: new Date('2025-05-26T21:59:59Z'),
    grace_window: 72 * 3_600_000,
    policy: '/dev/null',
  },
];

it('a large batch of objections is prepared and answered in slices, with the event loop turning between them', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const registry = await Registry.open({ store, origin: 'test.example/log', signer, programmes: PROGRAMMES });

  // Every request that arrived during a commit joins the next batch. Done in one go, a backlog of 20,000 stopped
  // every other request (a page, /healthz, a scrape) for half a second: all of them were answered in one turn.
  const loop = countTurns();
  const n = 2000;
  const answeredAt: number[] = [];
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      registry
        .object({ subject: `p:${i}`, channel: 'api', resolved: { subject: `p:${i}`, scope: 'person' } })
        .then((r) => {
          answeredAt.push(loop.turns);
          return r;
        }),
    ),
  );
  await loop.stop();

  expect(registry.size).toBe(n);
  expect(new Set(answeredAt).size).toBeGreaterThanOrEqual(n / 500);
  // One batch, one checkpoint: every receipt verifies against it.
  expect(new Set(results.map((r) => r.receipt.checkpoint)).size).toBe(1);
  for (const r of results.slice(0, 5)) expect(verifyReceipt(r.receipt, verifier).ok).toBe(true);
  await store.close();
});
