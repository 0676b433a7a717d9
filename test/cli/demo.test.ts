import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dissent, tempDir } from '../helpers/cli.ts';

describe('dissent demo (what npm start runs)', () => {
  it('tells the whole story and leaves a receipt that dissent verify accepts and a signed snapshot', () => {
    const home = join(tempDir(), '.dissent');
    const r = dissent([
      'demo',
      '--home',
      home,
      '--persons',
      '300',
      '--records',
      '3000',
      '--deadline-in',
      '2',
      '--serve',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/objecting again returned the same receipt: yes/);
    expect(r.stdout).toMatch(/late objections \(late for demo-2025: 5\)/);
    expect(r.stdout).toMatch(/refused, as it must be/);
    expect(r.stdout).toMatch(/excluded: objection\s+[1-9]/);
    expect(r.stdout).toMatch(/portal self-check: \/healthz answered 200/);
    // The demo makes its folder before init writes the home into it: owner only all the same.
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const vkey = dissent(['log', 'key', '--home', home]).stdout.trim();
    expect(r.stdout).toContain(vkey);
    const v = dissent(['verify', 'receipt', join(home, 'demo', 'receipt.json'), '--key', vkey]);
    expect(v.code, v.stdout).toBe(0);
    // A receipt names its subject, as one that dissent object --out writes: owner only.
    for (const file of ['receipt.json', 'late-receipt.json']) {
      expect(statSync(join(home, 'demo', file)).mode & 0o777, file).toBe(0o600);
    }
    const manifest = JSON.parse(readFileSync(join(home, 'demo', 'snapshot-1', 'manifest.json'), 'utf8'));
    expect(manifest.programme.id).toBe('demo-2025');
    expect(existsSync(join(home, 'demo', 'snapshot-1', 'manifest.sig'))).toBe(true);
    // Beside demo-2025 (3 s grace window, so that the demo can build) an open programme gives the portal's
    // confirmation links a window a person can use.
    const config = readFileSync(join(home, 'dissent.config.yaml'), 'utf8');
    expect(config).toMatch(/- id: demo-next\n(?:.*\n)*?\s+grace_window: 72h/);
    expect(dissent(['object', '--subject', 'p:2', '--programme', 'demo-next', '--home', home]).code).toBe(0);
    // A second run replaces the demo's own home instead of refusing.
    expect(
      dissent(['demo', '--home', home, '--persons', '100', '--records', '500', '--deadline-in', '1', '--no-serve'])
        .code,
    ).toBe(0);
  });

  it('refuses a --listen that is not HOST:PORT before it runs, leaving no home', () => {
    const home = join(tempDir(), 'demo');
    const r = dissent(['demo', '--home', home, '--persons', '50', '--records', '100', '--listen', 'localhost']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--listen must be HOST:PORT');
    expect(r.stdout).toBe('');
    expect(existsSync(home)).toBe(false);
  });

  it('refuses to touch a folder it did not make', () => {
    const home = join(tempDir(), 'mine');
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const r = dissent(['demo', '--home', home, '--no-serve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was not made by the demo/);
    expect(existsSync(join(home, 'dissent.config.yaml'))).toBe(true);
  });
});
