import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailability, type TestDatabase } from '../../../test/helpers/postgres.ts';
import { describeWhere } from '../../../test/helpers/requires.ts';
import type { Programme } from '../../config/config.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../../log/note.ts';
import { verifyReceipt } from '../../log/receipt.ts';
import { InputError, UnavailableError } from '../../shared/errors.ts';
import { importAccounts } from '../identities.ts';
import { foldLookupKey, MIGRATIONS } from '../migrations.ts';
import { Registry } from '../registry.ts';
import { describeStore, objection } from '../store.contract.ts';
import { LogConflictError } from '../store.ts';
import type { AccountRow } from '../types.ts';
import { COMMIT_LOCK, PgStore } from './pg-store.ts';
import { maskUrl, sessionUrl } from './pg-url.ts';

const available = await postgresAvailability();

let db: TestDatabase;
let schemas = 0;
/** A fresh, empty registry: a schema of its own in this run's database. */
const freshUrl = () => db.inSchema(`s${++schemas}`);
const openFresh = async (opts = {}) => new PgStore(await freshUrl(), opts);

/** Runs one statement in this run's database as its owner. */
async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  // As a plain client connects: the user the process runs as, none of the store's session settings.
  const u = new URL(url);
  if (u.username === '' && !u.searchParams.has('user')) u.searchParams.set('user', userInfo().username);
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

const PROGRAMME: Programme = {
  id: 'prog',
  title: 'prog',
  purpose: 'train_ai_system',
  legal_basis: 'legitimate_interest',
  jurisdictions: ['EU'],
  notice_date: new Date('2025-04-14T00:00:00Z'),
  deadline: new Date('2025-06-01T00:00:00Z'),
  grace_window: 72 * 3_600_000,
  policy: '/dev/null',
};

const account = (n: number, over: Partial<AccountRow> = {}): AccountRow => ({
  account: `fb:a:${n}`,
  person: `p:${n}`,
  source: 'facebook',
  handle: `user${n}`,
  display_name: null,
  email: null,
  birth_date: '1990-01-01',
  country: 'DE',
  ...over,
});

