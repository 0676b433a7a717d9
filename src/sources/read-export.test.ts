import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError, RefusedError } from '../shared/errors.ts';
import { openContainer } from './_container.ts';
import { ReaderContext } from './_context.ts';
import { readSmallJson } from './_json-stream.ts';
import { collector, drain, fixture, tarGzFolder, writeZip, zipFolder } from './_testkit.ts';
import { convertToJsonl } from './convert.ts';
import { readExport } from './read-export.ts';
import type { ExportFormat } from './types.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dissent-src-'));
});

async function put(path: string, data: string | Buffer): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return path;
}

const posts = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ timestamp: 1714564800 + from + i, data: [{ post: `post ${from + i}` }] }));

function reading(format: ExportFormat, path: string) {
  const q = collector();
  const r = readExport({ format, path, account: 'x:a:1', onQuarantine: q.onQuarantine });
  return { ...r, quarantine: q.entries };
}

describe('bad input never crashes', () => {
  it.each([2, 5000])('quarantines a file with invalid UTF-8 after %i items, naming its line', async (n) => {
    const good = JSON.stringify(posts(n), null, 1);
    const bad = Buffer.concat([
      Buffer.from(good.slice(0, -2)),
      Buffer.from(',\n{"timestamp": 1714564900, "data": [{"post": "bad '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}]}\n]\n'),
    ]);
    const badLine = bad.subarray(0, bad.indexOf(0xff)).toString('latin1').split('\n').length;
    await put(join(tmp, 'exp/posts/your_posts_1.json'), bad);
    const r = reading('facebook', join(tmp, 'exp'));
    const { summary, records } = await drain(r);
    expect(r.quarantine).toEqual([
      expect.objectContaining({ file: 'posts/your_posts_1.json', reason: 'invalid_utf8', line: badLine }),
    ]);
    expect(summary.quarantined).toBe(1);
    expect(summary.filesRead).toBe(1);
    // Every item before the bad one is kept, also those in the same read chunk as the bad byte.
    expect(records.map((x) => x.text)).toEqual(posts(n).map((p) => p.data[0]?.post));
  });

  it('keeps every item before a broken one in the middle of a big file', async () => {
    // Items as big as real posts, so that the break falls inside a read chunk that holds hundreds of good ones.
    const padding = ' '.repeat(300);
    const items = posts(3000).map((p) => `${JSON.stringify(p, null, 1)}${padding}`);
    items[1500] = '{ this is not json }';
    await put(join(tmp, 'exp/posts/your_posts_1.json'), `[\n${items.join(',\n')}\n]\n`);
    const r = reading('facebook', join(tmp, 'exp'));
    // A consumer slower than the parser (writing a file, say) leaves parsed items waiting in the stream's buffers.
    const records = [];
    for await (const record of r.records) {
      records.push(record);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(records).toHaveLength(1500);
    expect(records.at(-1)?.text).toBe('post 1499');
    expect(r.quarantine).toEqual([expect.objectContaining({ reason: 'invalid_json' })]);
  });

  it('gives up a file after 10,000 bad items with one entry for the rest (a 6 KB zip held 3 million)', async () => {
    const items = [...posts(2), ...Array.from({ length: 12_000 }, () => 1), ...posts(2, 50)];
    await put(join(tmp, 'exp/posts/your_posts_1.json'), JSON.stringify(items));
    await put(join(tmp, 'exp/comments/comments.json'), JSON.stringify({ comments_v2: [1, 2] }));
    const r = reading('facebook', join(tmp, 'exp'));
    const { records, summary } = await drain(r);
    expect(records.map((x) => x.text)).toEqual(['post 0', 'post 1']);
    const posted = r.quarantine.filter((q) => q.file === 'posts/your_posts_1.json');
    expect(posted).toHaveLength(10_001);
    expect(posted.at(-1)).toMatchObject({
      reason: 'too_many_bad_items',
      detail: expect.stringMatching(/rest of it was not read/),
    });
    // Other files are read as ever, and the counts still add up.
    expect(r.quarantine.filter((q) => q.file === 'comments/comments.json')).toHaveLength(2);
    expect(summary.quarantined).toBe(r.quarantine.length);
  });

  it('refuses an export of many files of bad items once it has 100,000 entries, instead of holding millions', async () => {
    const bad = JSON.stringify(Array.from({ length: 10_000 }, () => 1));
    for (let i = 1; i <= 11; i++) await put(join(tmp, `exp/posts/your_posts_${i}.json`), bad);
    const r = reading('facebook', join(tmp, 'exp'));
    await expect(drain(r)).rejects.toMatchObject({ code: 'E_TOO_MANY_BAD' });
    expect(r.quarantine.length).toBeLessThanOrEqual(100_000);
  });

  it('keeps the items before the cut of a truncated JSON file and quarantines the rest', async () => {
    const text = JSON.stringify(posts(5), null, 1);
    await put(join(tmp, 'exp/posts/your_posts_1.json'), text.slice(0, text.indexOf('post 3') + 3));
    const r = reading('facebook', join(tmp, 'exp'));
    const { records } = await drain(r);
    expect(records.map((x) => x.text)).toEqual(['post 0', 'post 1', 'post 2']);
    expect(r.quarantine).toEqual([expect.objectContaining({ reason: 'invalid_json' })]);
  });

  it('reads a JSON file of an unexpected shape as no items, and a binary file as not used', async () => {
    await put(join(tmp, 'exp/posts/your_posts_1.json'), '{"surprise": {"nested": true}, "n": 3}');
    await put(join(tmp, 'exp/media/x.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00]));
    const { records, summary } = await drain(reading('facebook', join(tmp, 'exp')));
    expect(records).toEqual([]);
    expect(summary).toMatchObject({ filesRead: 1, quarantined: 0, skipped: { file_not_used: 1 } });
  });

  it('throws a clear InputError for a truncated zip', async () => {
    const zip = join(tmp, 'fb.zip');
    await zipFolder(fixture('facebook-new'), zip);
    await truncate(zip, (await stat(zip)).size - 40);
    const r = reading('facebook', zip);
    await expect(drain(r)).rejects.toThrow(InputError);
    await expect(r.summary).rejects.toThrow(/zip.*truncated or corrupt/);
  });

  it('refuses a zip with an entry named outside the archive as unsafe, not as a damaged download', async () => {
    const zip = join(tmp, 'traversal.zip');
    await writeZip(zip, [{ name: '../../outbox.json', data: Buffer.from('{"orderedItems":[]}') }]);
    const r = reading('mastodon', zip);
    await expect(drain(r)).rejects.toMatchObject({ code: 'E_ZIP_UNSAFE' });
    await expect(r.summary).rejects.toThrow(/named outside the archive/);
  });

  it('quarantines a corrupt entry inside an intact zip and reads the others', async () => {
    const big = JSON.stringify(posts(200), null, 1);
    const zip = join(tmp, 'fb.zip');
    await writeZip(zip, [
      { name: 'posts/your_posts_1.json', data: Buffer.from(big) },
      { name: 'comments/comments.json', data: Buffer.from('{"comments_v2": []}') },
    ]);
    const bytes = await readFile(zip);
    bytes.fill(0x55, 100, 400); // scramble the deflated data of the first entry
    await writeFile(zip, bytes);
    const r = reading('facebook', zip);
    const { summary } = await drain(r);
    expect(r.quarantine.map((q) => q.file)).toEqual(['posts/your_posts_1.json']);
    expect(['unreadable_file', 'invalid_json', 'invalid_utf8']).toContain(r.quarantine[0]?.reason);
    expect(summary.filesRead).toBe(2);
  });

  it('throws a clear InputError for a truncated tar.gz', async () => {
    const tgz = join(tmp, 'md.tar.gz');
    await tarGzFolder(fixture('mastodon'), tgz);
    await truncate(tgz, Math.floor((await stat(tgz)).size / 2));
    await expect(drain(reading('mastodon', tgz))).rejects.toThrow(/tar archive.*truncated or corrupt/);
  });

  it('throws InputError for a path that does not exist', async () => {
    await expect(drain(reading('claude', join(tmp, 'nope.zip')))).rejects.toThrow(InputError);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = readExport({
      format: 'facebook',
      path: fixture('facebook-new'),
      account: 'x',
      signal: controller.signal,
    });
    await expect(drain(r)).rejects.toThrow(/abort/i);
  });

  it('rejects the summary, without an unhandled rejection, when the reader stops early', async () => {
    const r = reading('facebook', fixture('facebook-new'));
    for await (const _ of r.records) break;
    await expect(r.summary).rejects.toMatchObject({ code: 'E_INCOMPLETE' });
  });
});

describe('an archive format dissent does not read', () => {
  it.each([
    ['xz', 'md.tar.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04])],
    ['bzip2', 'md.tar.bz2', Buffer.from('BZh91AY&SY', 'latin1')],
    ['zstd', 'conversations.json.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00])],
  ])('is refused as %s, not read as one unknown file with a hint to check --format', async (name, file, head) => {
    const path = await put(join(tmp, file), Buffer.concat([head, Buffer.alloc(600)]));
    await expect(drain(reading('mastodon', path))).rejects.toMatchObject({
      code: 'E_ARCHIVE_FORMAT',
      message: expect.stringContaining(`compressed with ${name}`),
    });
  });
});

describe('a gzip-compressed single file', () => {
  it('reads conversations.json.gz as the conversations.json it holds, not as a broken tar', async () => {
    const gz = await put(
      join(tmp, 'conversations.json.gz'),
      gzipSync(await readFile(fixture('chatgpt', 'conversations.json'))),
    );
    const plain = await drain(reading('chatgpt', fixture('chatgpt', 'conversations.json')));
    const packed = await drain(reading('chatgpt', gz));
    expect(plain.records.length).toBeGreaterThan(0);
    expect(packed.records).toEqual(plain.records);
    expect(packed.summary.filesRead).toBe(1);
  });

  it('still reads a tar.gz as an archive', async () => {
    const tgz = join(tmp, 'md.tar.gz');
    await tarGzFolder(fixture('mastodon'), tgz);
    expect((await drain(reading('mastodon', tgz))).records.length).toBeGreaterThan(0);
  });

  it('reads an uncompressed tar like the folder it was made of', async () => {
    const plain = join(tmp, 'md.tar');
    const tar = pack();
    const done = pipeline(tar, createWriteStream(plain));
    for (const name of ['actor.json', 'outbox.json']) {
      const data = await readFile(fixture('mastodon', name));
      tar.entry({ name, size: data.length }, data);
    }
    tar.finalize();
    await done;
    const { records } = await drain(reading('mastodon', plain));
    expect(records.length).toBeGreaterThan(0);
    expect(records).toEqual((await drain(reading('mastodon', fixture('mastodon')))).records);
  });

  it('refuses a gzipped WhatsApp chat like a plain one', async () => {
    const gz = await put(
      join(tmp, 'WhatsApp Chat mit Anna.txt.gz'),
      gzipSync(await readFile(fixture('whatsapp', 'android-de.txt'))),
    );
    await expect(drain(reading('claude', gz))).rejects.toMatchObject({ code: 'E_E2EE' });
  });

  it('throws a clear InputError for a gzip cut off before its first bytes of content', async () => {
    const whole = gzipSync(await readFile(fixture('chatgpt', 'conversations.json')));
    const gz = await put(join(tmp, 'conversations.json.gz'), whole.subarray(0, 12));
    await expect(drain(reading('chatgpt', gz))).rejects.toMatchObject({ code: 'E_GZIP_CORRUPT' });
  });

  it.each([
    ['cut off in the middle', (gz: Buffer) => gz.subarray(0, gz.length >> 1)],
    ['cut off before its trailer', (gz: Buffer) => gz.subarray(0, gz.length - 4)],
    ['with a wrong checksum', (gz: Buffer) => Buffer.concat([gz.subarray(0, -8), Buffer.alloc(4), gz.subarray(-4)])],
  ])('refuses a gzip %s as damaged, before any record leaves', async (_, damage) => {
    const gz = await put(join(tmp, 'your_posts_1.json.gz'), damage(gzipSync(JSON.stringify(posts(20_000)))));
    const r = reading('facebook', gz);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const rec of r.records) seen.push(rec.text);
      })(),
    ).rejects.toMatchObject({ code: 'E_GZIP_CORRUPT', message: expect.stringMatching(/download the export again/) });
    expect(seen).toEqual([]);
  });

  it('caps a metadata file at what it unpacks to, not its compressed size', async () => {
    const gz = await put(join(tmp, 'actor.json.gz'), gzipSync(`{"x": "${' '.repeat(100_000)}"}`));
    const container = await openContainer(gz);
    const [entry] = (await container.list?.()) ?? [];
    const q = collector();
    const ctx = new ReaderContext({ format: 'mastodon', path: gz, account: 'x', onQuarantine: q.onQuarantine });
    expect(entry?.size).toBeLessThan(1000);
    expect(await readSmallJson(entry as NonNullable<typeof entry>, ctx, 1000)).toBeUndefined();
    expect(q.entries).toEqual([expect.objectContaining({ file: 'actor.json', reason: 'file_too_large' })]);
  });
});

