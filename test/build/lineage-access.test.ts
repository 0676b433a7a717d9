import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
let home: string;

beforeAll(async () => {
  home = await makeHome(dir);
});
afterAll(cleanup);

describe('lineage access', () => {
  it('writes lineage/ (record to account and person) readable by the build user only, whatever the umask', async () => {
    const input = join(dir, 'in.jsonl');
    writeJsonl(input, [record({ id: 'r:1', account: 'fb:a:1' })]);
    const out = join(dir, 'snap');
    const old = process.umask(0o022);
    try {
      await withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out }));
    } finally {
      process.umask(old);
    }
    expect(statSync(join(out, 'lineage')).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'lineage', 'records.parquet')).mode & 0o777).toBe(0o600);
    // The training data stays readable for a training job that runs as another user.
    expect(statSync(join(out, 'data')).mode & 0o777).toBe(0o755);
  });
});
