import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sessionUrl } from '../../src/registry/postgres/pg-url.ts';
import type { Requirement } from './requires.ts';

/** The server the PostgreSQL tests use: DISSENT_TEST_DATABASE_URL, else the local one over its unix socket. */
export const TEST_DATABASE_URL =
  process.env.DISSENT_TEST_DATABASE_URL ?? 'postgresql:///postgres?host=/var/run/postgresql';

/** Whether a PostgreSQL server answers at TEST_DATABASE_URL, and if not, why (never with its password). */
export async function postgresAvailability(): Promise<Requirement> {
  const client = new pg.Client({ connectionString: sessionUrl(TEST_DATABASE_URL), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (e) {
    const why = (e as { code?: string }).code ?? (e as Error).message;
    return {
      ok: false,
      reason: `no PostgreSQL server answers at DISSENT_TEST_DATABASE_URL or the local socket (${why}); apt-get install postgresql, start it and create a role for this user`,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** A database of this test run's own, dropped at the end. */
export interface TestDatabase {
  readonly name: string;
  /** A url of the database. */
  readonly url: string;
  /** A url of the database whose tables live in `schema` (created if needed): a fresh, empty registry per schema. */
  inSchema(schema: string): Promise<string>;
  drop(): Promise<void>;
}

/** Runs one statement as the test server's user, outside any test database. */
async function admin(sql: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: sessionUrl(url) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates `dissent_test_<pid>_<random>` on the test server; with `icu`, sorting text by ICU's root collation (as a
 * database made with a language's locale does: 'a' before 'B') instead of the server's default.
 */
export async function createTestDatabase(opts: { icu?: boolean } = {}): Promise<TestDatabase> {
  const name = `dissent_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(
    opts.icu
      ? `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C.UTF-8'`
      : `CREATE DATABASE ${name}`,
  );
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    inSchema: async (schema) => {
      await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`, url.toString());
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.toString();
    },
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
