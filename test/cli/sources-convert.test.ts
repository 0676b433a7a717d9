import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dissent, repoPath, spawnTsx, tempDir } from '../helpers/cli.ts';

const fixture = (name: string) => repoPath('test', 'fixtures', 'sources', name);

describe('dissent sources convert: where it writes', () => {
  it('refuses an --out or --quarantine that is the export or lies inside it, leaving the export as it was', () => {
    const dir = join(tempDir(), 'chatgpt');
    cpSync(fixture('chatgpt'), dir, { recursive: true });
    const file = join(dir, 'conversations.json');
    const before = readFileSync(file, 'utf8');
    // A link elsewhere whose target, not made yet, lies inside the export: writing it would create that file there.
    const link = join(tempDir(), 'out.jsonl');
    symlinkSync(join(dir, 'new.jsonl'), link);
    for (const [input, flag, target] of [
      [file, '--out', file],
      [file, '--quarantine', file],
      [dir, '--out', file],
      [dir, '--quarantine', join(dir, 'q.jsonl')],
      [dir, '--out', link],
    ] as const) {
      const r = dissent(['sources', 'convert', '--format', 'chatgpt', input, '--account', 'x', flag, target]);
      expect(r.code, `${flag} ${target}`).toBe(2);
      expect(r.stderr).toContain(`${flag} ${target} is the export being read`);
      expect(readFileSync(file, 'utf8')).toBe(before);
    }
    expect(readdirSync(dir).sort()).toEqual(['chat.html', 'conversations.json', 'user.json']);
  });

  it('refuses one file named by both --out and --quarantine, which would lose the quarantine entries', () => {
    const out = join(tempDir(), 'same.jsonl');
    const convert = (to: string, quarantine: string) =>
      dissent([
        'sources',
        'convert',
        '--format',
        'mastodon',
        fixture('mastodon'),
        '--account',
        'md:a:1',
        '--out',
        to,
        '--quarantine',
        quarantine,
      ]);
    const r = convert(out, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out and --quarantine name the same file');
    const devices = convert('/dev/null', '/dev/null');
    expect(devices.code, devices.stderr).toBe(0);
  });

  it('says that --format is missing when it is, instead of calling the format unknown', () => {
    const r = dissent(['sources', 'convert', fixture('claude'), '--account', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing required argument: --format (one of facebook, instagram,');
    expect(r.stderr).not.toContain('unknown export format');
  });
});

describe('dissent sources convert: a reader that stops early', () => {
  /** Runs `dissent ARGS` with its standard output closed before anything is written (`| head -0`). */
  async function closedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawnTsx(repoPath('src', 'cli', 'main.ts'), args);
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return { code, stderr };
  }

  it('stops quietly when standard output is closed (| head), as other line filters do', async () => {
    // The reader is gone before the first record is written, as `| head -0` is.
    const { code, stderr } = await closedStdout([
      ...['sources', 'convert', '--format', 'claude', fixture('claude'), '--account', 'x'],
    ]);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('leaves no half-written quarantine file behind when the reader stops early', async () => {
    const dir = tempDir();
    const quarantine = join(dir, 'q.jsonl');
    const r = await closedStdout([
      'sources',
      'convert',
      '--format',
      'facebook',
      fixture('facebook-new'),
      '--account',
      'x',
      '--quarantine',
      quarantine,
    ]);
    expect(r).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('still says that the receipts of filed objections were lost with the closed output, and fails', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const accounts = join(dir, 'accounts.jsonl');
    writeFileSync(
      accounts,
      `${JSON.stringify({ account: 'fb:a:1', person: 'p:1', source: 'facebook', handle: 'u1', display_name: 'N', email: 'n@example.org', birth_date: '1980-01-01', country: 'DE' })}\n`,
    );
    expect(dissent(['identities', 'import', accounts, '--home', home]).code).toBe(0);
    const subjects = join(dir, 'subjects.jsonl');
    writeFileSync(subjects, `${JSON.stringify({ subject: 'p:1' })}\n`);
    const r = await closedStdout(['object', '--subjects', subjects, '--home', home]);
    expect(r.stderr).toContain(
      'the receipts were not all written: the reader of standard output closed it (EPIPE); what was filed stands, give --out FILE to keep its receipts',
    );
    expect(r.code).toBe(2);
  });

  it('ends any command quietly whose standard output is closed, instead of dying with a stack trace', async () => {
    const home = join(tempDir(), 'home');
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const { code, stderr } = await closedStdout(['log', 'checkpoint', '--home', home]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
