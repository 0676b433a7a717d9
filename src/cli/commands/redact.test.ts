import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Runs `dissent redact` with `args`, feeding `input` on stdin. */
function runRedact(
  args: string[],
  input: string | Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'redact', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('dissent redact', () => {
  it('redacts only the chosen types and keeps line order and count, empty lines included', async () => {
    const input = ['mail anna@example.org', '', 'ruf 0170-1234567 an', '@anna_s und 192.168.0.1', 'nichts hier'];
    const { code, stdout } = await runRedact(['--pii', 'email,phone'], `${input.join('\n')}\n`);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'mail [email]',
      '',
      'ruf [phone] an',
      '@anna_s und 192.168.0.1',
      'nichts hier',
      '',
    ]);
  });

  it('gives one line out per line in: a bare CR stays inside its line, CR LF ends one, invalid UTF-8 is refused by line', async () => {
    const { code, stdout } = await runRedact([], '\uFEFFa\rb x@y.de\r\nzwei a@b.de\nletzte ohne Ende c@d.de');
    expect(code).toBe(0);
    expect(stdout).toBe('a\rb [email]\nzwei [email]\nletzte ohne Ende [email]\n');
    const bad = await runRedact([], Buffer.from('ok a@b.de\ncaf\xe9 a@b.de\nnie c@d.de\n', 'latin1'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stdin line 2 is not valid UTF-8');
    // The lines before it are written; nothing is replaced by U+FFFD.
    expect(bad.stdout).toBe('ok [email]\n');
  });

  it('redacts the display names of an accounts file as known names, as the build does', async () => {
    const { stdout } = await runRedact(
      ['--accounts', 'test/fixtures/pii/accounts.jsonl'],
      'Gestern Anna Schmidt und Jürgen Müller gesehen, Annaberg nicht; @juergen_m schrieb, juergen_m nicht\n',
    );
    // Like the build: a handle is the handle type's when written as one (@juergen_m), not a known name.
    expect(stdout).toBe('Gestern [name] und [name] gesehen, Annaberg nicht; [handle] schrieb, juergen_m nicht\n');
  });

  it('refuses an accounts file with a bad line (invalid UTF-8 here) instead of running with fewer names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dissent-redact-'));
    try {
      const file = join(dir, 'latin1.jsonl');
      const good = readFileSync(join(ROOT, 'test/fixtures/pii/accounts.jsonl'), 'utf8').split('\n')[0];
      // "René" in Latin-1: the byte E9 is not UTF-8.
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.from(`${good}\n{"account":"fb:a:9","person":"p9","source":"facebook","display_name":"Ren`),
          Buffer.from([0xe9]),
          Buffer.from(' Dupont"}\n'),
        ]),
      );
      const { code, stdout, stderr } = await runRedact(['--accounts', file], 'Hallo René Dupont\n');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`the accounts file ${file} has 1 bad line (line 2: invalid UTF-8)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams many lines through in order', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `Zeile ${i}: schreib an user${i}@example.org`);
    const { code, stdout } = await runRedact(['--pii', 'email'], `${lines.join('\n')}\n`);
    expect(code).toBe(0);
    const out = stdout.split('\n');
    expect(out).toHaveLength(20_001);
    expect(out[12_345]).toBe('Zeile 12345: schreib an [email]');
  });

  it('rejects an unknown PII type with exit code 2', async () => {
    const { code, stderr } = await runRedact(['--pii', 'email,shoe_size'], 'x\n');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown PII type');
  });
});
