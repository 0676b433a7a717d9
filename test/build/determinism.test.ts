import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome } from '../../src/cli/commands/init.ts';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import { writePostsJsonl } from '../../src/demo/posts.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../../src/log/note.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { formatManifest, type Manifest, signManifest } from '../../src/pipeline/manifest.ts';
import { verifySnapshot } from '../../src/pipeline/verify-snapshot.ts';
import { importAccounts } from '../../src/registry/identities.ts';
import type { DissentError } from '../../src/shared/errors.ts';
import { runCli, tempDir, withHome } from './_fixture.ts';

const { dir, cleanup } = tempDir();
let home: string;
let input: string;
const P = 'ai-training-2025';

beforeAll(async () => {
  home = join(dir, 'home');
  initHome(home);
  const accounts = [...generateIdentityGraph({ persons: 300, seed: 7 })];
  const accountsFile = join(dir, 'accounts.jsonl');
  writeFileSync(accountsFile, accounts.map((a) => JSON.stringify(a)).join('\n') + '\n');
  input = join(dir, 'posts.jsonl');
  await writePostsJsonl(input, { accounts, count: 3000, seed: 11 });
  await withHome(home, async (h) => {
    await importAccounts(h.store, accountsFile);
    await h.registry.objectMany(
      Array.from({ length: 15 }, (_, i) => ({ subject: `p:${i * 20 + 1}`, channel: 'api' as const })),
    );
  });
});
afterAll(cleanup);

function snapshotBytes(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const sub of ['data', 'lineage', 'quarantine']) {
    for (const f of readdirSync(join(out, sub)).sort())
      files[`${sub}/${f}`] = readFileSync(join(out, sub, f)).toString('base64');
  }
  return files;
}

/**
 * Writes a module for `node --import` that replaces `fs[name]` with `replacement` (JS source of a function that may
 * call `original`), for the build process a test starts: how a kill or a read-only mount at one exact call is staged.
 */
function fsHook(file: string, name: string, replacement: string): string {
  const hook = join(dir, file);
  writeFileSync(
    hook,
    `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const original = fs.${name};
fs.${name} = ${replacement};
syncBuiltinESMExports();
`,
  );
  return hook;
}

function manifestOf(out: string): {
  merkle: { root: string };
  counts: unknown;
  shards: { sha256: string }[];
  timings_ms: { total: number };
} {
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
}

describe('determinism', () => {
  it('writes byte-identical shards, lineage and the same root with 1 and 2 threads', async () => {
    const one = join(dir, 'snap-t1');
    const two = join(dir, 'snap-t2');
    await withHome(home, (h) =>
      runBuild({ home: h, programme: P, inputs: [input], out: one, threads: 1, shardRows: 400 }),
    );
    await withHome(home, (h) =>
      runBuild({ home: h, programme: P, inputs: [input], out: two, threads: 2, shardRows: 400 }),
    );
    const a = snapshotBytes(one);
    expect(Object.keys(a).filter((k) => k.startsWith('data/')).length).toBeGreaterThan(1);
    expect(snapshotBytes(two)).toEqual(a);
    expect(manifestOf(two).merkle.root).toBe(manifestOf(one).merkle.root);
    expect(manifestOf(two).shards).toEqual(manifestOf(one).shards);
  });
});

