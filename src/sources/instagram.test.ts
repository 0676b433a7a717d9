import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collector, drain, fixture, listFiles, tarGzFolder, zipFolder } from './_testkit.ts';
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
    expect(records.find((r) => r.kind === 'story')?.id).toMatch(/^ig:s:/);
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

  it('reads the comments.json of 2018-2021 exports ([time, comment, media owner] arrays), zoneless times as UTC', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-ig-old-'));
    await writeFile(
      join(dir, 'comments.json'),
      JSON.stringify({
        media_comments: [
          ['2018-10-15T12:34:56', 'Sch\u00c3\u00b6nes Foto!', 'anna.schmidt'],
          ['2019-06-01T08:00:00+02:00', 'OLD-IG-COMMENT zwei', 'tom'],
          ['gestern', 'OLD-IG-COMMENT no time', 'tom'],
          [1539606896, 'OLD-IG-COMMENT bad'],
        ],
        live_comments: [['2020-01-02T03:04:05', 'OLD-IG-LIVE', 'lena']],
      }),
    );
    const q = collector();
    const { records, summary } = await read(dir, q.onQuarantine);
    expect(records.map((r) => [r.kind, r.created_at, r.text])).toEqual([
      ['comment', '2018-10-15T12:34:56Z', 'Schönes Foto!'],
      ['comment', '2019-06-01T06:00:00Z', 'OLD-IG-COMMENT zwei'],
      ['comment', '2020-01-02T03:04:05Z', 'OLD-IG-LIVE'],
    ]);
    for (const r of records) expect(r).toMatchObject({ account: ACCOUNT, visibility: 'followers', participants: [] });
    expect(q.entries.map((e) => [e.reason, e.detail?.slice(0, 7)])).toEqual([
      ['bad_timestamp', 'item 2:'],
      ['bad_item', 'item 3:'],
    ]);
    expect(summary).toMatchObject({ records: 3, quarantined: 2 });
  });

  it('reads posts in a media/ folder (your_instagram_activity given alone) beside any <name>_<n>.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-ig-activity-'));
    await mkdir(join(dir, 'media'), { recursive: true });
    await writeFile(
      join(dir, 'media', 'posts_1.json'),
      JSON.stringify([{ title: 'IG-MEDIA-POST', creation_timestamp: 1714600000, media: [] }]),
    );
    await writeFile(join(dir, 'unknown_list_1.json'), '[]');
    const { records, summary } = await read(dir);
    expect(records.map((r) => r.text)).toEqual(['IG-MEDIA-POST']);
    expect(summary.skipped).toEqual({ file_not_used: 1 });
  });

  it('gives the same records from a zip as from the folder', async () => {
    const zip = join(await mkdtemp(join(tmpdir(), 'dissent-ig-')), 'ig.zip');
    await zipFolder(fixture('instagram'), zip);
    expect((await read(zip)).records).toEqual((await read(fixture('instagram'))).records);
  });
});

describe('a Facebook Messenger download read as Instagram', () => {
  // What a Messenger-only download of the old layout holds: thread files under messages/inbox/ and nothing else.
  async function messengerOnly(): Promise<{ dir: string; zip: string; tgz: string }> {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const dir = join(tmp, 'messenger');
    await cp(fixture('facebook-old', 'messages'), join(dir, 'messages'), { recursive: true });
    await zipFolder(dir, join(tmp, 'm.zip'));
    await tarGzFolder(dir, join(tmp, 'm.tar.gz'));
    return { dir, zip: join(tmp, 'm.zip'), tgz: join(tmp, 'm.tar.gz') };
  }

  it('is refused before any message leaves, naming --format facebook, from a folder, a zip and a tar.gz', async () => {
    const { dir, zip, tgz } = await messengerOnly();
    for (const path of [dir, zip, tgz]) {
      const seen: string[] = [];
      const reading = readExport({ format: 'instagram', path, account: ACCOUNT });
      await expect(
        (async () => {
          for await (const r of reading.records) seen.push(r.text);
        })(),
      ).rejects.toMatchObject({
        code: 'E_FORMAT',
        message: expect.stringMatching(/Facebook export.*--format facebook/),
      });
      expect(seen).toEqual([]);
    }
    const asFacebook = await drain(readExport({ format: 'facebook', path: dir, account: 'fb:a:1' }));
    expect(asFacebook.records.map((r) => r.source)).toEqual(['messenger', 'messenger']);
  });

  it("names no thread folder (a person's name) in the refusal", async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const inbox = 'your_facebook_activity/messages/inbox/annaschmidt_10158';
    await cp(fixture('facebook-new', inbox), join(tmp, inbox), { recursive: true });
    await expect(drain(readExport({ format: 'instagram', path: tmp, account: ACCOUNT }))).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('annaschmidt') }),
    );
  });

  it('still reads an Instagram messages-only download, whose threads have no thread_type', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    await cp(fixture('instagram', 'your_instagram_activity', 'messages'), join(tmp, 'messages'), { recursive: true });
    const { records } = await read(tmp);
    expect(records.map((r) => r.text)).toEqual(['IG-DM from Tom', 'IG-DM from Lena']);
  });
});

