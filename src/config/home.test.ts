import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailability, type TestDatabase } from '../../test/helpers/postgres.ts';
import { describeWhere } from '../../test/helpers/requires.ts';
import { initHome } from '../cli/commands/init.ts';
import { loadConfig } from './config.ts';
import { openHome, openStore } from './home.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'dissent-home-'));

/** An account of person p:1 with nothing but its ids. */
const account = (id: string) => ({
  account: id,
  person: 'p:1',
  source: 'facebook',
  handle: null,
  display_name: null,
  email: null,
  birth_date: null,
  country: null,
});

function freshHome(): string {
  const dir = join(tempDir(), 'home');
  initHome(dir);
  return dir;
}

describe('openStore', () => {
  const saved = process.env.DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('opens an absolute sqlite: path where it points, not inside the home', async () => {
    const elsewhere = join(tempDir(), 'registry.db');
    writeFileSync(elsewhere, '');
    for (const how of ['env', 'config'] as const) {
      const home = freshHome();
      const config = loadConfig(home);
      if (how === 'env') process.env.DATABASE_URL = `sqlite:${elsewhere}`;
      else delete process.env.DATABASE_URL;
      const store = await openStore(how === 'env' ? config : { ...config, database: { url: `sqlite:${elsewhere}` } });
      await store.upsertAccounts([account(`fb:a:${how}`)]);
      await store.close();
      // A second, empty registry inside the home would honour none of the objections in the real one.
      expect(existsSync(join(home, elsewhere))).toBe(false);
    }
    delete process.env.DATABASE_URL;
    const home = freshHome();
    const store = await openStore({ ...loadConfig(home), database: { url: `sqlite:${elsewhere}` } });
    expect(await store.countAccounts()).toEqual({ accounts: 2, persons: 1 });
    await store.close();
  });

  it('refuses a registry file that does not exist outside the home, instead of starting an empty one there', async () => {
    const home = freshHome();
    const config = loadConfig(home);
    const typo = join(tempDir(), 'registy.db');
    for (const how of ['env', 'config'] as const) {
      if (how === 'env') process.env.DATABASE_URL = `sqlite:${typo}`;
      else delete process.env.DATABASE_URL;
      const opening = openStore(how === 'env' ? config : { ...config, database: { url: 'sqlite:data/registy.db' } });
      await expect(opening).rejects.toThrow(
        how === 'env' ? /DATABASE_URL .*does not exist/ : /database\.url .*does not exist/,
      );
      await expect(opening).rejects.toThrow(/touch /);
    }
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(join(home, 'data'))).toBe(false);
    // An empty file is a new registry, by the operator's choice; dissent init made the home's own. It holds e-mails,
    // names and birth dates: readable by its owner only, whatever mode `touch` gave it.
    writeFileSync(typo, '', { mode: 0o644 });
    chmodSync(typo, 0o644);
    process.env.DATABASE_URL = `sqlite:${typo}`;
    await (await openStore(config)).close();
    expect(statSync(typo).mode & 0o777).toBe(0o600);
    delete process.env.DATABASE_URL;
    await (await openStore(config)).close();
    expect(existsSync(join(home, 'registry.db'))).toBe(true);
  });

  it("refuses a home whose registry.db was lost, instead of starting the log over under the home's key", async () => {
    delete process.env.DATABASE_URL;
    const home = freshHome();
    const config = loadConfig(home);
    const registry = join(home, 'registry.db');
    const first = await openStore(config);
    await first.upsertAccounts([account('fb:a:1')]);
    await first.close();
    for (const f of ['', '-wal', '-shm']) rmSync(`${registry}${f}`, { force: true });
    await expect(openStore(config)).rejects.toThrow(
      `the registry file ${registry} is missing from the home: it holds every objection and the log; restore it from a backup; to start a new, empty registry and log there on purpose, create the file first: touch ${registry}`,
    );
    expect(existsSync(registry)).toBe(false);
  });

  it('refuses a sqlite: url that names no file, or a sqlite:// url whose path it would have to guess', async () => {
    delete process.env.DATABASE_URL;
    const home = freshHome();
    const config = loadConfig(home);
    for (const url of ['sqlite:', 'sqlite:///registry.db', 'sqlite:////srv/registry.db']) {
      await expect(openStore({ ...config, database: { url } })).rejects.toThrow(
        /database\.url in dissent\.config\.yaml .*sqlite:PATH/,
      );
    }
  });
});

describeWhere(await postgresAvailability(), 'openStore on PostgreSQL', () => {
  const saved = process.env.DATABASE_URL;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('opens the PostgreSQL registry that DATABASE_URL or database.url names, and migrates it', async () => {
    const home = freshHome();
    const config = loadConfig(home);
    const { url } = await db.withPassword();
    process.env.DATABASE_URL = url;
    const viaEnv = await openStore(config);
    await viaEnv.upsertAccounts([account('fb:a:1')]);
    await viaEnv.close();
    delete process.env.DATABASE_URL;
    const viaConfig = await openStore({ ...config, database: { url } });
    expect(await viaConfig.countAccounts()).toEqual({ accounts: 1, persons: 1 });
    await viaConfig.close();
    // The whole home over it: a registry and its log, with the first checkpoint signed.
    process.env.DATABASE_URL = url;
    const opened = await openHome(home);
    expect((await opened.registry.latestCheckpoint()).size).toBe(0);
    await opened.close();
  });

  it('names a PostgreSQL registry it cannot open by its setting and its url without the password', async () => {
    const home = freshHome();
    const config = loadConfig(home);
    const { url, password } = await db.withPassword();
    const wrongDb = `${url.slice(0, url.lastIndexOf('/'))}/no_such_registry`;
    process.env.DATABASE_URL = wrongDb;
    const opening = openStore(config);
    await expect(opening).rejects.toThrow(/the DATABASE_URL environment variable/);
    await expect(opening).rejects.toThrow(wrongDb.replace(password, '***'));
    await expect(opening).rejects.toThrow(/does not exist: create it first .*; or unset DATABASE_URL/);
    await opening.catch((e: Error) => expect(e.message).not.toContain(password));
    delete process.env.DATABASE_URL;
    const unreachable = openStore({ ...config, database: { url: 'postgresql://ops:hunter2@127.0.0.1:1/app' } });
    await expect(unreachable).rejects.toThrow(
      'the registry postgresql://ops:***@127.0.0.1:1/app, named by database.url in dissent.config.yaml, cannot be reached',
    );
    await unreachable.catch((e: Error) => expect(e.message).not.toContain('hunter2'));
  });
});