describe('resume after kill -9', () => {
  const args = (out: string) => [
    'build',
    '--home',
    home,
    '--programme',
    P,
    '--input',
    input,
    '--out',
    out,
    '--shard-rows',
    '400',
    '--quiet',
  ];
  /** An uninterrupted build of the same command, made once, to compare resumed builds with. */
  const referenceSnapshot = (): string => {
    const reference = join(dir, 'snap-ref');
    if (readdirSafe(reference).length === 0) expect(runCli(args(reference)).status).toBe(0);
    return reference;
  };

  it.each(['classify', 'write'])('killed after %s, the same command resumes and ends identical', async (stage) => {
    const reference = referenceSnapshot();
    const out = join(dir, `snap-killed-${stage}`);
    const killed = runCli(args(out), { DISSENT_TEST_KILL_AFTER: stage });
    expect(killed.signal).toBe('SIGKILL');
    // The machine stays down for a day before the resume: that day is not the build's time.
    const journalFile = join(out, '.build', 'journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    writeFileSync(
      journalFile,
      JSON.stringify({ ...journal, started_at: new Date(Date.now() - 86_400_000).toISOString() }),
    );
    const again = runCli(args(out));
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(resumed)');
    expect(manifestOf(out).timings_ms.total).toBeLessThan(3_600_000);
    expect(snapshotBytes(out)).toEqual(snapshotBytes(reference));
    expect(manifestOf(out).merkle.root).toBe(manifestOf(reference).merkle.root);
    // Run once more: nothing left to do, and the summary gives the time of the build that did it.
    const done = runCli(args(out)).stdout;
    expect(done).toContain('already built');
    const total = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).timings_ms.total as number) / 1000;
    expect(done).toMatch(new RegExp(`time\\s+${total.toFixed(1).replace('.', '\\.')} s`));
  });

  it('resumed from the journal of an older dissent (no worked_ms), counts the stages that run had finished', () => {
    const out = join(dir, 'snap-killed-old-journal');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'classify' }).signal).toBe('SIGKILL');
    // An older dissent wrote no worked_ms; its read stage took ten minutes, and the machine was down for a day.
    const journalFile = join(out, '.build', 'journal.json');
    const { worked_ms: _, ...journal } = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.stages.read.data.ms = 600_000;
    journal.started_at = new Date(Date.now() - 86_400_000).toISOString();
    writeFileSync(journalFile, JSON.stringify(journal));
    expect(runCli(args).status).toBe(0);
    const total = manifestOf(out).timings_ms.total;
    expect(total).toBeGreaterThanOrEqual(600_000);
    expect(total).toBeLessThan(3_600_000);
  });

  // A kill between a temp file's write and its rename (the manifest's signature, or the very first journal) used to
  // leave that temp file in the folder, and the same command then refused it as "not a snapshot folder".
  it.each(['manifest.sig', 'journal.json'])('killed as it renames %s into place, the same command resumes', (file) => {
    const reference = referenceSnapshot();
    const hook = fsHook(
      'kill-at-rename.mjs',
      'renameSync',
      `(from, to) => {
  if (String(to).endsWith('/' + process.env.KILL_AT_RENAME)) process.kill(process.pid, 'SIGKILL');
  return original(from, to);
}`,
    );
    const out = join(dir, `snap-killed-renaming-${file}`);
    const killed = runCli(args(out), { NODE_OPTIONS: `--import ${hook}`, KILL_AT_RENAME: file });
    expect(killed.signal).toBe('SIGKILL');
    const again = runCli(args(out));
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(snapshotBytes(out)).toEqual(snapshotBytes(reference));
    expect(manifestOf(out).merkle.root).toBe(manifestOf(reference).merkle.root);
  });

  it('killed after it finished, before it removed its engine database, the same command removes it', () => {
    const out = join(dir, 'snap-killed-finish');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'finish' }).signal).toBe('SIGKILL');
    expect(readdirSync(join(out, '.build'))).toContain('build.duckdb');
    const again = runCli(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already built');
    // The database holds every record's text, objectors' included: nothing of it may stay.
    expect(readdirSync(join(out, '.build')).filter((f) => f !== 'journal.json' && f !== 'lock')).toEqual([]);
  });

  it('killed after it finished, before it said its warnings, says them when the same command runs again', () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const out = join(dir, 'snap-killed-finish-warnings');
    const args = ['build', '--home', home, '--programme', P, '--input', input, empty, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'finish' }).signal).toBe('SIGKILL');
    const again = runCli(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already built');
    expect(again.stderr).toContain(`warning: the input ${empty} holds no records`);
  });

  it('refuses a folder that only holds a data/ (and a manifest.json or .build/) of its own, even with --force, and deletes nothing there', () => {
    const out = join(dir, 'not-a-snapshot');
    mkdirSync(join(out, 'data'), { recursive: true });
    writeFileSync(join(out, 'data', 'important.csv'), 'precious\n');
    for (const other of [undefined, 'manifest', 'build']) {
      if (other === 'manifest') writeFileSync(join(out, 'manifest.json'), '{"name":"my-app"}');
      // Another tool's .build folder (Swift's, say).
      if (other === 'build') {
        mkdirSync(join(out, '.build', 'debug'), { recursive: true });
        writeFileSync(join(out, '.build', 'debug', 'main.o'), 'obj');
      }
      for (const force of [[], ['--force']]) {
        const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet', ...force];
        const r = runCli(args);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain('is not a snapshot folder');
      }
    }
    expect(readFileSync(join(out, 'data', 'important.csv'), 'utf8')).toBe('precious\n');
  });

  it('starts over with --force a killed build whose journal was damaged, as the error says to', () => {
    const out = join(dir, 'snap-damaged');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'write' }).signal).toBe('SIGKILL');
    writeFileSync(join(out, '.build', 'journal.json'), '{broken');
    expect(runCli(args).stderr).toContain('rerun with --force');
    const forced = runCli([...args, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(out)).toContain('manifest.json');
  });

  it('refuses to resume into a snapshot folder built with other options, unless --force', () => {
    const out = join(dir, 'snap-ref');
    const base = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    const other = runCli([...base, '--shard-rows', '999']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--force');
    expect(runCli([...base, '--shard-rows', '999', '--force']).status).toBe(0);
  });

  it('starts a finished build over with --force, even past a damaged journal, but never under a running build', async () => {
    const out = join(dir, 'snap-force');
    const base = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(base).status).toBe(0);
    const cutOf = () =>
      (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { cut: { size: number } }).cut.size;
    const first = cutOf();
    await withHome(home, (h) => h.registry.object({ subject: 'p:2', channel: 'api' }));
    expect(runCli(base).stdout).toContain('already built');
    const forced = runCli([...base, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).not.toContain('already built');
    // Started over: the new build pins the log as it is now, with the objection filed since.
    expect(cutOf()).toBe(first + 1);

    writeFileSync(join(out, '.build', 'journal.json'), '{"v":1,"fingerp');
    expect(runCli(base).stderr).toContain('journal is damaged');
    expect(runCli([...base, '--force']).status).toBe(0);

    // A live process holds the lock: --force must not delete its work.
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(out, '.build', 'lock'), String(holder.pid));
      const refused = runCli([...base, '--force']);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('another build is running');
      expect(readdirSync(join(out, 'data')).length).toBeGreaterThan(0);
      // The same id with another start time: a lock left by a killed build whose id went to another process.
      writeFileSync(join(out, '.build', 'lock'), `${holder.pid} 1`);
      expect(runCli(base).stdout).toContain('already built');
    } finally {
      holder.kill();
    }

    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const onFile = runCli(['build', '--home', home, '--programme', P, '--input', input, '--out', file, '--quiet']);
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toContain('is a file');
    // A file where a folder above --out should be, too: named, where Node said "ENOTDIR" of a path further down.
    const under = join(file, 'snapshots', 'snap');
    const onPath = runCli(['build', '--home', home, '--programme', P, '--input', input, '--out', under, '--quiet']);
    expect([onPath.status, onPath.stderr]).toEqual([
      2,
      `dissent: --out ${under} lies inside ${file}, which is a file; give a folder for the snapshot\n`,
    ]);
  });
});

