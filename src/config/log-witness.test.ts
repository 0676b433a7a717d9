import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dissent, repoPath, spawnTsx } from '../../test/helpers/cli.ts';
import { createTestDatabase, postgresAvailability } from '../../test/helpers/postgres.ts';
import { describeWhere } from '../../test/helpers/requires.ts';
import { initHome } from '../cli/commands/init.ts';
import { openCheckpoint, signCheckpoint } from '../log/checkpoint.ts';
import { EMPTY_ROOT } from '../log/hash.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../log/note.ts';
import { openHome } from './home.ts';
import { LogRolledBackError, WITNESS_FILE } from './log-witness.ts';
import { EXAMPLE_VALUES } from './template.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new home with persons p:1 … p:n in its identity graph. */
async function homeWithPersons(n: number): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'dissent-witness-'));
  dirs.push(root);
  const dir = join(root, 'home');
  initHome(dir);
  const home = await openHome(dir);
  await home.store.upsertAccounts(
    Array.from({ length: n }, (_, i) => ({
      account: `fb:a:${i + 1}`,
      person: `p:${i + 1}`,
      source: 'facebook',
      handle: null,
      display_name: null,
      email: null,
      birth_date: null,
      country: null,
    })),
  );
  await home.close();
  return dir;
}

/** The size of the registry's latest checkpoint, which must be signed by the home's own key. */
async function ownCheckpointSize(dir: string): Promise<number> {
  const home = await openHome(dir);
  try {
    const verifier = parseVerifierKey(verifierKeyOf(home.signer));
    return openCheckpoint((await home.registry.latestCheckpoint()).note, verifier).size;
  } finally {
    await home.close();
  }
}

async function object(dir: string, ...persons: string[]): Promise<void> {
  const home = await openHome(dir);
  try {
    await home.registry.objectMany(persons.map((subject) => ({ subject, channel: 'cli' as const })));
  } finally {
    await home.close();
  }
}

/** Puts `backup` in place of the home's registry, as docs/portal.md says to restore one. */
function restore(dir: string, backup: string): void {
  for (const f of ['', '-wal', '-shm']) rmSync(join(dir, `registry.db${f}`), { force: true });
  copyFileSync(backup, join(dir, 'registry.db'));
}

async function backup(dir: string): Promise<string> {
  const file = join(dir, '..', `backup-${Date.now()}.db`);
  const home = await openHome(dir);
  try {
    await home.store.backup(file);
  } finally {
    await home.close();
  }
  return file;
}

