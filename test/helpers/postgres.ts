import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
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
  /**
   * A url of the database over TCP as a role that logs in with a password (made the database's owner), as a
   * server's DATABASE_URL usually is; the password is `password` of the result.
   */
  withPassword(): Promise<{ url: string; password: string }>;
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
 * Creates `dissent_test_<pid>_<random>` on the test server; with `sqlAscii`, in the SQL_ASCII encoding (no Unicode,
 * as an old cluster made with a C locale has); with `icu`, sorting text by ICU's root collation (as a
 * database made with a language's locale does: 'a' before 'B') instead of the server's default.
 */
export async function createTestDatabase(opts: { icu?: boolean; sqlAscii?: boolean } = {}): Promise<TestDatabase> {
  const name = `dissent_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(
    opts.icu
      ? `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C.UTF-8'`
      : opts.sqlAscii
        ? `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'SQL_ASCII' LOCALE 'C'`
        : `CREATE DATABASE ${name}`,
  );
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  let withPassword: Promise<{ url: string; password: string }> | undefined;
  return {
    name,
    url: url.toString(),
    inSchema: async (schema) => {
      await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`, url.toString());
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.toString();
    },
    withPassword: () => {
      withPassword ??= passwordRole(name);
      return withPassword;
    },
    drop: async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin(`DROP ROLE IF EXISTS ${name}_pw`);
    },
  };
}

/** Makes a role that logs in with a password and owns the database `name`; returns a TCP url of the database as it. */
async function passwordRole(name: string): Promise<{ url: string; password: string }> {
  const password = `s3cret-${randomBytes(6).toString('hex')}`;
  const role = `${name}_pw`;
  await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin(`ALTER DATABASE ${name} OWNER TO ${role}`);
  const tcp = new URL(TEST_DATABASE_URL);
  const host = tcp.hostname || 'localhost';
  const port = tcp.port ? `:${tcp.port}` : '';
  return { url: `postgresql://${role}:${password}@${host}${port}/${name}`, password };
}

/**
 * For a describe block that runs dissent on PostgreSQL as a server's DATABASE_URL names it: a database of the run's
 * own, made before its tests and dropped after them, and the url (in `env`) of a role that logs in with `password`.
 * The fields are set once beforeAll has run.
 */
export function useTestRegistry(): { db: TestDatabase; env: NodeJS.ProcessEnv; password: string } {
  const given = {} as { db: TestDatabase; env: NodeJS.ProcessEnv; password: string };
  beforeAll(async () => {
    given.db = await createTestDatabase();
    const role = await given.db.withPassword();
    given.password = role.password;
    given.env = { DATABASE_URL: role.url };
  });
  afterAll(async () => {
    await given.db?.drop();
  });
  return given;
}
