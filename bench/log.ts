// npm run bench:log [-- --entries N]: appends per second, proof latencies, receipt verification time and database
// size for a transparency log of N entries (default 1,000,000), on the embedded SQLite registry.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Programme } from '../src/config/config.ts';
import { seededRandom } from '../src/demo/random.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../src/log/note.ts';
import { type Receipt, verifyReceipt } from '../src/log/receipt.ts';
import { Registry } from '../src/registry/registry.ts';
import { SqliteStore } from '../src/registry/sqlite/sqlite-store.ts';
import type { AccountRow } from '../src/registry/types.ts';
import { benchArgs, intOption } from './_args.ts';
import { peakRssMb, percentile, timeMs } from './_stats.ts';

const USAGE = `usage: npm run bench:log [-- --entries N] [--keep]\n  appends per second, proof latencies and receipt verification time for a log of N entries`;
const values = benchArgs(USAGE, { entries: { type: 'string', default: '1000000' }, keep: { type: 'boolean' } });
const N = intOption(USAGE, '--entries', values.entries);
const BATCH = 10_000;
const SAMPLES = 1000;

const dir = mkdtempSync(join(tmpdir(), 'dissent-bench-log-'));
const file = join(dir, 'registry.db');
const store = new SqliteStore(file);
await store.migrate();
const signer = parseSignerKey(generateSignerKey('bench.example/log'));
const programme: Programme = {
  id: 'bench',
  title: 'bench',
  purpose: 'train_ai_system',
  legal_basis: 'legitimate_interest',
  jurisdictions: ['EU'],
  notice_date: new Date('2025-04-14T00:00:00Z'),
  deadline: new Date('2025-05-27T00:00:00Z'),
  grace_window: 72 * 3_600_000,
  policy: '/dev/null',
};

console.log(`dissent log benchmark: ${N.toLocaleString('en')} entries, SQLite (WAL, synchronous=FULL) in ${dir}`);
const importMs = await timeMs(async () => {
  for (let start = 0; start < N; start += 50_000) {
    const rows: AccountRow[] = [];
    for (let i = start; i < Math.min(N, start + 50_000); i++) {
      rows.push({
        account: `a:${i}`,
        person: `p:${i}`,
        source: 'facebook',
        handle: null,
        display_name: null,
        email: null,
        birth_date: null,
        country: 'DE',
      });
    }
    await store.upsertAccounts(rows);
  }
});
console.log(
  `  identity graph: ${N.toLocaleString('en')} accounts imported in ${(importMs / 1000).toFixed(1)} s (setup, not timed below)`,
);

const registry = await Registry.open({ store, origin: 'bench.example/log', signer, programmes: [programme] });
const sample: Receipt[] = [];
const rand = seededRandom(7);
let lastReport = Date.now();
const appendMs = await timeMs(async () => {
  for (let start = 0; start < N; start += BATCH) {
    const reqs = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++)
      reqs.push({ subject: `a:${i}`, accountOnly: true, channel: 'api' as const });
    const results = await registry.objectMany(reqs);
    if (sample.length < SAMPLES && rand() < 0.5)
      sample.push((results[Math.floor(rand() * results.length)] as { receipt: Receipt }).receipt);
    if (Date.now() - lastReport > 2000 && process.stderr.isTTY) {
      process.stderr.write(`\r  appended ${(start + BATCH).toLocaleString('en')} …`);
      lastReport = Date.now();
    }
  }
});
if (process.stderr.isTTY) process.stderr.write('\r');
const size = registry.size;

const inclusion: number[] = [];
const consistency: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const idx = Math.floor(rand() * size);
  inclusion.push(await timeMs(() => registry.inclusionProof(idx, size)));
  const from = 1 + Math.floor(rand() * (size - 1));
  consistency.push(await timeMs(() => registry.consistencyProof(from, size)));
}
const verifier = parseVerifierKey(verifierKeyOf(signer));
const verify: number[] = [];
for (const r of sample) verify.push(await timeMs(() => verifyReceipt(r, verifier)));
if (!sample.every((r) => verifyReceipt(r, verifier).ok)) throw new Error('a sampled receipt does not verify');
await registry.drain();
await store.close();
const dbBytes = ['', '-wal', '-shm'].reduce(
  (a, s) => a + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0),
  0,
);

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
console.log(`
| measure                                   | value |
| ----------------------------------------- | ----- |
| entries                                   | ${size.toLocaleString('en')} |
| appends/s (durable, signed, with receipt) | ${Math.round(size / (appendMs / 1000)).toLocaleString('en')} (${(appendMs / 1000).toFixed(1)} s, batches of ${BATCH.toLocaleString('en')}) |
| inclusion proof p50 / p99                 | ${fmt(percentile(inclusion, 50))} / ${fmt(percentile(inclusion, 99))} |
| consistency proof p50 / p99               | ${fmt(percentile(consistency, 50))} / ${fmt(percentile(consistency, 99))} |
| receipt verification p50 / p99            | ${fmt(percentile(verify, 50))} / ${fmt(percentile(verify, 99))} (${verify.length} receipts) |
| database size                             | ${(dbBytes / 1e6).toFixed(1)} MB (${(dbBytes / size).toFixed(0)} bytes/entry, identity graph included) |
| peak RSS                                  | ${(await peakRssMb()).toFixed(0)} MB |`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
