import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerifierKey, type Signer, type Verifier, verifierKeyOf } from '../../src/log/note.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { formatManifest, type Manifest, signManifest } from '../../src/pipeline/manifest.ts';
import { verifySnapshot } from '../../src/pipeline/verify-snapshot.ts';
import { makeHome, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

// One small snapshot (4 shards, an objector's records left out, a quarantined line), attacked in copies of it the
// way a dishonest operator would: in files the manifest pins, and in a manifest signed again with the right key.
const { dir, cleanup } = tempDir('dissent-verify-');
const P = 'ai-training-2025';
let home: string;
let snap: string;
let key: Verifier;
let signer: Signer;
let copies = 0;

beforeAll(async () => {
  home = await makeHome(dir);
  const input = join(dir, 'in.jsonl');
  writeJsonl(input, [...Array.from({ length: 40 }, (_, i) => record({ account: `fb:a:${(i % 6) + 1}` })), 'not json']);
  snap = join(dir, 'snap');
  await withHome(home, async (h) => {
    await h.registry.objectMany([{ subject: 'p:2', channel: 'api' }]);
    await runBuild({ home: h, programme: P, inputs: [input], out: snap, shardRows: 10 });
    signer = h.signer;
    key = parseVerifierKey(verifierKeyOf(signer));
  });
});
afterAll(cleanup);

/** A copy of the snapshot to attack. */
function copy(): string {
  const d = join(dir, `copy-${++copies}`);
  cpSync(snap, d, { recursive: true });
  return d;
}

/** The manifest of a snapshot folder. */
function manifestOf(d: string): Manifest {
  return JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as Manifest;
}

/** A copy of the snapshot whose manifest is `edit` of the original, signed again with the right key. */
function resigned(edit: (m: Manifest) => unknown): string {
  const d = copy();
  const m = edit(manifestOf(d)) as Manifest;
  const body = formatManifest(m);
  writeFileSync(join(d, 'manifest.json'), body);
  writeFileSync(join(d, 'manifest.sig'), signManifest(m, createHash('sha256').update(body).digest('hex'), signer));
  return d;
}

/** Rewrites a Parquet file of a copy with `select` (over `src`), then signs the manifest again with its new sha256. */
async function rewritten(rel: string, select: string, options = ''): Promise<string> {
  const d = copy();
  const path = join(d, rel);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(
      `COPY (${select.replace('src', `read_parquet('${path}')`)}) TO '${path}.new' (FORMAT parquet${options})`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  renameSync(`${path}.new`, path);
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const m = manifestOf(d);
  const edited: Manifest = {
    ...m,
    shards: m.shards.map((s) => (s.path === rel ? { ...s, sha256, bytes: bytes.length } : s)),
    ...(m.lineage.path === rel ? { lineage: { path: rel, sha256 } } : {}),
  };
  const body = formatManifest(edited);
  writeFileSync(join(d, 'manifest.json'), body);
  writeFileSync(join(d, 'manifest.sig'), signManifest(edited, createHash('sha256').update(body).digest('hex'), signer));
  return d;
}

/** The first failed check of a snapshot folder, or undefined when it is VALID. */
async function firstFailure(d: string) {
  return (await verifySnapshot(d, key)).find((c) => !c.ok);
}

describe('verifySnapshot against tampering', () => {
  it('passes the snapshot as built', async () => {
    expect(await firstFailure(copy())).toBeUndefined();
  });

  it('fails a genuine snapshot of another programme, or cut from another log, when the auditor names the expected one', async () => {
    // One key signs the snapshots of every programme that has no key of its own, and may sign a staging log too:
    // without --programme and --origin such a snapshot passes, and only the detail lines say whose it is.
    const origin = manifestOf(snap).cut.checkpoint.split('\n')[0] as string;
    const checks = await verifySnapshot(copy(), key);
    expect(checks.find((c) => c.name === 'cut')?.detail).toContain(`checkpoint of log ${origin} at size`);
    expect(checks.find((c) => c.name === 'signature')?.detail).toContain(`of programme ${P}`);

    const expectedOk = await verifySnapshot(copy(), key, key, { programme: P, origin });
    expect(expectedOk.every((c) => c.ok)).toBe(true);
    const otherProgramme = (await verifySnapshot(copy(), key, key, { programme: 'ai-training-2026' })).find(
      (c) => !c.ok,
    );
    expect(otherProgramme).toEqual({
      name: 'signature',
      ok: false,
      detail: `the manifest is signed as snapshot ${manifestOf(snap).snapshot} of programme ${P}, not of ai-training-2026`,
    });
    const otherLog = (await verifySnapshot(copy(), key, key, { origin: 'staging.example/log' })).find((c) => !c.ok);
    expect(otherLog).toMatchObject({
      name: 'cut',
      detail: expect.stringContaining('origin is not staging.example/log'),
    });
  });

  it('fails a shard, or a whole folder, that is a symbolic link to a copy kept outside the snapshot', async () => {
    // The copy outside matches today, but it is not part of the folder that was audited: it can change afterwards,
    // and a copy of the snapshot (tar, rsync) would not carry it.
    const d = copy();
    const outside = join(dir, `outside-${copies}.parquet`);
    renameSync(join(d, 'data', 'part-00000.parquet'), outside);
    symlinkSync(outside, join(d, 'data', 'part-00000.parquet'));
    expect(await firstFailure(d)).toMatchObject({
      name: 'files',
      detail: expect.stringMatching(/^data\/part-00000\.parquet is a symbolic link/),
    });

    const e = copy();
    const folder = join(dir, `outside-lineage-${copies}`);
    renameSync(join(e, 'lineage'), folder);
    symlinkSync(folder, join(e, 'lineage'));
    expect(await firstFailure(e)).toMatchObject({
      name: 'files',
      detail: expect.stringMatching(/^lineage is a symbolic link/),
    });
  });

  it('fails a signed manifest that lacks a field or gives it the wrong type, instead of crashing', async () => {
    // As a buggy build, or another tool signing with the programme's key, would write it: a failed check, not
    // "unexpected error" with a stack trace.
    const noCounts = resigned(({ counts: _, ...m }) => m);
    expect(await firstFailure(noCounts)).toMatchObject({ name: 'format', detail: expect.stringContaining('counts') });
    const textKept = resigned((m) => ({ ...m, counts: { ...m.counts, kept: String(m.counts.kept) } }));
    expect(await firstFailure(textKept)).toMatchObject({
      name: 'format',
      detail: expect.stringContaining('counts.kept'),
    });
    const noShards = resigned(({ shards: _, ...m }) => m);
    expect(await firstFailure(noShards)).toMatchObject({ name: 'format', detail: expect.stringContaining('shards') });
  });

  it('fails signed counts that add up but do not match the records in the shards', async () => {
    // Five kept records passed off as an objector's, excluded: read = kept + excluded + quarantined still holds.
    const lessKept = resigned((m) => ({
      ...m,
      counts: {
        ...m.counts,
        kept: m.counts.kept - 5,
        excluded: { ...m.counts.excluded, objection: (m.counts.excluded.objection ?? 0) + 5 },
      },
    }));
    expect(await firstFailure(lessKept)).toMatchObject({
      name: 'counts',
      detail: expect.stringMatching(/^kept 28, but the Merkle tree has 33 records/),
    });
    // The rows of one shard moved to another on paper: the totals hold, the shards do not.
    const moved = resigned((m) => ({
      ...m,
      shards: m.shards.map((s, i) => ({ ...s, rows: s.rows + (i === 0 ? -2 : i === 1 ? 2 : 0) })),
    }));
    expect(await firstFailure(moved)).toMatchObject({
      name: 'merkle',
      detail: 'data/part-00000.parquet holds 10 records; the manifest says 8',
    });
    const rows = resigned((m) => ({ ...m, shards: m.shards.map((s, i) => ({ ...s, rows: i === 0 ? 3 : s.rows })) }));
    expect(await firstFailure(rows)).toMatchObject({
      name: 'counts',
      detail: "kept 33, but the shards' rows add up to 26",
    });
    const quarantine = resigned((m) => ({
      ...m,
      counts: { ...m.counts, quarantined_by_reason: { ...m.counts.quarantined_by_reason, invalid_json: 0 } },
    }));
    expect(await firstFailure(quarantine)).toMatchObject({
      name: 'counts',
      detail: 'quarantined 1, but quarantined_by_reason adds up to 0',
    });
    const inputs = resigned((m) => ({ ...m, inputs: m.inputs.map((f) => ({ ...f, read: f.read + 100 })) }));
    expect(await firstFailure(inputs)).toMatchObject({
      name: 'counts',
      detail: "read 41, but the inputs' read add up to 141",
    });
  });

  it('fails a signed manifest whose copy of the policy is not the policy its sha256 names', async () => {
    // The copy is what an auditor reads to learn which rules the build applied.
    const lax = resigned((m) => ({
      ...m,
      policy: { ...m.policy, text: m.policy.text.replace('min_age: 18', 'min_age: 13') },
    }));
    expect(await firstFailure(lax)).toMatchObject({
      name: 'policy',
      detail: 'the copy of the policy in the manifest does not match its sha256',
    });
  });

  it('fails a signed lineage that calls a record excluded while the shards hold it', async () => {
    // The objector's kept record marked as left out for the objection, its place in the shards cleared.
    const hidden = await rewritten(
      'lineage/records.parquet',
      `SELECT id, account, person, CASE WHEN leaf = 0 THEN 'objection' ELSE reason END AS reason,
         CASE WHEN leaf = 0 THEN NULL ELSE shard END AS shard, CASE WHEN leaf = 0 THEN NULL ELSE shard_row END AS shard_row,
         CASE WHEN leaf = 0 THEN NULL ELSE leaf END AS leaf FROM src`,
    );
    expect(await firstFailure(hidden)).toMatchObject({
      name: 'lineage',
      detail: 'the lineage has 32 kept records; the manifest counts 33',
    });
    // The same, with the record's place kept.
    const marked = await rewritten(
      'lineage/records.parquet',
      `SELECT id, account, person, CASE WHEN leaf = 0 THEN 'objection' ELSE reason END AS reason, shard, shard_row, leaf
       FROM src`,
    );
    expect(await firstFailure(marked)).toMatchObject({ name: 'lineage' });
    // Two kept records' places swapped: the counts hold, the lineage no longer says where each record is.
    const swapped = await rewritten(
      'lineage/records.parquet',
      `SELECT id, account, person, reason, shard, shard_row,
         CASE leaf WHEN 0 THEN 1 WHEN 1 THEN 0 ELSE leaf END AS leaf FROM src`,
    );
    expect(await firstFailure(swapped)).toMatchObject({
      name: 'lineage',
      detail: '2 kept records of the shards are not at the place the lineage gives them',
    });
  });

  it('fails a shard grown to a huge size at once, by its size, without reading it through', async () => {
    // 64 GiB, sparse: hashing it would keep the auditor waiting for minutes before saying what its size shows.
    const d = copy();
    truncateSync(join(d, 'data', 'part-00003.parquet'), 64 * 2 ** 30);
    const started = Date.now();
    expect(await firstFailure(d)).toMatchObject({
      name: 'files',
      detail: `data/part-00003.parquet has ${64 * 2 ** 30} bytes; the manifest says ${manifestOf(d).shards[3]?.bytes}`,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails, rather than stops with an engine error, a signed shard or lineage that is not the Parquet it should be', async () => {
    const sha256 = createHash('sha256').update('garbage').digest('hex');
    const d = resigned((m) => ({ ...m, shards: m.shards.map((s, i) => (i === 0 ? { ...s, sha256, bytes: 7 } : s)) }));
    writeFileSync(join(d, 'data', 'part-00000.parquet'), 'garbage');
    expect(await firstFailure(d)).toMatchObject({
      name: 'merkle',
      detail: expect.stringMatching(/^data\/part-\d{5}\.parquet cannot be read as training records: /),
    });
    const noLeaf = await rewritten('lineage/records.parquet', 'SELECT id, account, person, reason FROM src');
    expect(await firstFailure(noLeaf)).toMatchObject({
      name: 'lineage',
      detail: expect.stringMatching(/^lineage\/records\.parquet cannot be read as a lineage: /),
    });
  });

  it('fails a signed shard with a column beyond the training record, or with key-value metadata', async () => {
    const shard = manifestOf(snap).shards[0]?.path as string;
    const extra = await rewritten(shard, "SELECT *, 'fb:a:1' AS account FROM src");
    expect(await firstFailure(extra)).toMatchObject({
      name: 'merkle',
      detail: `${shard} has the columns id VARCHAR, text VARCHAR, source VARCHAR, kind VARCHAR, created_at TIMESTAMP WITH TIME ZONE, lang VARCHAR, account VARCHAR; a shard has id VARCHAR, text VARCHAR, source VARCHAR, kind VARCHAR, created_at TIMESTAMP WITH TIME ZONE, lang VARCHAR`,
    });
    const tagged = await rewritten(shard, 'SELECT * FROM src', ", KV_METADATA {owner: 'fb:a:1'}");
    expect(await firstFailure(tagged)).toMatchObject({
      name: 'merkle',
      detail: `${shard} carries key-value metadata, which no shard has`,
    });
  });

  it('fails a signed quarantine file with more entries, or other reasons, than the counts', async () => {
    const edited = (edit: (text: string) => string) =>
      resigned((m) => {
        const d = join(dir, `copy-${copies}`);
        const path = join(d, m.quarantine.path);
        writeFileSync(path, edit(readFileSync(path, 'utf8')));
        return {
          ...m,
          quarantine: { ...m.quarantine, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') },
        };
      });
    const more = await edited((t) => `${t}{"file":"in.jsonl","line":7,"reason":"invalid_json","detail":null}\n`);
    expect(await firstFailure(more)).toMatchObject({
      name: 'quarantine',
      detail: 'it holds 2 entries; the manifest counts 1',
    });
    const other = await edited((t) => t.replace('"invalid_json"', '"line_too_long"'));
    expect(await firstFailure(other)).toMatchObject({
      name: 'quarantine',
      detail: 'it holds 1 entries for line_too_long; the manifest counts 0',
    });
    expect(await firstFailure(snap)).toBeUndefined();
  });

  it('passes a quarantine file larger than the longest string the runtime holds (over 512 MB)', async () => {
    // As a build of a wrong input (every line bad, under a deep folder) writes it: a verdict, not "unexpected error".
    const lines = 520_000;
    const entry = `${JSON.stringify({ file: `/${'deep/'.repeat(200)}in.jsonl`, line: 1, reason: 'invalid_json', detail: null })}\n`;
    const big = resigned((m) => {
      const path = join(dir, `copy-${copies}`, m.quarantine.path);
      const hash = createHash('sha256').update(readFileSync(path));
      const chunk = entry.repeat(1000);
      for (let i = 0; i < lines / 1000; i++) {
        appendFileSync(path, chunk);
        hash.update(chunk);
      }
      return {
        ...m,
        counts: {
          ...m.counts,
          read: m.counts.read + lines,
          quarantined: m.counts.quarantined + lines,
          quarantined_by_reason: {
            ...m.counts.quarantined_by_reason,
            invalid_json: (m.counts.quarantined_by_reason.invalid_json ?? 0) + lines,
          },
        },
        inputs: m.inputs.map((f, i) => (i === 0 ? { ...f, read: f.read + lines } : f)),
        quarantine: { ...m.quarantine, sha256: hash.digest('hex') },
      };
    });
    expect(statSync(join(big, 'quarantine', 'quarantine.jsonl')).size).toBeGreaterThan(0x1fffffe8);
    expect(await firstFailure(big)).toBeUndefined();
    rmSync(big, { recursive: true, force: true });
  });
});
