import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
let home: string;

beforeAll(async () => {
  const old = process.umask(0o022);
  try {
    home = await makeHome(dir);
  } finally {
    process.umask(old);
  }
});
afterAll(cleanup);

describe('lineage access', () => {
  it('writes lineage/ (record to account and person) and quarantine/ (file names inside exports) readable by the build user only, whatever the umask', async () => {
    const input = join(dir, 'in.jsonl');
    writeJsonl(input, [record({ id: 'r:1', account: 'fb:a:1' })]);
    const out = join(dir, 'snap');
    const old = process.umask(0o022);
    const workModes: number[] = [];
    try {
      await withHome(home, (h) =>
        runBuild({
          home: h,
          programme: 'ai-training-2025',
          inputs: [input],
          out,
          onProgress: (p) => {
            if (p.stage === 'read' && workModes.length === 0)
              workModes.push(statSync(join(out, '.build')).mode & 0o777);
          },
        }),
      );
    } finally {
      process.umask(old);
    }
    expect(statSync(join(out, 'lineage')).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'lineage', 'records.parquet')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'quarantine')).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'quarantine', 'quarantine.jsonl')).mode & 0o777).toBe(0o600);
    // The training data stays readable for a training job that runs as another user.
    expect(statSync(join(out, 'data')).mode & 0o777).toBe(0o755);
    // While the build ran, its work folder (every record's text, an identity-graph extract) was the user's only.
    expect(workModes).toEqual([0o700]);
  });

  it('makes a new home, and the registry in it (e-mails, names, birth dates), readable by its owner only', () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(home).filter((n) => n.startsWith('registry.db'))) {
      expect([f, statSync(join(home, f)).mode & 0o777]).toEqual([f, 0o600]);
    }
    expect(readdirSync(home)).toContain('registry.db');
  });
});
