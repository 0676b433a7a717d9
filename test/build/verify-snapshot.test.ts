import { cpSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerifierKey, type Verifier, verifierKeyOf } from '../../src/log/note.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { verifySnapshot } from '../../src/pipeline/verify-snapshot.ts';
import { makeHome, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

// One small snapshot (4 shards, an objector's records left out, a quarantined line), attacked in copies of it the
// way a dishonest operator would: in files the manifest pins, and in a manifest signed again with the right key.
const { dir, cleanup } = tempDir('dissent-verify-');
const P = 'ai-training-2025';
let home: string;
let snap: string;
let key: Verifier;
let copies = 0;

beforeAll(async () => {
  home = await makeHome(dir);
  const input = join(dir, 'in.jsonl');
  writeJsonl(input, [...Array.from({ length: 40 }, (_, i) => record({ account: `fb:a:${(i % 6) + 1}` })), 'not json']);
  snap = join(dir, 'snap');
  await withHome(home, async (h) => {
    await h.registry.objectMany([{ subject: 'p:2', channel: 'api' }]);
    await runBuild({ home: h, programme: P, inputs: [input], out: snap, shardRows: 10 });
    key = parseVerifierKey(verifierKeyOf(h.signer));
  });
});
afterAll(cleanup);

/** A copy of the snapshot to attack. */
function copy(): string {
  const d = join(dir, `copy-${++copies}`);
  cpSync(snap, d, { recursive: true });
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
});
