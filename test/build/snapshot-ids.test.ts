import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHome } from '../../src/config/home.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, record, tempDir, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
let home: string;
const P = 'ai-training-2025';

beforeAll(async () => {
  home = await makeHome(dir);
});
afterAll(cleanup);

describe('snapshot ids', () => {
  it('two builds of one programme that finish in the same second are two snapshots, both in the registry', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeJsonl(a, [record({ id: 'r:a', account: 'fb:a:1' })]);
    writeJsonl(b, [record({ id: 'r:b', account: 'fb:a:2' })]);
    // One clock for both builds, stopped: as two builds run side by side (one per input share) finish together.
    const h = await openHome(home, { clock: () => new Date('2025-06-10T12:00:00.000Z') });
    try {
      const first = await runBuild({ home: h, programme: P, inputs: [a], out: join(dir, 'snap-a') });
      const second = await runBuild({ home: h, programme: P, inputs: [b], out: join(dir, 'snap-b') });
      expect(first.snapshot).not.toBe(second.snapshot);
      const manifestId = (out: string) =>
        (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { snapshot: string }).snapshot;
      expect(manifestId(join(dir, 'snap-a'))).toBe(first.snapshot);
      expect(manifestId(join(dir, 'snap-b'))).toBe(second.snapshot);
      const recorded = await h.store.listSnapshots(P);
      expect(recorded.map((s) => [s.id, s.out_dir]).sort()).toEqual(
        [
          [first.snapshot, join(dir, 'snap-a')],
          [second.snapshot, join(dir, 'snap-b')],
        ].sort(),
      );
    } finally {
      await h.close();
    }
  });
});