describe('links inside an export', () => {
  const postsFile = () => readFile(fixture('facebook-old', 'posts', 'your_posts_1.json'));
  const linked = [
    expect.objectContaining({ file: 'posts/your_posts_2.json', reason: 'not_a_file' }),
    expect.objectContaining({ file: 'posts/your_posts_3.json', reason: 'not_a_file' }),
  ];

  it('reports a symbolic and a hard link in a tar.gz, never following them', async () => {
    const tgz = join(tmp, 'fb.tar.gz');
    const tar = pack();
    const done = pipeline(tar, createGzip(), createWriteStream(tgz));
    const data = await postsFile();
    tar.entry({ name: 'posts/your_posts_1.json', size: data.length }, data);
    tar.entry({ name: 'posts/your_posts_2.json', type: 'symlink', linkname: '/etc/passwd' });
    tar.entry({ name: 'posts/your_posts_3.json', type: 'link', linkname: 'posts/your_posts_1.json' });
    tar.finalize();
    await done;
    const r = reading('facebook', tgz);
    const { summary } = await drain(r);
    expect(r.quarantine).toEqual(linked);
    expect(r.quarantine[0]?.detail).toMatch(/symbolic link.*not followed/);
    expect(summary).toMatchObject({ filesRead: 1, quarantined: 2 });
  });

  it('reports a symbolic link in a zip instead of reading its target as the file', async () => {
    const zip = join(tmp, 'fb.zip');
    await writeZip(zip, [
      { name: 'posts/your_posts_1.json', data: await postsFile(), mode: 0o100644 },
      { name: 'posts/your_posts_2.json', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
    ]);
    const r = reading('facebook', zip);
    const { summary } = await drain(r);
    expect(r.quarantine).toEqual([linked[0]]);
    expect(summary).toMatchObject({ filesRead: 1, quarantined: 1 });
  });

  it('reports a symbolic link in a folder', async () => {
    const dir = join(tmp, 'fb');
    await put(join(dir, 'posts/your_posts_1.json'), await postsFile());
    await symlink('/etc/passwd', join(dir, 'posts/your_posts_2.json'));
    await link(join(dir, 'posts/your_posts_1.json'), join(dir, 'posts/your_posts_1_copy.json'));
    const r = reading('facebook', dir);
    const { summary } = await drain(r);
    expect(r.quarantine).toEqual([linked[0]]);
    expect(summary).toMatchObject({ filesRead: 2, quarantined: 1 }); // a hard link in a folder is the file itself
  });
});

describe('names as other archivers write them', () => {
  it('reads a tar.gz made of ./ (tar -C dir .) like the folder: a secure-storage download stays unread', async () => {
    const tgz = join(tmp, 'ss.tar.gz');
    const tar = pack();
    const done = pipeline(tar, createGzip(), createWriteStream(tgz));
    const chat = Buffer.from(JSON.stringify({ participants: ['A'], messages: [{ text: 'SS-CHAT', timestamp: 1 }] }));
    const sent = Buffer.from(JSON.stringify([{ timestamp: 1714700000, data: [{ comment: { comment: 'SS-SENT' } }] }]));
    tar.entry({ name: './', type: 'directory' });
    tar.entry({ name: './Anna Schmidt_1.json', size: chat.length }, chat);
    tar.entry({ name: './media/comments.json', size: sent.length }, sent);
    tar.finalize();
    await done;
    const { records, summary } = await drain(reading('facebook', tgz));
    expect(records).toEqual([]);
    expect(summary).toMatchObject({ filesRead: 0, skipped: { e2ee: 2 } });
  });

  it('reads a zip whose entry names use backslashes (made on Windows) like one with slashes', async () => {
    const zip = join(tmp, 'fb.zip');
    await writeZip(zip, [
      { name: 'your_facebook_activity\\posts\\your_posts_1.json', data: Buffer.from(JSON.stringify(posts(1))) },
      { name: 'your_facebook_activity\\messages\\e2ee_cutover\\x_1\\message_1.json', data: Buffer.from('{}') },
    ]);
    const { records, summary } = await drain(reading('facebook', zip));
    expect(records.map((r) => r.text)).toEqual(['post 0']);
    expect(summary).toMatchObject({ filesRead: 1, skipped: { e2ee: 1 } });
  });
});

describe('a name held twice in an archive', () => {
  const first = Buffer.from(JSON.stringify(posts(2)));
  const second = Buffer.from(JSON.stringify(posts(2, 100)));

  it('is read once from a zip, the first copy, and the second is reported', async () => {
    const zip = join(tmp, 'fb.zip');
    await writeZip(zip, [
      { name: 'posts/your_posts_1.json', data: first },
      { name: 'posts/your_posts_1.json', data: second },
    ]);
    const r = reading('facebook', zip);
    const { records, summary } = await drain(r);
    expect(records.map((x) => x.text)).toEqual(['post 0', 'post 1']);
    expect(r.quarantine).toEqual([
      expect.objectContaining({ file: 'posts/your_posts_1.json', reason: 'duplicate_entry' }),
    ]);
    expect(summary).toMatchObject({ filesRead: 1, quarantined: 1 });
  });

  it('is read once from a tar.gz, the profile as well as the posts', async () => {
    const tgz = join(tmp, 'fb.tar.gz');
    const tar = pack();
    const done = pipeline(tar, createGzip(), createWriteStream(tgz));
    const profile = Buffer.from(JSON.stringify({ profile_v2: { name: { full_name: 'Erika' } } }));
    for (const [name, data] of [
      ['profile_information/profile_information.json', profile],
      ['posts/your_posts_1.json', first],
      ['profile_information/profile_information.json', profile],
      ['posts/your_posts_1.json', second],
    ] as const) {
      tar.entry({ name, size: data.length }, data);
    }
    tar.finalize();
    await done;
    const r = reading('facebook', tgz);
    const { records } = await drain(r);
    expect(records.map((x) => x.text)).toEqual(['post 0', 'post 1']);
    expect(r.quarantine.map((q) => [q.file, q.reason])).toEqual([
      ['profile_information/profile_information.json', 'duplicate_entry'],
      ['posts/your_posts_1.json', 'duplicate_entry'],
    ]);
  });
});

describe('WhatsApp is refused as end-to-end encrypted', () => {
  it('refuses the whatsapp format before reading anything', () => {
    expect(() => readExport({ format: 'whatsapp', path: join(tmp, 'absent.txt'), account: 'x' })).toThrow(
      expect.objectContaining({ code: 'E_E2EE', message: expect.stringMatching(/end-to-end encrypted, refused/) }),
    );
  });

  it.each(['android-en.txt', 'android-de.txt', 'ios-de.txt', 'ios-en.txt'])(
    'refuses %s given under another format, emitting nothing',
    async (name) => {
      const r = reading('claude', fixture('whatsapp', name));
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const rec of r.records) seen.push(rec.text);
        })(),
      ).rejects.toBeInstanceOf(RefusedError);
      expect(seen).toEqual([]);
    },
  );

  it('finds a chat inside a folder or zip before the first record leaves', async () => {
    const dir = join(tmp, 'fb');
    for (const f of ['posts/your_posts_1.json']) {
      await put(join(dir, f), await readFile(fixture('facebook-old', f)));
    }
    await copyFile(fixture('whatsapp', 'android-de.txt'), join(dir, 'chat-backup.txt'));
    const zip = join(tmp, 'fb.zip');
    await zipFolder(dir, zip);
    for (const path of [dir, zip]) {
      const r = reading('facebook', path);
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const rec of r.records) seen.push(rec.text);
        })(),
      ).rejects.toMatchObject({ code: 'E_E2EE' });
      expect(seen).toEqual([]);
    }
  });

  it('refuses a chat found in a tar.gz, by name alone (_chat.txt)', async () => {
    const dir = join(tmp, 'md');
    await put(join(dir, 'outbox.json'), '{"orderedItems": []}');
    await put(join(dir, 'x/_chat.txt'), 'anything');
    await tarGzFolder(dir, join(tmp, 'md.tar.gz'));
    await expect(drain(reading('mastodon', join(tmp, 'md.tar.gz')))).rejects.toMatchObject({ code: 'E_E2EE' });
  });

  it('leaves no output file behind when converting a refused input', async () => {
    const out = join(tmp, 'out', 'records.jsonl');
    await mkdir(dirname(out));
    await expect(
      convertToJsonl({ format: 'facebook', path: fixture('whatsapp'), account: 'x', outFile: out }),
    ).rejects.toMatchObject({ code: 'E_E2EE' });
    expect(await readdir(dirname(out))).toEqual([]);
  });
});