describe('an Instagram messages-only download read as Facebook', () => {
  it('is refused before any message leaves, naming --format instagram, from a folder, a zip and a tar.gz', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const dir = join(tmp, 'ig');
    await cp(fixture('instagram', 'your_instagram_activity', 'messages'), join(dir, 'messages'), { recursive: true });
    await zipFolder(dir, join(tmp, 'm.zip'));
    await tarGzFolder(dir, join(tmp, 'm.tar.gz'));
    for (const path of [dir, join(tmp, 'm.zip'), join(tmp, 'm.tar.gz')]) {
      const seen: string[] = [];
      const reading = readExport({ format: 'facebook', path, account: 'fb:a:1' });
      await expect(
        (async () => {
          for await (const r of reading.records) seen.push(r.text);
        })(),
      ).rejects.toMatchObject({
        code: 'E_FORMAT',
        message: expect.stringMatching(/Instagram export.*--format instagram/),
      });
      expect(seen).toEqual([]);
    }
  });
});

describe('an Accounts Center download that holds a Facebook and an Instagram export', () => {
  it('is refused for either format before any record leaves, instead of labelling one platform as the other', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const dir = join(tmp, 'meta');
    await cp(fixture('facebook-new'), join(dir, 'facebook-anna'), { recursive: true });
    await cp(fixture('instagram'), join(dir, 'instagram-anna'), { recursive: true });
    for (const format of ['facebook', 'instagram'] as const) {
      const seen: string[] = [];
      const reading = readExport({ format, path: dir, account: 'x:a:1' });
      await expect(
        (async () => {
          for await (const r of reading.records) seen.push(r.text);
        })(),
      ).rejects.toMatchObject({
        code: 'E_FORMAT',
        message: expect.stringMatching(/export beside an? (Facebook|Instagram) one.*each on its own/),
      });
      expect(seen).toEqual([]);
    }
    // Each folder on its own is read as before.
    expect((await read(join(dir, 'instagram-anna'))).records.length).toBeGreaterThan(0);
  });
});

describe('Instagram comments labelled in another language', () => {
  it('are read when the label is one Instagram uses in German, French, Spanish or Italian', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const dir = join(tmp, 'your_instagram_activity', 'comments');
    await mkdir(dir, { recursive: true });
    const comment = (label: string, text: string, timestamp: number) => ({
      string_map_data: { [label]: { value: text }, Zeit: { timestamp } },
    });
    await writeFile(
      join(dir, 'post_comments_1.json'),
      JSON.stringify([
        comment('Kommentar', 'Wunderschön', 1714600000),
        comment('Commentaire', 'Magnifique', 1714600001),
        comment('Comentario', 'Precioso', 1714600002),
        comment('Commento', 'Bellissimo', 1714600003),
      ]),
    );
    const q = collector();
    const { records } = await read(tmp, q.onQuarantine);
    expect(records.map((r) => r.text)).toEqual(['Wunderschön', 'Magnifique', 'Precioso', 'Bellissimo']);
    expect(q.entries).toEqual([]);
  });
});

describe('Instagram comments labelled in a language the reader does not know', () => {
  it('are quarantined, naming the labels, instead of counted as comments without text', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dissent-ig-'));
    const dir = join(tmp, 'your_instagram_activity', 'comments');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'post_comments_1.json'),
      JSON.stringify([
        {
          string_map_data: { Opmerking: { value: 'Mooi!' }, Mediaeigenaar: { value: 'anna' }, Tijd: { timestamp: 1 } },
        },
      ]),
    );
    const q = collector();
    const { records, summary } = await read(tmp, q.onQuarantine);
    expect(records).toEqual([]);
    expect(summary.skipped.no_text).toBeUndefined();
    expect(q.entries).toEqual([
      expect.objectContaining({ reason: 'bad_item', detail: expect.stringContaining('"Opmerking"') }),
    ]);
    expect(JSON.stringify(q.entries)).not.toMatch(/Mooi|anna/);
  });
});
