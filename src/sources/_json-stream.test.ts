import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReaderContext } from './_context.ts';
import { type JsonLimits, streamJson } from './_json-stream.ts';
import { topLevelItems } from './_reader.ts';
import type { QuarantineEntry } from './types.ts';

/** An entry whose bytes come from `source`, read by the Facebook reader's item picker. */
async function items(
  source: Readable,
  limits?: JsonLimits,
): Promise<{ values: unknown[]; quarantine: QuarantineEntry[] }> {
  const quarantine: QuarantineEntry[] = [];
  const ctx = new ReaderContext({
    format: 'facebook',
    path: 'x',
    account: 'fb:a:1',
    onQuarantine: (q) => quarantine.push(q),
  });
  const entry = { path: 'posts/your_posts_1.json', size: 0, open: async () => source };
  const values: unknown[] = [];
  for await (const { value } of streamJson(entry, ctx, topLevelItems, limits)) values.push(value);
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

  // A zip of half a megabyte can unpack to one 560-million-character string, which used to end the process with a
  // RangeError from inside the JSON parser; the limits are small here only so that the test stays fast.
  it.each([16_384, 1_000_000])(
    'quarantines a file at a string too long to hold, keeping the items before it (read %i bytes at a time)',
    async (chunk) => {
      const text = `[{"n": 1}, {"post": "${'a'.repeat(200_000)}"}, {"n": 3}]`;
      const parts = Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) =>
        text.slice(i * chunk, (i + 1) * chunk),
      );
      const source = Readable.from(parts);
      const { values, quarantine } = await items(source, { valueChars: 100_000, itemValues: 1000 });
      expect(values).toEqual([{ n: 1 }]);
      expect(quarantine).toEqual([
        expect.objectContaining({
          reason: 'too_large',
          detail: expect.stringMatching(/longer than 100000 characters/),
        }),
      ]);
    },
  );

  it('quarantines a file at an item of too many values, keeping the items before it', async () => {
    const source = Readable.from([`[{"n": 1}, {"attachments": [${'0,'.repeat(5000)}0]}, {"n": 3}]`]);
    const { values, quarantine } = await items(source, { valueChars: 100_000, itemValues: 1000 });
    expect(values).toEqual([{ n: 1 }]);
    expect(quarantine).toEqual([
      expect.objectContaining({ reason: 'too_large', detail: expect.stringMatching(/more than 1000 values/) }),
    ]);
  });

  it('reads items right up to the limits', async () => {
    const source = Readable.from([`[{"post": "${'a'.repeat(1000)}", "list": [${'0,'.repeat(996)}0]}]`]);
    const { values, quarantine } = await items(source, { valueChars: 1000, itemValues: 1000 });
    expect(values).toHaveLength(1);
    expect(quarantine).toEqual([]);
  });

  it('counts the values of each item on its own: a file of many items holds far more than one item may', async () => {
    const item = `{"list": [${'0,'.repeat(598)}0]}`;
    const source = Readable.from([`[${Array.from({ length: 5 }, () => item).join(',')}]`]);
    const { values, quarantine } = await items(source, { valueChars: 1000, itemValues: 1000 });
    expect(values).toHaveLength(5);
    expect(quarantine).toEqual([]);
  });
});