describe('a full disk', () => {
  it('stops the build with an error that names the snapshot folder, and the same command resumes once there is room', async () => {
    const out = join(dir, 'snap-full-disk');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'write' }).signal).toBe('SIGKILL');
    // The journal's next save goes to /dev/full, whose writes fail with ENOSPC as on a full disk.
    const temp = join(out, '.build', `journal.json.tmp-${process.pid}`);
    symlinkSync('/dev/full', temp);
    const run = () => withHome(home, (h) => runBuild({ home: h, programme: P, inputs: [input], out }));
    const error = await run().then(
      () => undefined,
      (e: unknown) => e as DissentError,
    );
    expect(error?.code).toBe('E_OUT_WRITE');
    expect(error?.message).toBe(
      `cannot write in the snapshot folder ${out}: no space left on the device; free space or make the folder writable, then run the same command again (a build resumes from its last finished stage), or choose another --out`,
    );
    rmSync(temp, { force: true });
    expect((await run()).resumed).toBe(true);
  });
});

describe('a read-only file system', () => {
  it('refuses an --out whose folders are still to be made there with E_OUT_WRITE, not "unexpected error: ENOENT"', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    // As Linux does under a read-only mount: making a folder fails with EROFS, and Node's recursive mkdir of a folder
    // two levels down says ENOENT instead.
    const hook = fsHook(
      'read-only.mjs',
      'mkdirSync',
      `(path, opts) => {
  const p = String(path);
  if (!p.startsWith(process.env.READ_ONLY_ROOT + '/')) return original(path, opts);
  const code = typeof opts === 'object' && opts?.recursive ? 'ENOENT' : 'EROFS';
  throw Object.assign(new Error(code + ": mkdir '" + p + "'"), { code, syscall: 'mkdir', path: p });
}`,
    );
    const out = join(ro, 'snapshots', '2025', 'snap');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    const r = runCli(args, { NODE_OPTIONS: `--import ${hook}`, READ_ONLY_ROOT: ro });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `dissent: cannot write in the snapshot folder ${out}: the file system is read-only; free space or make the folder writable, then run the same command again (a build resumes from its last finished stage), or choose another --out\n`,
    );
  });
});

