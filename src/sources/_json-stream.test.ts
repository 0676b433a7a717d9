import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReaderContext } from './_context.ts';
import { streamJson } from './_json-stream.ts';
import { topLevelItems } from './_reader.ts';
import type { QuarantineEntry } from './types.ts';

/** An entry whose bytes come from `source`, read by the Facebook reader's item picker. */
async function items(source: Readable): Promise<{ values: unknown[]; quarantine: QuarantineEntry[] }> {
  const quarantine: QuarantineEntry[] = [];
  const ctx = new ReaderContext({
    format: 'facebook',
    path: 'x',
    account: 'fb:a:1',
    onQuarantine: (q) => quarantine.push(q),
  });
  const entry = { path: 'posts/your_posts_1.json', size: 0, open: async () => source };
  const values: unknown[] = [];
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) values.push(value);
  return { values, quarantine };
}

describe('streamJson', () => {
  it('ends, with the items before it and a quarantine entry, when its source closes before the end', async () => {
    const source = new Readable({ read() {} });
    source.push('[{"n": 1}, {"n": 2}, {"n"');
    setImmediate(() => source.destroy());
    const { values, quarantine } = await items(source);
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
    expect(quarantine).toEqual([expect.objectContaining({ reason: 'unreadable_file' })]);
  });

  it('ends the same way when its source fails', async () => {
    const source = new Readable({ read() {} });
    source.push('[{"n": 1}, {"n"');
    setImmediate(() => source.destroy(Object.assign(new Error('gone'), { code: 'EIO' })));
    const { values, quarantine } = await items(source);
    expect(values).toEqual([{ n: 1 }]);
    expect(quarantine).toEqual([
      expect.objectContaining({ reason: 'unreadable_file', detail: expect.stringContaining('EIO') }),
    ]);
  });
});
