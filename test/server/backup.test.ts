import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openHome } from '../../src/config/home.ts';
import type { Receipt } from '../../src/log/receipt.ts';
import { API_TOKEN, makeHome } from './_harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

function serve(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--home', home, '--listen', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`dissent serve exited with ${code}`)));
  });
}

describe('dissent backup while dissent serve takes objections', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('copies every objection acknowledged before it began into an owner-only file that restores as a home', async () => {
    const t = await makeHome({ persons: 400 });
    await t.home.close();
    dirs.push(t.dir);
    const server = await serve(t.dir);
    children.push(server.child);

    const receipts: Receipt[] = [];
    let next = 1;
    let stop = false;
    const file = join(t.dir, 'backups', 'registry-1.db');
    mkdirSync(join(t.dir, 'backups'));
    const worker = async () => {
      while (!stop && next <= 400) {
        const res = await fetch(`${server.url}/api/v1/objections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subject: `p:${next++}` }),
        });
        if (res.status === 201) receipts.push((await res.json()) as Receipt);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    while (receipts.length < 50) await new Promise((r) => setTimeout(r, 10));
    const before = receipts.length;
    const backup = await run(['backup', '--home', t.dir, '--out', file]);
    stop = true;
    await load;
    expect(backup.code, backup.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A second backup to the same file is refused: a backup never replaces another.
    const again = await run(['backup', '--home', t.dir, '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already');
    // A folder given as --out is named as one: the backup is a file, to be named inside it.
    const intoFolder = await run(['backup', '--home', t.dir, '--out', t.dir]);
    expect(intoFolder.code).toBe(2);
    expect(intoFolder.stderr).toContain(
      `${t.dir} is a folder; name the backup file, e.g. ${join(t.dir, 'registry-backup.db')}`,
    );

    // Restored as a home of its own, the copy holds each of those objections at the index its receipt names.
    const restored = join(t.dir, 'restored');
    mkdirSync(restored, { mode: 0o700 });
    for (const f of ['dissent.config.yaml', 'log.key']) copyFileSync(join(t.dir, f), join(restored, f));
    cpSync(join(t.dir, 'policies'), join(restored, 'policies'), { recursive: true });
    copyFileSync(file, join(restored, 'registry.db'));
    const home = await openHome(restored);
    try {
      const size = await home.store.logSize();
      expect(backup.stderr).toContain(`log size ${size}`);
      for (const r of receipts.slice(0, before)) {
        expect(r.leaf_index).toBeLessThan(size);
        expect(await home.store.getLeaves(r.leaf_index, r.leaf_index + 1)).toEqual([r.leaf]);
        expect((await home.store.getObjection(r.objection_id))?.state).toBe('effective');
      }
    } finally {
      await home.close();
    }
  }, 60_000);
});
