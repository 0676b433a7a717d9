import { spawnSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from './_testkit.ts';

const root = join(import.meta.dirname, '..', '..');

// `npx tsx src/cli/main.ts`, minus the npx start-up: the same tsx CLI run directly by this Node.
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Converts the Mastodon fixture into --out and --quarantine files. */
function convertMastodon(out: string, quarantine: string) {
  return dissent(
    'sources',
    'convert',
    '--format',
    'mastodon',
    fixture('mastodon'),
    '--account',
    'md:a:1',
    '--out',
    out,
    '--quarantine',
    quarantine,
  );
}

function dissent(...args: string[]) {
  const r = spawnSync(process.execPath, [tsx, 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dissent sources convert', () => {
  it('writes canonical JSONL to stdout and the summary to stderr', () => {
    const r = dissent('sources', 'convert', '--format', 'facebook', fixture('facebook-new'), '--account', 'fb:a:42');
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((x) => x.account === 'fb:a:42' || x.account.startsWith('fb:n:'))).toBe(true);
    expect(r.stdout).not.toContain('E2EE-SECRET');
    expect(r.stderr).toMatch(new RegExp(`4 files read, ${records.length} records, 3 quarantined`));
    expect(r.stderr).toMatch(/skipped: .*e2ee 2/);
    expect(r.stderr).toContain('quarantine entries were not kept: add --quarantine FILE to see them');
    expect(r.stderr).toContain('unknown fields (the export format may have changed): facebook.post.brand_new_field x1');
    expect(r.stderr).not.toContain('fb:a:42'); // no ids in human output
  });

  it('gives posts and comments the --visibility asked for, and leaves messages private', () => {
    const convert = (...more: string[]) =>
      dissent('sources', 'convert', '--format', 'facebook', fixture('facebook-old'), '--account', 'x', ...more);
    const visibilities = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((x) => [x.kind, x.visibility])
        .sort();
    const asked = convert('--visibility', 'public');
    expect(asked.code).toBe(0);
    expect(visibilities(asked.stdout)).toEqual([
      ['comment', 'public'],
      ['message', 'private'],
      ['message', 'private'],
      ['post', 'public'],
    ]);
    expect(visibilities(convert().stdout)).toEqual([
      ['comment', 'friends'],
      ['message', 'private'],
      ['message', 'private'],
      ['post', 'friends'],
    ]);
  });

  it('refuses an Instagram export read as Facebook and the other way round, and warns when nothing is read', () => {
    const asFacebook = dissent('sources', 'convert', '--format', 'facebook', fixture('instagram'), '--account', 'x');
    expect(asFacebook.code).toBe(2);
    expect(asFacebook.stderr).toContain('looks like an Instagram export, not a Facebook one');
    expect(asFacebook.stderr).toContain('pass --format instagram');
    expect(asFacebook.stdout).toBe('');
    const asInstagram = dissent(
      'sources',
      'convert',
      '--format',
      'instagram',
      fixture('facebook-old'),
      '--account',
      'x',
    );
    expect(asInstagram.code).toBe(2);
    expect(asInstagram.stderr).toContain('pass --format facebook');
    const asMastodon = dissent('sources', 'convert', '--format', 'mastodon', fixture('facebook-new'), '--account', 'x');
    expect(asMastodon.code).toBe(0);
    expect(asMastodon.stderr).toMatch(
      /warning: no file here is one that mastodon exports keep content in \(\d+ other files\); check --format/,
    );
  });

  it('writes --out and --quarantine files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    const out = join(dir, 'md.jsonl');
    const q = join(dir, 'q.jsonl');
    const r = convertMastodon(out, q);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(6);
    expect(JSON.parse(await readFile(q, 'utf8'))).toMatchObject({ file: 'outbox.json', reason: 'bad_timestamp' });
    expect(r.stderr).toMatch(/noindex/);
  });

  it('leaves no --quarantine file behind when the export is refused, as it leaves no --out file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    const r = dissent(
      'sources',
      'convert',
      '--format',
      'facebook',
      fixture('instagram'),
      '--account',
      'x',
      '--out',
      join(dir, 'fb.jsonl'),
      '--quarantine',
      join(dir, 'q.jsonl'),
    );
    expect(r.code).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves the file a --quarantine link points to as it was when the export is refused, and fills it when read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    await writeFile(join(dir, 'kept.jsonl'), 'earlier entries\n');
    await symlink('kept.jsonl', join(dir, 'q.jsonl'));
    const convert = (input: string) =>
      dissent(
        'sources',
        'convert',
        '--format',
        'mastodon',
        input,
        '--account',
        'x',
        '--quarantine',
        join(dir, 'q.jsonl'),
      );
    const refused = convert(fixture('whatsapp', 'android-en.txt'));
    expect(refused.code).toBe(2);
    expect(await readFile(join(dir, 'kept.jsonl'), 'utf8')).toBe('earlier entries\n');
    expect((await readdir(dir)).sort()).toEqual(['kept.jsonl', 'q.jsonl']);
    const read = convert(fixture('mastodon'));
    expect(read.code).toBe(0);
    expect((await lstat(join(dir, 'q.jsonl'))).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'kept.jsonl'), 'utf8'))).toMatchObject({ reason: 'bad_timestamp' });
    expect((await readdir(dir)).sort()).toEqual(['kept.jsonl', 'q.jsonl']);
  });

  it('never writes through a link at the .partial name, and keeps the permissions of the files it replaces', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    const [out, q, victim] = ['md.jsonl', 'q.jsonl', 'victim'].map((f) => join(dir, f)) as [string, string, string];
    // Someone with write access to the folder (a shared /tmp) points the temporary names at a file of the user's.
    await writeFile(victim, 'the user’s own file\n', { mode: 0o600 });
    await symlink(victim, `${out}.partial`);
    await symlink(victim, `${q}.partial`);
    // The user made the outputs private before the run.
    await writeFile(out, '', { mode: 0o600 });
    await writeFile(q, '', { mode: 0o600 });
    const r = convertMastodon(out, q);
    expect(r.code).toBe(0);
    expect(await readFile(victim, 'utf8')).toBe('the user’s own file\n');
    expect((await lstat(out)).isSymbolicLink()).toBe(false);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(6);
    expect(JSON.parse(await readFile(q, 'utf8'))).toMatchObject({ reason: 'bad_timestamp' });
    expect((await lstat(out)).mode & 0o777).toBe(0o600);
    expect((await lstat(q)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['md.jsonl', 'q.jsonl', 'victim']);
  });

  it('warns when an export holds no records at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    await writeFile(join(dir, 'conversations.json'), '{}');
    const r = dissent('sources', 'convert', '--format', 'chatgpt', dir, '--account', 'x');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 files read, 0 records, 0 quarantined');
    expect(r.stderr).toContain('warning: the export holds no records');
  });

  it('warns when every item read was quarantined', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    await writeFile(join(dir, 'conversations.json'), JSON.stringify([{ title: 'x', mapping: 5 }]));
    const r = dissent('sources', 'convert', '--format', 'chatgpt', dir, '--account', 'x');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 files read, 0 records, 1 quarantined');
    expect(r.stderr).toContain('warning: every item read was quarantined');
  });

  it('refuses an --out or --quarantine path it cannot write before reading the export (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    const convert = (...more: string[]) =>
      dissent('sources', 'convert', '--format', 'mastodon', fixture('mastodon'), '--account', 'md:a:1', ...more);
    const missing = convert('--quarantine', join(dir, 'nodir', 'q.jsonl'), '--out', join(dir, 'md.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the folder ${join(dir, 'nodir')} does not exist`);
    expect(missing.stderr).not.toMatch(/converted|unexpected/);
    const folder = convert('--out', dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('it is a folder; give a file name');
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['whatsapp', fixture('whatsapp', 'android-en.txt')],
    ['whatsapp', fixture('whatsapp', 'notes.txt')],
    ['chatgpt', fixture('whatsapp', 'ios-de.txt')],
    ['facebook', fixture('whatsapp')],
  ])('refuses WhatsApp (--format %s) with exit code 2 and writes nothing', async (format, input) => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-cli-'));
    const r = dissent(
      'sources',
      'convert',
      '--format',
      format,
      input,
      '--account',
      'w:a:1',
      '--out',
      join(dir, 'x.jsonl'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/end-to-end encrypted, refused/);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('WA-SECRET');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a blank account id, or one of two lines, before writing a record (an unset variable, say)', () => {
    for (const account of [' ', 'fb:a:1\nfb:a:2']) {
      const r = dissent('sources', 'convert', '--format', 'claude', fixture('claude'), '--account', account);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the account id must be a non-empty single line');
      expect(r.stdout).toBe('');
    }
  });

  it('rejects an unknown format as a usage error', () => {
    const r = dissent('sources', 'convert', '--format', 'tiktok', fixture('claude'), '--account', 'a');
    expect(r.code).toBe(2);
  });
});
