import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initHome } from '../cli/commands/init.ts';
import { loadConfig } from './config.ts';
import { openStore } from './home.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'dissent-home-'));

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
    for (const how of ['env', 'config'] as const) {
      const home = freshHome();
      const config = loadConfig(home);
      if (how === 'env') process.env.DATABASE_URL = `sqlite:${elsewhere}`;
      else delete process.env.DATABASE_URL;
      const store = await openStore(how === 'env' ? config : { ...config, database: { url: `sqlite:${elsewhere}` } });
      await store.upsertAccounts([
        {
          account: `fb:a:${how}`,
          person: 'p:1',
          source: 'facebook',
          handle: null,
          display_name: null,
          email: null,
          birth_date: null,
          country: null,
        },
      ]);
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