describe('convertToJsonl', () => {
  it('writes one canonical JSON object per line and returns the summary', async () => {
    const out = join(tmp, 'claude.jsonl');
    const summary = await convertToJsonl({
      format: 'claude',
      path: fixture('claude'),
      account: 'as:a:1',
      outFile: out,
    });
    const lines = (await readFile(out, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(summary.records);
    expect(lines.map((l) => JSON.parse(l).text)).toContain('CLAUDE-FOLLOWUP thanks');
    expect(lines[0]?.startsWith('{"id":"cl:u:')).toBe(true);
  });

  it('writes through a symbolic link into its target, and leaves the link in place', async () => {
    const target = await put(join(tmp, 'data', 'records.jsonl'), 'old');
    const link = join(tmp, 'records.jsonl');
    await symlink(target, link);
    const summary = await convertToJsonl({ format: 'claude', path: fixture('claude'), account: 'a', outFile: link });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readFile(target, 'utf8')).trim().split('\n')).toHaveLength(summary.records);
    expect(await readdir(tmp)).toEqual(['data', 'records.jsonl']);
  });

  it('writes through a symbolic link whose target does not exist yet, creating the target and keeping the link', async () => {
    await mkdir(join(tmp, 'data'));
    const target = join(tmp, 'data', 'records.jsonl');
    const link = join(tmp, 'records.jsonl');
    await symlink(join('data', 'records.jsonl'), link);
    const summary = await convertToJsonl({ format: 'claude', path: fixture('claude'), account: 'a', outFile: link });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readFile(target, 'utf8')).trim().split('\n')).toHaveLength(summary.records);
    expect(await readdir(join(tmp, 'data'))).toEqual(['records.jsonl']);
  });

  // `--out /dev/null` run as root renamed a regular file over /dev/null; a named pipe shows the same without root.
  it('writes straight into a named pipe instead of renaming a file over it', async () => {
    const fifo = join(tmp, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const chunks: Buffer[] = [];
    const reader = (async () => {
      for await (const c of createReadStream(fifo)) chunks.push(c as Buffer);
    })();
    const summary = await convertToJsonl({ format: 'claude', path: fixture('claude'), account: 'a', outFile: fifo });
    await reader;
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect(Buffer.concat(chunks).toString('utf8').trim().split('\n')).toHaveLength(summary.records);
    expect(await readdir(tmp)).toEqual(['pipe']);
  });

  it('fails with a clear InputError when the output cannot be written', async () => {
    await expect(
      convertToJsonl({ format: 'claude', path: fixture('claude'), account: 'a', outFile: join(tmp, 'no/such/dir/x') }),
    ).rejects.toThrow(/cannot write the output/);
  });
});