describe('dissent verify snapshot', () => {
  it('passes an untouched snapshot, and names what was changed in a tampered one', () => {
    const out = join(dir, 'snap-audit');
    const base = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli([...base, '--shard-rows', '700']).status).toBe(0);
    const key = runCli(['log', 'key', '--home', home]).stdout.trim();
    const audit = () => runCli(['verify', 'snapshot', out, '--key', key]);
    const ok = audit();
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ok {3}merkle: root over \d+ records/);
    expect(ok.stdout).toContain('VALID');

    // A shard swapped for another one: the file no longer matches the manifest.
    const shards = readdirSync(join(out, 'data')).sort();
    const first = join(out, 'data', shards[0] as string);
    const original = readFileSync(first);
    writeFileSync(first, readFileSync(join(out, 'data', shards[1] as string)));
    const swapped = audit();
    expect(swapped.status).toBe(1);
    expect(swapped.stdout).toMatch(
      /FAIL files: data\/part-00000\.parquet (does not match its sha256|has \d+ bytes; the manifest says \d+)/,
    );
    writeFileSync(first, original);

    // A shard slipped in beside the listed ones: a training job reading data/ would take it.
    writeFileSync(join(out, 'data', 'part-00099.parquet'), original);
    const extra = audit();
    expect(extra.status).toBe(1);
    expect(extra.stdout).toMatch(/FAIL files: data\/part-00099\.parquet is not listed in the manifest/);
    rmSync(join(out, 'data', 'part-00099.parquet'));

    // Also where the manifest lists no shard at all (nothing kept).
    const empty = join(dir, 'snap-audit-empty');
    const e2ee = join(dir, 'only-e2ee.jsonl');
    writeFileSync(
      e2ee,
      `${JSON.stringify({ id: 'e:1', source: 'facebook', kind: 'post', account: 'fb:a:1', created_at: '2024-05-01T12:00:00Z', visibility: 'public', e2ee: true, text: null })}\n`,
    );
    expect(runCli(['build', '--home', home, '--programme', P, '--input', e2ee, '--out', empty, '--quiet']).status).toBe(
      0,
    );
    expect(readdirSync(join(empty, 'data'))).toEqual([]);
    writeFileSync(join(empty, 'data', 'part-00000.parquet'), original);
    const slipped = runCli(['verify', 'snapshot', empty, '--key', key]);
    expect(slipped.status).toBe(1);
    expect(slipped.stdout).toMatch(/FAIL files: data\/part-00000\.parquet is not listed in the manifest/);

    // A count edited in the manifest: the signature no longer covers it.
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    writeFileSync(
      join(out, 'manifest.json'),
      manifest.replace(/"kept": (\d+)/, (_, n) => `"kept": ${Number(n) - 1}`),
    );
    expect(audit().stdout).toMatch(/FAIL signature/);
    // A made-up manifest without the fields the signature names: a failed check, not "unexpected error".
    writeFileSync(join(out, 'manifest.json'), '{"type": "dissent-snapshot", "v": 1}');
    const bare = audit();
    expect([bare.status, bare.stderr]).toEqual([1, '']);
    expect(bare.stdout).toMatch(/FAIL signature: the signed note does not name this manifest/);
    writeFileSync(join(out, 'manifest.json'), manifest);

    // A missing signature is named as such, not as a missing manifest.
    const sig = readFileSync(join(out, 'manifest.sig'));
    rmSync(join(out, 'manifest.sig'));
    const unsigned = audit();
    expect(unsigned.status).toBe(1);
    expect(unsigned.stdout).toContain(`FAIL format: ${out} holds no manifest.sig\n`);
    writeFileSync(join(out, 'manifest.sig'), sig);

    // The auditor may name the programme and the log expected: another one fails, the right one passes.
    const origin = (JSON.parse(manifest) as { cut: { checkpoint: string } }).cut.checkpoint.split('\n')[0] as string;
    const named = runCli(['verify', 'snapshot', out, '--key', key, '--programme', P, '--origin', origin]);
    expect([named.status, named.stdout]).toEqual([0, expect.stringContaining(`ok   cut: checkpoint of log ${origin}`)]);
    const wrong = runCli(['verify', 'snapshot', out, '--key', key, '--programme', 'other-programme']);
    expect([wrong.status, wrong.stdout]).toEqual([1, expect.stringContaining('not of other-programme')]);
    const staging = runCli(['verify', 'snapshot', out, '--key', key, '--origin', 'staging.example/log']);
    expect([staging.status, staging.stdout]).toEqual([
      1,
      expect.stringContaining('FAIL cut: checkpoint origin is not staging.example/log'),
    ]);

    const other = verifierKeyOf(parseSignerKey(generateSignerKey('other.example/log')));
    expect(runCli(['verify', 'snapshot', out, '--key', other]).stdout).toMatch(/FAIL signature: note is not signed/);
    expect(audit().status).toBe(0);
    // A folder that is not there could not be read: exit 2, as for a missing receipt file.
    const missing = runCli(['verify', 'snapshot', join(dir, 'no-such-snapshot'), '--key', key]);
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringContaining('cannot read the snapshot folder')]);
  });

  it('fails a manifest signed with the right key whose Merkle root, counts or cut do not hold', async () => {
    // As a buggy build (or an operator holding the key) would sign it: the signature and every file's sha256 pass, so
    // only the checks of the content can tell.
    const out = join(dir, 'snap-resigned');
    await withHome(home, async (h) => {
      await runBuild({ home: h, programme: P, inputs: [input], out, shardRows: 700 });
      const original = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
      const key = parseVerifierKey(verifierKeyOf(h.signer));
      const resigned = async (m: Manifest) => {
        const body = formatManifest(m);
        writeFileSync(join(out, 'manifest.json'), body);
        const sha = createHash('sha256').update(body).digest('hex');
        writeFileSync(join(out, 'manifest.sig'), signManifest(m, sha, h.signer));
        return (await verifySnapshot(out, key)).find((c) => !c.ok);
      };
      expect(await resigned(original)).toBeUndefined();
      const merkle = { ...original.merkle, root: '00'.repeat(32) };
      expect(await resigned({ ...original, merkle })).toMatchObject({ name: 'merkle' });
      // A size that is not the kept count fails there already.
      expect(
        await resigned({ ...original, merkle: { ...original.merkle, size: original.merkle.size - 1 } }),
      ).toMatchObject({ name: 'counts' });
      const counts = { ...original.counts, kept: original.counts.kept - 1 };
      expect(await resigned({ ...original, counts })).toMatchObject({ name: 'counts' });
      expect(await resigned({ ...original, cut: { ...original.cut, size: original.cut.size + 1 } })).toMatchObject({
        name: 'cut',
      });
      expect(await resigned(original)).toBeUndefined();
    });
  });

  it("checks a snapshot signed with the programme's own key against the log's with --log-key, and says so without it", () => {
    // A home whose programme signs its manifests with a key_file of its own, as docs/verifying.md describes.
    const own = join(dir, 'home-own-key');
    initHome(own);
    writeFileSync(join(own, 'programme.key'), `${generateSignerKey('example.org/snapshots')}\n`, { mode: 0o600 });
    const config = join(own, 'dissent.config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(/(\n {4}policy: .*\n)/, '$1    key_file: programme.key\n'),
    );
    const out = join(dir, 'snap-own-key');
    const built = runCli(['build', '--home', own, '--programme', P, '--input', input, '--out', out, '--quiet']);
    expect(built.status, built.stderr).toBe(0);
    const programmeKey = runCli(['log', 'key', '--programme', P, '--home', own]).stdout.trim();
    const logKey = runCli(['log', 'key', '--home', own]).stdout.trim();
    expect(programmeKey).not.toBe(logKey);

    const both = runCli(['verify', 'snapshot', out, '--key', programmeKey, '--log-key', logKey]);
    expect(both.status, both.stdout).toBe(0);
    expect(both.stdout).toContain('ok   cut: checkpoint of log ');

    // Without --log-key the cut is checked against the programme's key, which never signs the log: the auditor is
    // told which key signed the cut and how to give it, not left with a bare "not signed" on a genuine snapshot.
    const alone = runCli(['verify', 'snapshot', out, '--key', programmeKey]);
    expect(alone.status).toBe(1);
    expect(alone.stdout).toMatch(
      /FAIL cut: note is not signed by key example\.org\/snapshots \(it is signed by dissent\.example\/log\); .*--log-key/,
    );
    // And the log's key alone names the key the manifest was signed by.
    const logOnly = runCli(['verify', 'snapshot', out, '--key', logKey]);
    expect(logOnly.status).toBe(1);
    expect(logOnly.stdout).toContain(
      'FAIL signature: note is not signed by key dissent.example/log (it is signed by example.org/snapshots)\n',
    );
  });

  it('refuses a build whose programme key cannot be read before any work, saying whose key it is and the way on', () => {
    // It was found only when the manifest was to be signed, after every record had been read and written, with
    // "cannot read the signing key FILE" and nothing more.
    const own = join(dir, 'home-lost-key');
    initHome(own);
    const config = join(own, 'dissent.config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(/(\n {4}policy: .*\n)/, '$1    key_file: programme.key\n'),
    );
    const out = join(dir, 'snap-lost-key');
    const args = ['build', '--home', own, '--programme', P, '--input', input, '--out', out, '--quiet'];
    const refused = runCli(args);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `dissent: cannot read the signing key ${join(own, 'programme.key')}, the key_file of programme ${P} in dissent.config.yaml; put it back from a backup, or make a new one with "dissent log keygen" and publish its verifier key\n`,
    );
    expect(readdirSafe(out)).toEqual([]);
    // The same for the command that prints the key to publish.
    const key = runCli(['log', 'key', '--programme', P, '--home', own]);
    expect([key.status, key.stderr]).toEqual([2, refused.stderr]);
    writeFileSync(join(own, 'programme.key'), `${generateSignerKey('example.org/snapshots')}\n`, { mode: 0o600 });
    const built = runCli(args);
    expect(built.status, built.stderr).toBe(0);
  });

  it('says of a stopped build that it has not finished, and how to finish it', () => {
    const out = join(dir, 'snap-audit-stopped');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    expect(runCli(args, { DISSENT_TEST_KILL_AFTER: 'read' }).signal).toBe('SIGKILL');
    const key = runCli(['log', 'key', '--home', home]).stdout.trim();
    const r = runCli(['verify', 'snapshot', out, '--key', key]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `FAIL format: ${out} holds no manifest.json and no manifest.sig; the build in this folder has not finished (.build/ holds its work): run the same build command again to finish it\n`,
    );
  });
});

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