describe('the log witness', () => {
  it("keeps the latest checkpoint the home's log signed, owner-only, beside the registry", async () => {
    const dir = await homeWithPersons(3);
    await object(dir, 'p:1', 'p:2');
    const home = await openHome(dir);
    try {
      const latest = await home.registry.latestCheckpoint();
      const file = join(dir, WITNESS_FILE);
      expect(readFileSync(file, 'utf8')).toBe(latest.note);
      expect(latest.size).toBe(2);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await home.close();
    }
  });

  it('refuses a registry restored from an older backup, before anything is appended or built', async () => {
    const dir = await homeWithPersons(4);
    await object(dir, 'p:1');
    const old = await backup(dir);
    await object(dir, 'p:2', 'p:3');
    restore(dir, old);

    const refused = await openHome(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LogRolledBackError);
    expect(refused).toMatchObject({ code: 'E_LOG_BEHIND', witnessSize: 3, logSize: 1 });
    expect((refused as Error).message).toContain(
      `the registry's log (${join(dir, 'registry.db')}, named by database.url in dissent.config.yaml) holds 1 entries, but this home's log signed a checkpoint of 3`,
    );
    expect((refused as Error).message).toContain('2 acknowledged objection(s) or withdrawal(s) are missing');

    // The CLI says the same and exits 2, for a new objection and for a build alike; nothing was appended.
    const cli = dissent(['object', '--home', dir, '--subject', 'p:4']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(
      'the registry was restored from an older backup, replaced by an older copy or started anew',
    );
    expect(cli.stderr).not.toContain('p:4');
    const input = join(dir, '..', 'posts.jsonl');
    writeFileSync(input, '');
    const build = dissent([
      'build',
      '--home',
      dir,
      '--programme',
      'ai-training-2025',
      '--input',
      input,
      '--out',
      join(dir, '..', 'snap'),
    ]);
    expect(build.code).toBe(2);
    expect(build.stderr).toContain('a build would not honour the missing objections');

    // The log's own commands still show the restored log, with the warning, and change nothing.
    const cp = dissent(['log', 'checkpoint', '--home', dir]);
    expect(cp.code).toBe(0);
    expect(cp.stdout.split('\n')[1]).toBe('1');
    expect(cp.stderr).toContain("dissent: warning: the registry's log (");
    expect(cp.stderr).toContain(') holds 1 entries');
    const again = await openHome(dir).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'E_LOG_BEHIND', witnessSize: 3, logSize: 1 });
  });

  it('goes on with a restored log under a new key and origin, as docs/portal.md says to when no backup holds the lost entries', async () => {
    const dir = await homeWithPersons(4);
    await object(dir, 'p:1');
    const old = await backup(dir);
    await object(dir, 'p:2', 'p:3');
    restore(dir, old);
    // "start a new log (a new key with dissent log keygen, and a new log.origin in the config)"
    rmSync(join(dir, 'log.key'));
    const keygen = dissent(['log', 'keygen', '--out', join(dir, 'log.key'), '--name', 'restored.example/log']);
    expect(keygen.code).toBe(0);
    const config = join(dir, 'dissent.config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('origin: "dissent.example/log"', 'origin: "restored.example/log"'),
    );
    const cli = dissent(['object', '--home', dir, '--subject', 'p:4']);
    expect(cli.code, cli.stderr).toBe(0);
    const home = await openHome(dir);
    try {
      const verifier = parseVerifierKey(verifierKeyOf(home.signer));
      expect(openCheckpoint((await home.registry.latestCheckpoint()).note, verifier, 'restored.example/log').size).toBe(
        2,
      );
    } finally {
      await home.close();
    }
  });

  it('opens the newest backup, which holds every entry the witness covers', async () => {
    const dir = await homeWithPersons(3);
    await object(dir, 'p:1', 'p:2');
    const newest = await backup(dir);
    restore(dir, newest);
    await object(dir, 'p:3');
    const home = await openHome(dir);
    try {
      expect(home.registry.size).toBe(3);
    } finally {
      await home.close();
    }
  });

  it('refuses a registry that was appended to after an older copy was put back: a fork of the published log', async () => {
    const dir = await homeWithPersons(4);
    await object(dir, 'p:1');
    const old = await backup(dir);
    await object(dir, 'p:2', 'p:3');
    const witness = readFileSync(join(dir, WITNESS_FILE), 'utf8');
    restore(dir, old);
    // Without the witness (as an older dissent, or an operator who removed it), the restored log takes new entries at
    // the indices the lost ones had.
    rmSync(join(dir, WITNESS_FILE));
    await object(dir, 'p:4', 'p:2');
    writeFileSync(join(dir, WITNESS_FILE), witness);
    const forked = await openHome(dir).catch((e: unknown) => e);
    expect(forked).toMatchObject({ code: 'E_LOG_FORKED', witnessSize: 3, logSize: 3 });
    expect((forked as Error).message).toContain('so the log has forked');
  });

  it("ignores a witness that is not this log's (another key or origin, or a damaged file) and replaces it", async () => {
    const dir = await homeWithPersons(4);
    const home = await openHome(dir);
    const origin = home.registry.origin;
    await home.close();
    const stranger = parseSignerKey(generateSignerKey('elsewhere.example/log'));
    const big = { size: 99, root: EMPTY_ROOT.map((b) => b ^ 1) };
    for (const [i, text] of [
      signCheckpoint({ origin, ...big }, stranger),
      signCheckpoint({ origin: 'elsewhere.example/log', ...big }, stranger),
      'not a checkpoint',
      '',
    ].entries()) {
      writeFileSync(join(dir, WITNESS_FILE), text);
      await object(dir, `p:${i + 1}`);
      const reopened = await openHome(dir);
      const verifier = parseVerifierKey(verifierKeyOf(reopened.signer));
      const cp = openCheckpoint(readFileSync(join(dir, WITNESS_FILE), 'utf8'), verifier, origin);
      expect(cp.size).toBe(reopened.registry.size);
      await reopened.close();
    }
  });

  it('is written by two processes of one home at once (a server beside the CLI, or two servers in a deploy) without a warning or a damaged file', async () => {
    const dir = await homeWithPersons(2);
    await object(dir, 'p:1');
    const run = () => {
      const child = spawnTsx(repoPath('test', 'helpers', 'witness-writes.ts'), [dir, '1500']);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
        child.on('close', (code) => resolve({ code, stdout, stderr })),
      );
    };
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    expect(readdirSync(dir).filter((f) => f.startsWith(WITNESS_FILE))).toEqual([WITNESS_FILE]);
  }, 30_000);

  it('refuses a registry started anew under the same key without signing a checkpoint in it first', async () => {
    const dir = await homeWithPersons(2);
    await object(dir, 'p:1', 'p:2');
    for (const f of ['', '-wal', '-shm']) rmSync(join(dir, `registry.db${f}`), { force: true });
    writeFileSync(join(dir, 'registry.db'), '');
    const cli = dissent(['object', '--home', dir, '--subject', 'p:1']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(") holds 0 entries, but this home's log signed a checkpoint of 2");
    expect(cli.stderr).toContain('Nothing was changed.');
    // The section with the steps for either store ("Restoring" is SQLite's).
    expect(cli.stderr).toContain('see "The log witness" in docs/portal.md');
    const db = new Database(join(dir, 'registry.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT size FROM checkpoints').all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("names the registry it opened, so that a shell without the server's DATABASE_URL is told apart from a lost registry", async () => {
    const dir = await homeWithPersons(2);
    const elsewhere = join(dir, '..', 'data', 'registry.db');
    mkdirSync(join(dir, '..', 'data'));
    const env = { DATABASE_URL: `sqlite:${elsewhere}` };
    // The registry kept elsewhere, as a server's DATABASE_URL names it; the home keeps an empty registry.db.
    renameSync(join(dir, 'registry.db'), elsewhere);
    writeFileSync(join(dir, 'registry.db'), '');
    expect(dissent(['object', '--home', dir, '--subject', 'p:1'], { env }).code).toBe(0);
    // Without DATABASE_URL, the command opens the empty registry.db that dissent init made in the home.
    const cli = dissent(['object', '--home', dir, '--subject', 'p:2']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(
      `the registry's log (${join(dir, 'registry.db')}, named by database.url in dissent.config.yaml) holds 0 entries`,
    );
    expect(cli.stderr).toContain("a DATABASE_URL or database.url other than the server's");
    expect(cli.stderr).not.toContain('p:2');
    expect(dissent(['object', '--home', dir, '--subject', 'p:2'], { env }).code).toBe(0);
  });

  it("refuses to sign a registry's log with another key under the same origin: a second host set up with its own dissent init", async () => {
    const dir = await homeWithPersons(3);
    await object(dir, 'p:1');
    // A second host's home, made by dissent init with the log's origin, over the first home's registry.
    const second = join(dir, '..', 'second');
    initHome(second);
    const env = { DATABASE_URL: `sqlite:${join(dir, 'registry.db')}` };
    const cli = dissent(['object', '--home', second, '--subject', 'p:2'], { env });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(
      `the registry's log (${join(dir, 'registry.db')}, named by the DATABASE_URL environment variable) is signed for dissent.example/log by another key than this home's (${join(second, 'log.key')})`,
    );
    expect(cli.stderr).toContain('copy log.key');
    expect(cli.stderr).not.toContain('p:2');
    // Nothing was appended or signed: the first home's log goes on, under its own key.
    await object(dir, 'p:2');
    expect(await ownCheckpointSize(dir)).toBe(2);
  });

  it('starts a new log over a registry whose log key was lost, once the new home takes its latest checkpoint as witness', async () => {
    const dir = await homeWithPersons(3);
    await object(dir, 'p:1', 'p:2');
    // The home is lost with log.key; the registry survives (a PostgreSQL database, say). A new home, with a new key
    // and a new origin, as a new log needs.
    rmSync(join(dir, 'log.key'));
    const fresh = join(dir, '..', 'fresh');
    initHome(fresh, { ...EXAMPLE_VALUES, origin: 'new.example/log' });
    const env = { DATABASE_URL: `sqlite:${join(dir, 'registry.db')}` };
    const refused = dissent(['object', '--home', fresh, '--subject', 'p:3'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('If that key is lost, start a new log here instead');
    // As the refusal and docs/portal.md say: the registry's latest checkpoint, written as the new home's witness,
    // says that this home takes the log over.
    const shown = dissent(['log', 'checkpoint', '--home', fresh], { env });
    expect(shown.code).toBe(0);
    writeFileSync(join(fresh, WITNESS_FILE), shown.stdout);
    const cli = dissent(['object', '--home', fresh, '--subject', 'p:3'], { env });
    expect(cli.code, cli.stderr).toBe(0);
    // The new log goes on from the old one's entries, signed by the new key for the new origin.
    const signer = parseSignerKey(readFileSync(join(fresh, 'log.key'), 'utf8').trim());
    const after = dissent(['log', 'checkpoint', '--home', fresh], { env });
    const cp = openCheckpoint(after.stdout, parseVerifierKey(verifierKeyOf(signer)));
    expect([cp.origin, cp.size]).toEqual(['new.example/log', 3]);
  });

  it('refuses a registry whose log another home keeps under another origin, naming both origins', async () => {
    const dir = await homeWithPersons(2);
    await object(dir, 'p:1');
    const second = join(dir, '..', 'second');
    initHome(second, { ...EXAMPLE_VALUES, origin: 'other.example/log' });
    const env = { DATABASE_URL: `sqlite:${join(dir, 'registry.db')}` };
    const cli = dissent(['object', '--home', second, '--subject', 'p:2'], { env });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(
      "is the log of dissent.example/log, not of other.example/log (log.origin in this home's config)",
    );
    // The log's commands only read: as for a registry behind the witness, they warn, so that the operator can compare
    // the registry's checkpoint and this home's key with the published ones. Nothing is signed or witnessed.
    const shown = dissent(['log', 'checkpoint', '--home', second], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain('dissent: warning: ');
    expect(shown.stderr).toContain('is the log of dissent.example/log, not of other.example/log');
    expect(shown.stdout.split('\n')[0]).toBe('dissent.example/log');
    expect(existsSync(join(second, WITNESS_FILE))).toBe(false);
    // The first home's log goes on under its own key and origin.
    await object(dir, 'p:2');
    expect(await ownCheckpointSize(dir)).toBe(2);
  });

  it('says so when the witness is there but cannot be read, rather than skipping the check unnoticed', async () => {
    const dir = await homeWithPersons(1);
    await object(dir, 'p:1');
    rmSync(join(dir, WITNESS_FILE));
    mkdirSync(join(dir, WITNESS_FILE));
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      said.push(String(chunk));
      return true;
    });
    try {
      await (await openHome(dir)).close();
    } finally {
      spy.mockRestore();
    }
    expect(said.join('')).toContain(`dissent: warning: cannot read ${join(dir, WITNESS_FILE)} (EISDIR)`);
  });
});

describeWhere(await postgresAvailability(), 'the log witness of a PostgreSQL registry', () => {
  it('refuses a PostgreSQL registry behind the witness, naming its url without the password', async () => {
    const db = await createTestDatabase();
    const saved = process.env.DATABASE_URL;
    try {
      const { url, password } = await db.withPassword();
      process.env.DATABASE_URL = url;
      const dir = await homeWithPersons(2);
      await object(dir, 'p:1', 'p:2');
      expect(readFileSync(join(dir, WITNESS_FILE), 'utf8')).toMatch(/^.*\n2\n/);
      // The same home over another, empty database: a registry started anew under the home's key.
      const other = await createTestDatabase();
      try {
        const { url: otherUrl, password: otherPassword } = await other.withPassword();
        process.env.DATABASE_URL = otherUrl;
        const refused = await openHome(dir).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(LogRolledBackError);
        expect((refused as Error).message).toContain(
          `the registry's log (${otherUrl.replace(otherPassword, '***')}, named by the DATABASE_URL environment variable) holds 0 entries, but this home's log signed a checkpoint of 2`,
        );
        expect((refused as Error).message).not.toContain(otherPassword);
        expect((refused as Error).message).not.toContain(password);
      } finally {
        await other.drop();
      }
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      await db.drop();
    }
  });
});
