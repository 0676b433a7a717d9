import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { drain, writeManyEntriesZip } from './_testkit.ts';
import { MAX_ZIP_ENTRIES } from './_zip.ts';
import { readExport } from './read-export.ts';

const POSTS = 200_000;

// Writes a Facebook posts file of `n` posts without ever holding it in memory; returns its size in bytes.
async function writeHugePosts(path: string, n: number): Promise<number> {
  const out = createWriteStream(path);
  const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. '.repeat(3);
  out.write('[\n');
  for (let i = 0; i < n; i++) {
    const post = {
      timestamp: 1600000000 + i,
      data: [{ post: `Beitrag ${i} Gr\u00c3\u00bc\u00c3\u009fe ${filler}` }],
      attachments: [{ data: [{ media: { uri: `photos/${i}.jpg`, title: 'Mobile Uploads' } }] }],
      title: 'Someone updated their status.',
    };
    if (!out.write(`${i ? ',\n' : ''}${JSON.stringify(post)}`)) await once(out, 'drain');
  }
  out.end('\n]\n');
  await finished(out);
  return (await stat(path)).size;
}

describe('streaming', () => {
  it(`converts ${POSTS} Facebook posts with heap growth far below the file size`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-big-'));
    await mkdir(join(dir, 'posts'));
    const size = await writeHugePosts(join(dir, 'posts', 'your_posts_1.json'), POSTS);
    const { records, summary } = readExport({ format: 'facebook', path: dir, account: 'fb:a:1' });
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let last = '';
    for await (const r of records) {
      count++;
      last = r.text;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    expect(count).toBe(POSTS);
    expect((await summary).records).toBe(POSTS);
    expect(last.startsWith(`Beitrag ${POSTS - 1} Grüße`)).toBe(true);
    expect(size).toBeGreaterThan(60_000_000);
    // Holding the file, let alone its parsed objects, would need more than the file size; streaming needs a fraction.
    expect(peak).toBeLessThan(size / 3);
    console.info(`file ${(size / 1e6).toFixed(0)} MB, peak heap growth ${(peak / 1e6).toFixed(1)} MB`);
  });

  const chat = {
    name: 'conversations.json',
    data: Buffer.from(
      JSON.stringify([
        {
          uuid: 'c1',
          chat_messages: [{ uuid: 'm1', sender: 'human', text: 'hallo', created_at: '2024-05-01T12:00:00Z' }],
        },
      ]),
    ),
  };

  it('reads a zip of 100,000 folder entries in a 64 MB heap: folders are not held', async () => {
    const zip = join(await mkdtemp(join(tmpdir(), 'dissent-dirs-')), 'claude.zip');
    await writeManyEntriesZip(zip, chat, 100_000, 'folder');
    const root = join(import.meta.dirname, '..', '..');
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const args = ['sources', 'convert', '--format', 'claude', zip, '--account', 'cl:a:1'];
    // NODE_OPTIONS, as tsx runs the command in a child process of its own.
    const r = spawnSync(process.execPath, [tsx, 'src/cli/main.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=64' },
    });
    expect(r.stderr).toContain('1 files read, 1 records, 0 quarantined');
    expect(r.status).toBe(0);
  });

  it(`refuses a zip of more than ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} entries at once, naming the count`, async () => {
    const zip = join(await mkdtemp(join(tmpdir(), 'dissent-many-')), 'claude.zip');
    await writeManyEntriesZip(zip, chat, MAX_ZIP_ENTRIES, 'file');
    // The first entry of the directory is made unreadable: refused from the count in the zip's end record, the zip
    // is refused before any entry is read (reading a million entries first took a minute and 1.3 GB), and so as too
    // many, not as damaged.
    const directory = 30 + Buffer.byteLength(chat.name) + chat.data.length;
    const fd = await open(zip, 'r+');
    await fd.write(Buffer.alloc(4), 0, 4, directory);
    await fd.close();
    await expect(drain(readExport({ format: 'claude', path: zip, account: 'cl:a:1' }))).rejects.toMatchObject({
      code: 'E_ZIP_TOO_MANY',
      message: expect.stringContaining('it lists 1,000,001 entries, more than the 1,000,000 a platform export has'),
    });
  });
});