describeWhere(available, 'PostgreSQL store', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  describeStore('PostgreSQL', openFresh);

  it('runs every session with synchronous_commit on, also where the database defaults to off', async () => {
    // A database (or role, or server) set to off answers a commit before it is on disk: a power cut then loses
    // objections whose receipts went out.
    await sql(db.url, `ALTER DATABASE ${db.name} SET synchronous_commit = off`);
    try {
      const url = await freshUrl();
      expect((await sql<{ s: string }>(url, 'SELECT current_setting($1) AS s', ['synchronous_commit']))[0]?.s).toBe(
        'off',
      );
      const s = new PgStore(url);
      await s.migrate();
      expect(await s.sessionSetting('synchronous_commit')).toBe('on');
      await s.close();
    } finally {
      await sql(db.url, `ALTER DATABASE ${db.name} RESET synchronous_commit`);
    }
  });

  it('applies every migration on PostgreSQL, and refuses a schema made by a newer dissent', async () => {
    const url = await freshUrl();
    const s = new PgStore(url);
    expect(await s.migrate()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    await s.close();
    const versions = await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await sql(url, "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00Z')");
    const again = new PgStore(url);
    await expect(again.migrate()).rejects.toThrow(/schema version 99, made by a newer dissent/);
    await again.close();
  });

  it('refuses a database whose encoding is not UTF8, saying how to make one', async () => {
    const ascii = await createTestDatabase({ sqlAscii: true });
    try {
      const s = new PgStore(ascii.url, { source: 'the DATABASE_URL environment variable' });
      const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
      await s.close();
      expect(e.message).toContain(
        `the registry ${maskUrl(ascii.url)}, named by the DATABASE_URL environment variable,`,
      );
      expect(e.message).toContain('is a database in the SQL_ASCII encoding');
      expect(e.message).toContain('createdb --encoding=UTF8 --template=template0');
      expect(e.code).toBe('E_DB');
      // Nothing was made there.
      expect(await sql(ascii.url, "SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations'")).toEqual([]);
    } finally {
      await ascii.drop();
    }
  });

  it('refuses a registry an older dissent made in another encoding than UTF8, saying how to move it into UTF8', async () => {
    const ascii = await createTestDatabase({ sqlAscii: true });
    try {
      // The registry as an older dissent, which took any encoding, left it: its tables and an account in it.
      await sql(
        ascii.url,
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT); CREATE TABLE accounts (account TEXT)',
      );
      await sql(ascii.url, "INSERT INTO schema_migrations VALUES (8, 'pg', '2025-01-01T00:00:00Z')");
      await sql(ascii.url, "INSERT INTO accounts VALUES ('fb:a:1')");
      const s = new PgStore(ascii.url);
      const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
      await s.close();
      expect(e.message).toContain('is a database in the SQL_ASCII encoding');
      // Its objections and log must go along: a new, empty database would be refused by the log witness.
      expect(e.message).toContain('pg_dump --format=custom');
      expect(e.message).toContain('pg_restore --no-owner');
      expect(e.code).toBe('E_DB');
      expect(await sql(ascii.url, 'SELECT account FROM accounts')).toEqual([{ account: 'fb:a:1' }]);
    } finally {
      await ascii.drop();
    }
  });

  it('migrates once when several processes start at the same time', async () => {
    const url = await freshUrl();
    const stores = Array.from({ length: 4 }, () => new PgStore(url));
    await Promise.all(stores.map((s) => s.migrate()));
    await Promise.all(stores.map((s) => s.close()));
    const n = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM schema_migrations');
    expect(n[0]?.n).toBe(MIGRATIONS.length);
  });

  it('finds by handle or e-mail exactly what the folded lookup key finds, for any input', async () => {
    const s = await openFresh();
    await s.migrate();
    // The characters where an SQL fold parts from JS's: invisible ones beyond a short list (U+3164, tag characters,
    // U+180E), whitespace other than a space, İ and a final Σ, full-width forms, combining marks, '@'.
    const alphabet = [
      'a',
      'A',
      'ß',
      'İ',
      'i',
      'Σ',
      'σ',
      'ς',
      '\u0307',
      'ü',
      'u\u0308',
      'Ａ',
      '@',
      ' ',
      '\t',
      '\u3000',
      '\u00a0',
      '\u200b',
      '\u3164',
      '\u{e0041}',
      '\u180e',
      '\u115f',
      'ﬁ',
      '.',
    ];
    const text = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
    const stored = fc.sample(text, { numRuns: 60, seed: 21 });
    await s.upsertAccounts(stored.map((handle, i) => account(i, { handle, email: `${handle}@x` })));
    const typed = [...stored, ...fc.sample(text, { numRuns: 200, seed: 7 })];
    for (const t of typed) {
      const key = foldLookupKey(t);
      const bare = key.startsWith('@') ? key.slice(1) : key;
      const expected = stored
        .map((h, i) => ({ h, i }))
        .filter(({ h }) => {
          const f = foldLookupKey(h);
          return f === bare || f === `@${bare}` || foldLookupKey(`${h}@x`) === key;
        })
        .map(({ i }) => `fb:a:${i}`)
        .sort();
      expect((await s.findAccounts(t)).map((a) => a.account).sort(), JSON.stringify(t)).toEqual(expected);
    }
    // Two that version 7's SQL fold missed.
    await s.upsertAccounts([account(900, { handle: 'ha\u3164nna' }), account(901, { handle: 'Tab\tbed' })]);
    expect((await s.findAccounts('hanna')).map((a) => a.account)).toEqual(['fb:a:900']);
    expect((await s.findAccounts('tab\tbed ')).map((a) => a.account)).toEqual(['fb:a:901']);
    await s.close();
  });

  it('fills the folded columns of accounts written before the migration that adds them', async () => {
    const url = await freshUrl();
    // A registry of schema version 7, with an account in it.
    const c = new pg.Client({ connectionString: sessionUrl(url) });
    await c.connect();
    await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 7)) {
      await c.query(m.postgres);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, '2025-05-01T00:00:00Z']);
    }
    await c.query(
      `INSERT INTO accounts (account, person, source, handle, email, updated_at)
       VALUES ('fb:a:1', 'p:1', 'facebook', 'JÜRGEN\u3164', 'Jürgen@Example.org', '2025-05-01T00:00:00Z')`,
    );
    await c.end();
    const s = new PgStore(url);
    await s.migrate();
    expect((await s.findAccounts('jürgen')).map((a) => a.account)).toEqual(['fb:a:1']);
    expect((await s.findAccounts('JÜRGEN@EXAMPLE.ORG')).map((a) => a.account)).toEqual(['fb:a:1']);
    await s.close();
  });

  it('lists accounts in code point order, as SQLite does, whatever the database collation', async () => {
    const icu = await createTestDatabase({ icu: true });
    const s = new PgStore(icu.url);
    try {
      await s.migrate();
      const ids = ['fb:a:B', 'fb:a:a', 'fb:a:_', 'fb:a:Z', 'fb:a:ä'];
      await s.upsertAccounts(ids.map((id, i) => ({ ...account(i), account: id })));
      const listed: string[] = [];
      for await (const batch of s.iterateAccounts(2)) listed.push(...batch.map((a) => a.account));
      expect(listed).toEqual([...ids].sort());
    } finally {
      await s.close();
      await icu.drop();
    }
  });

  it('names an unreachable server, a wrong password and a missing database by the url without its password', async () => {
    // A server out of reach may be back in a moment (a server answers 503 with Retry-After); a missing database not.
    const cases: [string, RegExp, string][] = [
      ['postgresql://dissent:hunter2@127.0.0.1:1/registry', /cannot be reached/, 'E_DB_UNAVAILABLE'],
      [`${db.url.replace(db.name, 'no_such_database_here')}`, /database that does not exist/, 'E_DB'],
    ];
    for (const [url, why, code] of cases) {
      const s = new PgStore(url, { source: 'the DATABASE_URL environment variable' });
      const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
      expect(e.message, url).toMatch(why);
      expect(e.message).toContain(maskUrl(url));
      expect(e.message).toContain('DATABASE_URL');
      expect(e.message).not.toContain('hunter2');
      expect(e.code).toBe(code);
      // The server's fault when it happens in the middle of a request (a 5xx that names nothing), not the client's.
      expect(e).not.toBeInstanceOf(InputError);
      await s.close();
    }
    // A role with a password, over TCP where the server asks for it.
    const right = await db.withPassword();
    const wrong = right.url.replace(right.password, 'wrong%20one');
    const s = new PgStore(wrong);
    const e = (await s.migrate().catch((x: unknown) => x)) as Error;
    await s.close();
    expect(e.message).not.toContain('wrong');
    expect(e.message).toContain(maskUrl(wrong));
    expect(maskUrl(wrong)).toMatch(/^postgresql:\/\/dissent_test_\w+_pw:\*\*\*@/);
    expect(e.message).toMatch(/password/);
    expect(maskUrl('postgres://u:p%40ss@h/d?sslpassword=x&application_name=a')).toBe(
      'postgres://u:***@h/d?sslpassword=***&application_name=a',
    );
    expect(maskUrl('postgres://u:p@ss@h/d')).not.toContain('ss@h');
  });

  it('says that the server does not take SSL when the url asks for it, instead of an unexpected error', async () => {
    // Over TCP, where a server with ssl off answers the url's request for SSL with a refusal.
    const { url } = await db.withPassword();
    const s = new PgStore(`${url}${url.includes('?') ? '&' : '?'}sslmode=verify-full`);
    const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
    await s.close();
    expect(e.message).toContain('does not take SSL connections, and the url asks for them (sslmode)');
    expect(e.code).toBe('E_DB');
    expect(e.message).not.toContain(new URL(url).password);
  });

  /**
   * Commits an empty batch to `s` while another session holds the log's lock, so that the commit waits inside its
   * transaction; `meanwhile` gets it (failed, caught) and the holder's pid, and checks how it failed. Then the lock is
   * released, and `s` must commit again.
   */
  async function failWhileLogLocked(
    s: PgStore,
    meanwhile: (commit: Promise<unknown>, holderPid: number) => Promise<void>,
  ): Promise<void> {
    const holder = new pg.Client({ connectionString: sessionUrl(db.url) });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [COMMIT_LOCK]);
      const checkpoint = { size: 0, note: 'n', created_at: '2025-05-20T10:00:00Z' };
      const commit = s
        .commit({ objections: [], withdrawals: [], leaves: [], nodes: [], checkpoint })
        .catch((x: unknown) => x);
      await meanwhile(commit, (holder as unknown as { processID: number }).processID);
      await holder.query('SELECT pg_advisory_unlock($1)', [COMMIT_LOCK]);
      await s.commit({ objections: [], withdrawals: [], leaves: [], nodes: [], checkpoint });
      expect((await s.latestCheckpoint())?.size).toBe(0);
    } finally {
      await holder.end();
      await s.close();
    }
  }

  it('survives PostgreSQL ending the connection of a transaction (a restart), and commits again afterwards', async () => {
    const s = await openFresh();
    await s.migrate();
    // The commit waits inside its transaction on a checked-out connection; then the server ends that connection, as a
    // restart or a failover does.
    await failWhileLogLocked(s, async (pending, holderPid) => {
      let waiting: number | undefined;
      while (waiting === undefined) {
        const [w] = await sql<{ pid: number }>(
          db.url,
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'advisory' AND pid <> $2",
          [db.name, holderPid],
        );
        waiting = w?.pid;
        if (waiting === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      await sql(db.url, 'SELECT pg_terminate_backend($1)', [waiting]);
      // Refused as a passing failure of the server's (a 503 with Retry-After that names nothing), and the process
      // lives on: an 'error' event of the connection that nobody listened for used to end it.
      const e = (await pending) as Error & { code?: string };
      expect(e.code).toBe('E_DB_UNAVAILABLE');
      expect(e).toBeInstanceOf(UnavailableError);
    });
  });

  it('fails a commit that a statement_timeout in the url cut short as a passing failure (503), naming the registry', async () => {
    // docs/portal.md suggests options=-c statement_timeout=30s; a commit that waited that long for the log's lock (a
    // busy second server) was an unexpected error: a 500 that a client cannot tell from a defect.
    const u = new URL(await freshUrl());
    u.searchParams.set('options', `${u.searchParams.get('options') ?? ''} -c statement_timeout=200`);
    const s = new PgStore(u.toString());
    await s.migrate();
    await failWhileLogLocked(s, async (pending) => {
      const e = (await pending) as Error & { code?: string };
      expect(e).toBeInstanceOf(UnavailableError);
      expect(e.code).toBe('E_DB_UNAVAILABLE');
      expect(e.message).toContain('the registry postgresql:');
    });
  });

  it('names the registry when the server ends the connection before it is made (a proxy, a server shutting down)', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `postgresql://dissent:hunter2@127.0.0.1:${(server.address() as AddressInfo).port}/registry`;
    try {
      const s = new PgStore(url, { source: 'the DATABASE_URL environment variable' });
      const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
      await s.close();
      expect(e.code).toBe('E_DB_UNAVAILABLE');
      expect(e.message).toContain(maskUrl(url));
      expect(e.message).toMatch(/lost the connection/);
      expect(e.message).not.toContain('hunter2');
    } finally {
      server.close();
    }
  });

  it('gives up on a server that takes the connection and never answers (a hung host), naming it', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `postgresql://dissent:hunter2@127.0.0.1:${(server.address() as AddressInfo).port}/registry?connect_timeout=1`;
    try {
      const s = new PgStore(url);
      const started = Date.now();
      const e = (await Promise.race([
        s.migrate().catch((x: unknown) => x),
        new Promise((r) => setTimeout(() => r(new Error('still waiting after 10 s')), 10_000)),
      ])) as Error & { code?: string };
      expect(e.message).toMatch(/did not answer within 1 s/);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(e.code).toBe('E_DB_UNAVAILABLE');
      expect(e.message).toContain(maskUrl(url));
      expect(e.message).not.toContain('hunter2');
      await s.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it("files the other requests of a batch when one request's reason holds a NUL character, which PostgreSQL cannot store", async () => {
    // A crafted form post (reason=%00) made the whole group commit fail: every request that arrived with it got a 500.
    const store = await openFresh();
    await store.migrate();
    await store.upsertAccounts([account(1), account(2)]);
    const signer = parseSignerKey(generateSignerKey('test.example/log'));
    const registry = await Registry.open({ store, origin: 'test.example/log', signer, programmes: [PROGRAMME] });
    const [innocent, crafted] = await Promise.allSettled([
      registry.object({ subject: 'p:1', channel: 'api' }),
      registry.object({ subject: 'p:2', channel: 'cli', reason: 'no\u0000thanks' }),
    ]);
    expect(innocent.status).toBe('fulfilled');
    expect(crafted.status === 'rejected' && crafted.reason).toBeInstanceOf(InputError);
    expect(await store.logSize()).toBe(1);
    await registry.drain();
    await store.close();
  });

  it('imports an identity graph with a NUL character in one line: that line is reported bad, the others go in', async () => {
    // A scraped display name can hold one; PostgreSQL cannot store it, and the import stopped half way with an
    // "unexpected error" that named no line.
    const dir = mkdtempSync(join(tmpdir(), 'dissent-pg-nul-'));
    const store = await openFresh();
    try {
      await store.migrate();
      const file = join(dir, 'accounts.jsonl');
      const line = (n: number, name: string) =>
        JSON.stringify({ account: `fb:a:${n}`, person: `p:${n}`, source: 'facebook', display_name: name });
      writeFileSync(file, `${[line(1, 'Anna'), line(2, 'Bo\u0000b'), line(3, 'Cem')].join('\n')}\n`);
      const summary = await importAccounts(store, file);
      expect(summary).toMatchObject({ read: 3, imported: 2, badLines: 1 });
      expect(summary.bad[0]).toMatchObject({ line: 2 });
      expect(summary.bad[0]?.reason).toMatch(/display_name.*NUL/);
      expect(summary.bad[0]?.reason).not.toContain('Bo');
      expect(await store.countAccounts()).toEqual({ accounts: 2, persons: 2 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never deadlocks the hourly purge with a group commit that confirms the same requests in another order', async () => {
    const url = await freshUrl();
    const s = new PgStore(url);
    await s.migrate();
    const pending = (id: string, subject: string) =>
      objection(id, subject, { state: 'pending', channel: 'web', effective_at: null });
    // Two requests whose links expired: the purge takes them in time order (o_a, then o_b).
    await s.commit({
      objections: [pending('o_a', 'p:1'), pending('o_b', 'p:2')],
      withdrawals: [],
      leaves: [],
      nodes: [],
    });
    for (const [n, id] of [
      [1, 'o_a'],
      [2, 'o_b'],
    ] as const) {
      await s.createToken({
        token_hash: new Uint8Array(32).fill(n),
        objection_id: id,
        purpose: 'confirm',
        expires_at: '2025-05-02T00:00:00Z',
      });
    }
    // A group commit of another process (as PgStore's: holding the log's lock) confirms them in batch order: o_b
    // first; the purge starts meanwhile, and only then does the commit come to o_a.
    const commit = new pg.Client({ connectionString: sessionUrl(url) });
    await commit.connect();
    try {
      await commit.query(`BEGIN; SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`);
      await commit.query("UPDATE objections SET state = 'effective', effective_at = submitted_at WHERE id = 'o_b'");
      const purge = s.purgeUnconfirmed('2025-05-03T00:00:00Z', '2025-04-30T00:00:00.000Z');
      const purged = purge.catch((x: unknown) => x);
      // Until the purge waits for a lock the commit holds.
      for (;;) {
        const waiting = await sql(
          url,
          "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
          [db.name],
        );
        if (waiting.length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await commit.query("UPDATE objections SET state = 'effective', effective_at = submitted_at WHERE id = 'o_a'");
      await commit.query('COMMIT');
      // Both went through: the confirmed requests stand, and the purge found nothing left to purge.
      expect(await purged).toBe(0);
      expect((await s.getObjection('o_a'))?.state).toBe('effective');
      expect((await s.getObjection('o_b'))?.state).toBe('effective');
    } finally {
      await commit.end();
      await s.close();
    }
  });

  it("names what to do when the registry's tables belong to another role than the url's (restored as postgres)", async () => {
    // pg_restore --no-owner run by a superuser, into a database the url's user owns: the tables are the superuser's,
    // and the advice "needs the right to create tables in the database" sent the operator after a right it had.
    const role = await db.withPassword();
    const schema = `s${++schemas}`;
    const superuser = await db.inSchema(schema);
    await sql(db.url, `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${db.name}_pw`);
    const restored = new PgStore(superuser);
    await restored.migrate();
    await restored.close();
    const url = new URL(role.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const s = new PgStore(url.toString(), { source: 'the DATABASE_URL environment variable' });
    const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
    await s.close();
    expect(e.code).toBe('E_DB');
    expect(e.message).toContain(maskUrl(url.toString()));
    expect(e.message).not.toContain(role.password);
    expect(e.message).toMatch(/permission denied for table schema_migrations/);
    expect(e.message).toMatch(/another role.*pg_restore.*as the url's user/);
  });

  it('refuses a connect_timeout that is not a number of seconds, instead of waiting 10 s unsaid', () => {
    for (const bad of ['abc', '-1', '10s', '1.5']) {
      expect(() => new PgStore(`postgresql://dissent:hunter2@127.0.0.1:1/registry?connect_timeout=${bad}`)).toThrow(
        `connect_timeout=${bad} in the registry url is not a whole number of seconds`,
      );
    }
  });

  it('refuses dissent backup with a pointer to pg_dump', async () => {
    const s = await openFresh();
    await s.migrate();
    await expect(s.backup('/tmp/never-written.db')).rejects.toThrow(/PostgreSQL.*pg_dump/);
    await s.close();
  });

  it('files a request even while another process of the registry appends before every attempt of its batch', async () => {
    // Two servers of one registry, one of them busier: it committed between each of the other's rereads of the log
    // and its commit, fifty times over, and that batch's requests were answered 500.
    const url = await freshUrl();
    const signer = parseSignerKey(generateSignerKey('test.example/log'));
    const programmes = [PROGRAMME];
    const [mine, busy] = [new PgStore(url), new PgStore(url)] as [PgStore, PgStore];
    await mine.migrate();
    await mine.upsertAccounts(Array.from({ length: 100 }, (_, i) => account(i)));
    const other = await Registry.open({ store: busy, origin: 'test.example/log', signer, programmes });
    const registry = await Registry.open({ store: mine, origin: 'test.example/log', signer, programmes });
    let held = false;
    const lockLog = mine.lockLog.bind(mine);
    mine.lockLog = async () => {
      const unlock = await lockLog();
      held = true;
      return async () => {
        held = false;
        await unlock();
      };
    };
    let next = 10;
    let raced = 0;
    const waiting: Promise<unknown>[] = [];
    const commit = mine.commit.bind(mine);
    mine.commit = async (batch) => {
      const filed = other.object({ subject: `p:${next++}`, channel: 'api' });
      // While this process holds the log, the other one's append waits for it; until then it comes first.
      if (held) waiting.push(filed);
      else {
        raced++;
        await filed;
      }
      return commit(batch);
    };
    const mineFiled = await registry.object({ subject: 'p:1', channel: 'api' });
    expect(raced).toBeGreaterThan(0);
    expect(waiting.length).toBeGreaterThan(0);
    const theirs = (await Promise.all(waiting)) as { receipt: { leaf_index: number } }[];
    for (const t of theirs) expect(t.receipt.leaf_index).toBeGreaterThan(mineFiled.receipt.leaf_index);
    expect(verifyReceipt(mineFiled.receipt, parseVerifierKey(verifierKeyOf(signer))).ok).toBe(true);
    expect((await mine.getLeaves(mineFiled.receipt.leaf_index, mineFiled.receipt.leaf_index + 1))[0]).toBe(
      mineFiled.receipt.leaf,
    );
    for (const r of [registry, other]) await r.drain();
    await Promise.all([mine, busy].map((s) => s.close()));
  });

  it('never forks the log when two processes append to one registry at once', async () => {
    const url = await freshUrl();
    const signer = parseSignerKey(generateSignerKey('test.example/log'));
    const programmes = [PROGRAMME];
    const stores = [new PgStore(url), new PgStore(url)];
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]?.upsertAccounts(Array.from({ length: 200 }, (_, i) => account(i)));
    let conflicts = 0;
    for (const store of stores) {
      const commit = store.commit.bind(store);
      store.commit = (batch) =>
        commit(batch).catch((e: unknown) => {
          if (e instanceof LogConflictError) conflicts++;
          throw e;
        });
    }
    const registries = await Promise.all(
      stores.map((store) => Registry.open({ store, origin: 'test.example/log', signer, programmes })),
    );
    // Each process files 100 objections, in bursts, at the same time as the other.
    const results = await Promise.all(
      registries.map((r, which) =>
        Promise.all(Array.from({ length: 100 }, (_, i) => r.object({ subject: `p:${i * 2 + which}`, channel: 'api' }))),
      ),
    );
    const receipts = results.flat().map((r) => r.receipt);
    // The two did meet: one found the log grown under it, and redid its batch on top.
    expect(conflicts).toBeGreaterThan(0);
    expect(new Set(receipts.map((r) => r.leaf_index)).size).toBe(200);
    const verifier = parseVerifierKey(verifierKeyOf(signer));
    const reader = new PgStore(url);
    expect(await reader.logSize()).toBe(200);
    for (const r of receipts) expect(verifyReceipt(r, verifier), `receipt ${r.leaf_index}`).toMatchObject({ ok: true });
    // And a third registry over the same store sees one tree: every receipt's leaf is where it says.
    const leaves = await reader.getLeaves(0, 200);
    for (const r of receipts) expect(leaves[r.leaf_index]).toBe(r.leaf);
    for (const r of registries) await r.drain();
    await Promise.all([...stores, reader].map((s) => s.close()));
  });
});

/** A throwaway self-signed certificate for localhost, made for the test below (valid until 2126). */
const SELF_SIGNED = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEnolOhmv38haHO1t
QYoN0A6mJ3Di8SaShoQV0WfmAr2hRANCAARb8M+yd9X8tPHSoN62mL8gDrMmKwnU
KRyjEXCmOiNB9/cU31CMe3UYLUtvUbigvzhpjLPTdiRiUioiwoUSaB8X
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUF40Re5GDfS/RAvTu+9Ib8MjR2ZMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTAxMTU1M1oYDzIxMjYxMTA3
MDExNTUzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARb8M+yd9X8tPHSoN62mL8gDrMmKwnUKRyjEXCmOiNB9/cU31CMe3UY
LUtvUbigvzhpjLPTdiRiUioiwoUSaB8Xo1MwUTAdBgNVHQ4EFgQUUwCe8TT3KcGy
CGqUEjgCWFKQEncwHwYDVR0jBBgwFoAUUwCe8TT3KcGyCGqUEjgCWFKQEncwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAxqmsevQAHZPFIbUdi+2M
L4XPt2Ns2gjlYRClTJBetrwCIBkoFHnHjexcnjnCryAq+CfmPw2K2Hqv5QzsgdUw
pmBC
-----END CERTIFICATE-----
`,
};

it('says that a server certificate cannot be verified, and how to name its authority, for sslmode=require', async () => {
  // A server that takes the url's request for SSL (PostgreSQL's SSLRequest, answered 'S') and shows a self-signed
  // certificate, as a database with a private CA does: no PostgreSQL is needed for this.
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => {
      socket.write('S');
      sockets.push(new TLSSocket(socket, { isServer: true, ...SELF_SIGNED }) as unknown as Socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `postgresql://dissent:hunter2@localhost:${(server.address() as AddressInfo).port}/registry`;
  try {
    for (const mode of ['require', 'verify-full']) {
      const s = new PgStore(`${url}?sslmode=${mode}`);
      const e = (await s.migrate().catch((x: unknown) => x)) as Error & { code?: string };
      await s.close();
      expect(e.message, mode).toContain('showed a certificate that cannot be verified (DEPTH_ZERO_SELF_SIGNED_CERT)');
      expect(e.message).toContain('sslrootcert=');
      expect(e.message).toContain(maskUrl(`${url}?sslmode=${mode}`));
      expect(e.message).not.toContain('hunter2');
      expect(e.code).toBe('E_DB');
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});
