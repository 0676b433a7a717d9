import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collector, drain, fixture, listFiles, zipFolder } from './_testkit.ts';
import { readExport } from './read-export.ts';

const ACCOUNT = 'ig:a:7';
const read = (path: string, onQuarantine?: ReturnType<typeof collector>['onQuarantine']) =>
  drain(readExport({ format: 'instagram', path, account: ACCOUNT, ...(onQuarantine ? { onQuarantine } : {}) }));

describe('Instagram export', () => {
  it('takes the caption from media[0].title for a single-media post and from title for a multi-media post', async () => {
    const { records } = await read(fixture('instagram'));
    const posts = records.filter((r) => r.kind === 'post').map((r) => r.text);
    expect(posts).toContain('IG-SINGLE Sonnenuntergang über der Isar 🌅');
    expect(posts).toContain('IG-MULTI Wochenende in Wien ☕');
    expect(posts).toContain('IG-REEL dance');
    expect(records.find((r) => r.text.startsWith('IG-MULTI'))?.created_at).toBe('2024-05-02T12:00:00Z');
  });

  it('reads stories, and comments from string_map_data, in top-level arrays and under a key', async () => {
    const { records } = await read(fixture('instagram'));
    expect(records.filter((r) => r.kind === 'story').map((r) => r.text)).toEqual(['IG-STORY Frühstück']);
    expect(
      records
        .filter((r) => r.kind === 'comment')
        .map((r) => r.text)
        .sort(),
    ).toEqual(['IG-COMMENT Wunderschön 😍', 'IG-REEL-COMMENT toll']);
    for (const r of records) expect(r.id).toMatch(/^ig:[pscm]:[0-9a-f]{16}$/);
  });

  it('makes direct messages private, attributed by the profile name', async () => {
    const { records } = await read(fixture('instagram'));
    const dms = records.filter((r) => r.kind === 'message');
    expect(dms).toHaveLength(2);
    expect(dms.every((m) => m.visibility === 'private' && m.source === 'instagram')).toBe(true);
    expect(dms.find((m) => m.text === 'IG-DM from Lena')?.account).toBe(ACCOUNT);
    expect(dms.find((m) => m.text === 'IG-DM from Tom')?.account).not.toBe(ACCOUNT);
  });

  it('counts everything: caption-less posts skipped, comments without time quarantined, media not used', async () => {
    const q = collector();
    const { summary } = await read(fixture('instagram'), q.onQuarantine);
    const files = await listFiles(fixture('instagram'));
    expect(summary.filesRead + (summary.skipped.file_not_used ?? 0)).toBe(files.length);
    expect(summary.skipped.no_text).toBe(1);
    expect(q.entries).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/post_comments_1\.json$/), reason: 'bad_timestamp' }),
    ]);
  });

  it('gives the same records from a zip as from the folder', async () => {
    const zip = join(await mkdtemp(join(tmpdir(), 'dissent-ig-')), 'ig.zip');
    await zipFolder(fixture('instagram'), zip);
    expect((await read(zip)).records).toEqual((await read(fixture('instagram'))).records);
  });
});
