import pg from 'pg';
import type { Hash } from '../../log/hash.ts';
import { type NodeId, nodeKey } from '../../log/merkle.ts';
import { DissentError, InputError } from '../../shared/errors.ts';
import { foldLookupKey, MIGRATIONS } from '../migrations.ts';
import { type CommitBatch, EffectiveExistsError, LogConflictError, type Store, type SubjectLookup } from '../store.ts';
import type {
  AccountRow,
  CheckpointRow,
  ObjectionRow,
  SnapshotRow,
  SubjectEvent,
  TokenRow,
  TokenUse,
  WithdrawalRow,
} from '../types.ts';
import { connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, describePgError, maskUrl, sessionUrl } from './pg-url.ts';

const OBJECTION_COLS =
  'id, subject, scope, programme, state, channel, submitted_at, effective_at, withdrawn_at, reason, salt, leaf_index, withdrawal_id, via_account';
const ACCOUNT_COLS = 'account, person, source, handle, display_name, email, birth_date, country';

/**
 * Advisory lock keys (any two bigints of this application's own): one serialises schema migrations across processes,
 * the other every write of a group commit, so that two servers of one registry never append at the same index.
 */
const MIGRATE_LOCK = 0x6469_7373_656e_7401n;
export const COMMIT_LOCK = 0x6469_7373_656e_7402n;

/** How many pending requests the purge looks at in one transaction, as in SQLite (see _writes.mjs). */
const PURGE_PAGE = 500;

/** How many accounts one statement of an import writes. */
const ACCOUNT_CHUNK = 1000;

/**
 * BIGINT columns (leaf indexes, sizes, counts) come back from pg as strings, so that no digit is lost; every one the
 * registry holds is far below 2^53, and the Store interface gives numbers.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 && format !== 'binary') {
      return (text: string) => {
        const n = Number(text);
        if (!Number.isSafeInteger(n)) throw new DissentError(`a registry number is out of range: ${n}`, 'E_DB');
        return n;
      };
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** How a PgStore names its registry in errors. */
export interface PgStoreOptions {
  /** The setting the url came from, e.g. "the DATABASE_URL environment variable". */
  readonly source?: string;
  /** Connections kept open at most (default 10). */
  readonly max?: number;
}

/**
 * The server-mode registry: a PostgreSQL database named by a postgres:// or postgresql:// url. Every session runs
 * with synchronous_commit on, so that a commit is on disk before it is answered; group commits take a transaction
 * advisory lock, so that several processes may append to one log.
 */
export class PgStore implements Store {
  readonly #pool: pg.Pool;
  readonly #where: string;
  readonly #connectTimeoutMs: number;
  /** The connection holding the log's lock (lockLog), on which this store's commits run meanwhile. */
  #holder: pg.PoolClient | undefined;

  constructor(url: string, opts: PgStoreOptions = {}) {
    const masked = maskUrl(url);
    this.#where = opts.source ? `${masked}, named by ${opts.source},` : masked;
    let connectionString: string;
    let connectTimeout = DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      connectionString = sessionUrl(url);
      connectTimeout = connectTimeoutMs(url);
    } catch (cause) {
      if (cause instanceof InputError) throw cause;
      // Node's URL error carries the whole url, password included: it is not passed on.
      throw new InputError(
        `${opts.source ?? 'the registry url'} is not a valid postgres:// url (it is not shown, as it may hold a password); write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE, with special characters in the password percent-encoded`,
        'E_DB',
        { cause: cause instanceof Error ? new Error(cause.name) : undefined },
      );
    }
    this.#connectTimeoutMs = connectTimeout;
    this.#pool = new pg.Pool({
      connectionString,
      types: TYPES,
      max: opts.max ?? 10,
      connectionTimeoutMillis: connectTimeout,
    });
    // A connection that breaks while idle (the server restarted) is dropped and made anew by the next query; without
    // a listener it would end the process.
    this.#pool.on('error', () => {});
  }

  /** Runs one statement on a pooled connection. */
  async #query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params as unknown[])).rows;
    } catch (e) {
      throw this.#explain(e);
    }
  }

  /**
   * Checks a connection out of the pool. A checked-out connection has no listener of the pool's: its end (PostgreSQL
   * restarted, a failover, the backend terminated) would be an 'error' event that ends the process, so one listens
   * until `release`, which hands a connection that broke (or that `broke` names) back to be thrown away. The
   * statement running fails with such an end anyway.
   */
  async #checkout(): Promise<{ c: pg.PoolClient; broke: (e: Error) => void; release: () => void }> {
    let c: pg.PoolClient;
    try {
      c = await this.#pool.connect();
    } catch (e) {
      throw this.#explain(e);
    }
    let broken: Error | undefined;
    const broke = (e: Error) => {
      broken ??= e;
    };
    c.on('error', broke);
    return {
      c,
      broke,
      release: () => {
        c.removeListener('error', broke);
        c.release(broken);
      },
    };
  }

  /**
   * Runs `fn` in one transaction on one connection; `begin` is what starts it (BEGIN, and maybe a lock). On `held`, a
   * connection checked out by the caller, if given; else on one of the pool's.
   */
  async #tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN', held?: pg.PoolClient): Promise<T> {
    const out = held ? undefined : await this.#checkout();
    const c = held ?? (out as { c: pg.PoolClient }).c;
    try {
      await c.query(begin);
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await c.query('ROLLBACK');
      } catch (r) {
        out?.broke(r as Error);
      }
      throw e instanceof DissentError ? e : this.#explain(e);
    } finally {
      out?.release();
    }
  }

  /** Runs `fn` in a transaction that holds the log's lock: on the connection of lockLog while it is held. */
  #appending(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    return this.#tx(fn, `BEGIN; SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`, this.#holder);
  }

  async lockLog(): Promise<() => Promise<void>> {
    const { c, broke, release } = await this.#checkout();
    try {
      // The lock each commit takes for its transaction, held by this session: the commits of other processes wait,
      // and this store's run on this connection, which has it already.
      await c.query('SELECT pg_advisory_lock($1)', [COMMIT_LOCK]);
    } catch (e) {
      release();
      throw this.#explain(e);
    }
    this.#holder = c;
    return async () => {
      if (this.#holder === c) this.#holder = undefined;
      try {
        await c.query('SELECT pg_advisory_unlock($1)', [COMMIT_LOCK]);
      } catch (e) {
        // The session ends with the connection, and its lock with it.
        broke(e as Error);
      }
      release();
    };
  }

  #explain(e: unknown): unknown {
    return describePgError(e, this.#where, this.#connectTimeoutMs);
  }

  /**
   * Creates dissent's tables, or brings them up to date. `beforeCreate` is called first when the database has none
   * (a new registry), and may refuse it by throwing, so that nothing is made there.
   */
  async migrate(opts: { beforeCreate?: () => void } = {}): Promise<number> {
    const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
    const { c, release } = await this.#checkout();
    try {
      // Two processes starting at once: the second waits here, then finds every step applied.
      await c.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
      // Another encoding stores names as bytes (SQL_ASCII: no case folding or normalize() beyond ASCII, another order
      // than SQLite's) or refuses the characters it lacks (LATIN1) only when an account or reason holds one.
      const encoding = (await c.query<{ e: string }>("SELECT current_setting('server_encoding') AS e")).rows[0]?.e;
      const [made] = (await c.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")).rows;
      if (encoding !== 'UTF8') {
        // A registry an older dissent made there (it took any encoding) holds objections and the log: pointing the url
        // at a new, empty database would lose them, and the log witness refuses that.
        const move =
          made?.t == null
            ? 'point the url at it'
            : "move this registry into it, with every dissent process stopped: umask 077; pg_dump --format=custom --file=FILE 'URL', then pg_restore --no-owner --dbname='NEW URL' FILE as the url's user, and point the url at it";
        throw new DissentError(
          `the registry ${this.#where} is a database in the ${encoding} encoding, and dissent keeps names and texts in Unicode: create one in UTF8 (createdb --encoding=UTF8 --template=template0 --locale=C.UTF-8 NAME) and ${move}`,
          'E_DB',
        );
      }
      if (opts.beforeCreate && made?.t == null) opts.beforeCreate();
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)',
      );
      const newest = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]
        ?.v;
      if (newest != null && newest > known) {
        throw new DissentError(
          `the registry has schema version ${newest}, made by a newer dissent than this one (which knows up to ${known}); use that version`,
          'E_SCHEMA_NEWER',
        );
      }
      for (const m of MIGRATIONS) {
        await c.query('BEGIN');
        try {
          const applied = await c.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
          if (applied.rowCount === 0) {
            await c.query(m.postgres);
            if (m.refoldPostgres) await refold(c);
            await c.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [
              m.version,
              m.name,
              new Date().toISOString(),
            ]);
          }
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
      }
      return known;
    } catch (e) {
      throw e instanceof DissentError ? e : this.#explain(e);
    } finally {
      // Ends with the session anyway; released at once for the other processes waiting.
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => {});
      release();
    }
  }

  /** The value of a setting in this store's sessions, as SHOW gives it: for an operator's check and the tests. */
  async sessionSetting(name: string): Promise<string> {
    const [r] = await this.#query<{ s: string }>('SELECT current_setting($1) AS s', [name]);
    return r?.s ?? '';
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async upsertAccounts(rows: readonly AccountRow[]): Promise<{ moved: number }> {
    const now = new Date().toISOString();
    return this.#tx(async (c) => {
      let moved = 0;
      for (let start = 0; start < rows.length; start += ACCOUNT_CHUNK) {
        const chunk = rows.slice(start, start + ACCOUNT_CHUNK);
        // The persons before this chunk, locked until the end of the import: the count of moved accounts is
        // exact even while another import runs.
        const before = new Map(
          (
            await c.query<{ account: string; person: string }>(
              'SELECT account, person FROM accounts WHERE account = ANY($1::text[]) FOR UPDATE',
              [chunk.map((r) => r.account)],
            )
          ).rows.map((r) => [r.account, r.person]),
        );
        // An account twice in the input counts as two writes, as one statement after another would; only its last
        // row is written (one statement cannot change a row twice).
        const last = new Map<string, AccountRow>();
        for (const r of chunk) {
          const was = before.get(r.account);
          if (was !== undefined && was !== r.person) moved++;
          before.set(r.account, r.person);
          last.delete(r.account);
          last.set(r.account, r);
        }
        const list = [...last.values()];
        const col = <K extends keyof AccountRow>(k: K) => list.map((r) => r[k]);
        await c.query(
          `INSERT INTO accounts (account, person, source, handle, display_name, email, birth_date, country, updated_at,
             handle_folded, email_folded)
           SELECT a, p, s, h, d, e, b, co, $9, hf, ef
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
               $8::text[], $10::text[], $11::text[]) AS t(a, p, s, h, d, e, b, co, hf, ef)
           ON CONFLICT (account) DO UPDATE SET person = excluded.person, source = excluded.source,
             handle = excluded.handle, display_name = excluded.display_name, email = excluded.email,
             birth_date = excluded.birth_date, country = excluded.country, updated_at = excluded.updated_at,
             handle_folded = excluded.handle_folded, email_folded = excluded.email_folded`,
          [
            col('account'),
            col('person'),
            col('source'),
            col('handle'),
            col('display_name'),
            col('email'),
            col('birth_date'),
            col('country'),
            now,
            list.map((r) => fold(r.handle)),
            list.map((r) => fold(r.email)),
          ],
        );
      }
      return { moved };
    });
  }

  async getAccount(account: string): Promise<AccountRow | undefined> {
    return (
      await this.#query<AccountRow>(`SELECT ${ACCOUNT_COLS} FROM accounts WHERE account = $1`, [matchable(account)])
    )[0];
  }

  async findAccounts(value: string): Promise<AccountRow[]> {
    // As SQLite does: a handle is found with or without its '@', whichever way it was typed and stored.
    const folded = foldLookupKey(value);
    const bare = folded.startsWith('@') ? folded.slice(1) : folded;
    return this.#query<AccountRow>(
      `SELECT ${ACCOUNT_COLS} FROM accounts WHERE handle_folded IN ($1, $2) OR email_folded = $3 ORDER BY account`,
      [matchable(bare), matchable(`@${bare}`), matchable(folded)],
    );
  }

  async accountsOfPerson(person: string): Promise<AccountRow[]> {
    return this.#query<AccountRow>(`SELECT ${ACCOUNT_COLS} FROM accounts WHERE person = $1 ORDER BY account`, [
      matchable(person),
    ]);
  }

  async lookupSubjects(ids: readonly string[]): Promise<(SubjectLookup | undefined)[]> {
    if (ids.length === 0) return [];
    const rows = await this.#query<{ person: string | null; is_person: boolean }>(
      `SELECT a.person, EXISTS (SELECT 1 FROM accounts p WHERE p.person = i.id) AS is_person
         FROM unnest($1::text[]) WITH ORDINALITY AS i (id, n)
         LEFT JOIN accounts a ON a.account = i.id
        ORDER BY i.n`,
      [ids.map(matchable)],
    );
    return ids.map((id, i): SubjectLookup | undefined => {
      const r = rows[i];
      if (!r) return undefined;
      if (r.person !== null) {
        return r.person !== id && r.is_person
          ? { kind: 'account', account: id, person: r.person, otherPerson: id }
          : { kind: 'account', account: id, person: r.person };
      }
      return r.is_person ? { kind: 'person', person: id } : undefined;
    });
  }

  async *iterateAccounts(batchSize = 10_000): AsyncIterable<AccountRow[]> {
    let after = '';
    for (;;) {
      const rows = await this.#query<AccountRow>(
        `SELECT ${ACCOUNT_COLS} FROM accounts WHERE account > $1 ORDER BY account LIMIT $2`,
        [after, batchSize],
      );
      if (rows.length === 0) return;
      yield rows;
      after = (rows[rows.length - 1] as AccountRow).account;
    }
  }

  async *accountLines(batchSize = 10_000): AsyncIterable<string> {
    for await (const rows of this.iterateAccounts(batchSize)) {
      const lines = rows.map((r) =>
        JSON.stringify({
          account: r.account,
          person: r.person,
          handle: r.handle,
          display_name: r.display_name,
          birth_date: r.birth_date,
          country: r.country,
        }),
      );
      yield `${lines.join('\n')}\n`;
    }
  }

  async countAccounts(): Promise<{ accounts: number; persons: number }> {
    const [r] = await this.#query<{ accounts: number; persons: number }>(
      'SELECT count(*) AS accounts, count(DISTINCT person) AS persons FROM accounts',
    );
    return r ?? { accounts: 0, persons: 0 };
  }

  async getObjection(id: string): Promise<ObjectionRow | undefined> {
    return (
      await this.#query<ObjectionRow>(`SELECT ${OBJECTION_COLS} FROM objections WHERE id = $1`, [matchable(id)])
    )[0];
  }

  async findEffective(subject: string, scope: ObjectionRow['scope'], programme: string) {
    const rows = await this.#query<ObjectionRow>(
      `SELECT ${OBJECTION_COLS} FROM objections WHERE subject = $1 AND scope = $2 AND state = 'effective'
         AND programme IN ($3, '*')`,
      [matchable(subject), matchable(scope), matchable(programme)],
    );
    return rows.find((r) => r.programme === programme) ?? rows[0];
  }

  async getWithdrawal(id: string): Promise<WithdrawalRow | undefined> {
    return (
      await this.#query<WithdrawalRow>(
        'SELECT id, objection_id, subject, scope, programme, channel, submitted_at, salt, leaf_index FROM withdrawals WHERE id = $1',
        [matchable(id)],
      )
    )[0];
  }

  async countObjections() {
    return this.#query<{ state: string; channel: string; programme: string; n: number }>(
      `SELECT state, channel, programme, count(*) AS n FROM objections GROUP BY state, channel, programme
       ORDER BY state COLLATE "C", channel COLLATE "C", programme COLLATE "C"`,
    );
  }

  async countObjectionsCovering(programme: string, deadline: string) {
    return this.#query<{ state: string; channel: string; late: boolean; n: number }>(
      `SELECT state, channel, submitted_at > $1 AS late, count(*) AS n FROM objections WHERE programme IN ($2, '*')
       GROUP BY state, channel, late ORDER BY state, channel, late`,
      [deadline, programme],
    );
  }

  async subjectEventsBefore(size: number): Promise<SubjectEvent[]> {
    return this.#query<SubjectEvent>(
      `SELECT leaf_index, 'objection' AS type, id AS objection_id, subject, scope, programme, submitted_at,
           via_account
         FROM objections WHERE leaf_index IS NOT NULL AND leaf_index < $1
       UNION ALL
       SELECT leaf_index, 'withdrawal' AS type, objection_id, subject, scope, programme, submitted_at,
           NULL AS via_account
         FROM withdrawals WHERE leaf_index < $1
       ORDER BY leaf_index`,
      [size],
    );
  }

  async logSize(): Promise<number> {
    return logSizeOf(await this.#query<{ n: number }>(LOG_SIZE));
  }

  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Hash>> {
    const out = new Map<string, Hash>();
    if (ids.length === 0) return out;
    const rows = await this.#query<{ level: number; idx: number; hash: Buffer }>(
      `SELECT n.level, n.idx, n.hash FROM unnest($1::int[], $2::bigint[]) AS w (level, idx)
         JOIN log_nodes n ON n.level = w.level AND n.idx = w.idx`,
      [ids.map((id) => id.level), ids.map((id) => id.index)],
    );
    const found = new Map(rows.map((r) => [nodeKey({ level: r.level, index: r.idx }), r.hash]));
    for (const id of ids) {
      const h = found.get(nodeKey(id));
      if (!h) throw new DissentError(`log node ${nodeKey(id)} is missing from the store`, 'E_LOG_CORRUPT');
      out.set(nodeKey(id), new Uint8Array(h));
    }
    return out;
  }

  async getLeaves(start: number, end: number): Promise<string[]> {
    const rows = await this.#query<{ leaf: string }>(
      'SELECT leaf FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [start, end],
    );
    return rows.map((r) => r.leaf);
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return (
      await this.#query<CheckpointRow>('SELECT size, note, created_at FROM checkpoints ORDER BY size DESC LIMIT 1')
    )[0];
  }

  async commit(batch: CommitBatch): Promise<void> {
    // One round trip starts the transaction and waits for the log's lock: every commit, of any process, holds it
    // until it is committed, so the size read under it is the size the leaves are appended to.
    await this.#appending(async (c) => {
      const expected = batch.leaves[0]?.index;
      if (expected !== undefined && logSizeOf((await c.query<{ n: number }>(LOG_SIZE)).rows) !== expected) {
        throw new LogConflictError();
      }
      // The checks come first: they must see the store as it was before this batch.
      const absent = batch.absent ?? [];
      if (absent.length > 0) {
        const found = await c.query(
          `SELECT 1 FROM unnest($1::text[], $2::text[], $3::text[]) AS a (subject, scope, programme)
             JOIN objections o ON o.subject = a.subject AND o.scope = a.scope AND o.programme = a.programme
            WHERE o.state = 'effective' LIMIT 1`,
          [absent.map((a) => a.subject), absent.map((a) => a.scope), absent.map((a) => a.programme)],
        );
        if (found.rowCount !== 0) throw new EffectiveExistsError();
      }
      if (batch.leaves.length > 0) {
        await c.query('INSERT INTO log_leaves (idx, leaf) SELECT * FROM unnest($1::bigint[], $2::text[])', [
          batch.leaves.map((l) => l.index),
          batch.leaves.map((l) => l.leaf),
        ]);
      }
      if (batch.nodes.length > 0) {
        await c.query(
          'INSERT INTO log_nodes (level, idx, hash) SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])',
          [
            batch.nodes.map((n) => n.id.level),
            batch.nodes.map((n) => n.id.index),
            batch.nodes.map((n) => Buffer.from(n.hash.buffer, n.hash.byteOffset, n.hash.byteLength)),
          ],
        );
      }
      // In batch order, as SQLite writes them one after another: a withdrawal and a new effective objection of the
      // same subject in one batch meet the one-effective index in that order (it is checked row by row). One
      // statement for the lot: one per row cost a round trip each, four times SQLite's time for a batch of 10,000.
      const os = batch.objections;
      if (os.length > 0) {
        const col = <K extends keyof ObjectionRow>(k: K) => os.map((o) => o[k]);
        await c.query(
          `INSERT INTO objections (${OBJECTION_COLS})
           SELECT id, subject, scope, programme, state, channel, submitted_at, effective_at, withdrawn_at, reason, salt,
               leaf_index, withdrawal_id, via_account
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
               $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[])
               WITH ORDINALITY AS t (id, subject, scope, programme, state, channel, submitted_at, effective_at,
                 withdrawn_at, reason, salt, leaf_index, withdrawal_id, via_account, n)
            ORDER BY n
           ON CONFLICT (id) DO UPDATE SET state = excluded.state, effective_at = excluded.effective_at,
             withdrawn_at = excluded.withdrawn_at, leaf_index = excluded.leaf_index,
             withdrawal_id = excluded.withdrawal_id, reason = excluded.reason`,
          [
            col('id'),
            col('subject'),
            col('scope'),
            col('programme'),
            col('state'),
            col('channel'),
            col('submitted_at'),
            col('effective_at'),
            col('withdrawn_at'),
            col('reason'),
            col('salt'),
            col('leaf_index'),
            col('withdrawal_id'),
            col('via_account'),
          ],
        );
      }
      const ws = batch.withdrawals;
      if (ws.length > 0) {
        const col = <K extends keyof WithdrawalRow>(k: K) => ws.map((w) => w[k]);
        await c.query(
          `INSERT INTO withdrawals (id, objection_id, subject, scope, programme, channel, submitted_at, salt, leaf_index)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::bigint[])`,
          [
            col('id'),
            col('objection_id'),
            col('subject'),
            col('scope'),
            col('programme'),
            col('channel'),
            col('submitted_at'),
            col('salt'),
            col('leaf_index'),
          ],
        );
      }
      const cp = batch.checkpoint;
      if (cp) {
        await c.query(
          'INSERT INTO checkpoints (size, note, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING',
          [cp.size, cp.note, cp.created_at],
        );
      }
    });
  }

  async createToken(token: Omit<TokenRow, 'used_at' | 'attempts'>): Promise<void> {
    await this.#query('INSERT INTO tokens (token_hash, objection_id, purpose, expires_at) VALUES ($1, $2, $3, $4)', [
      Buffer.from(token.token_hash),
      token.objection_id,
      token.purpose,
      token.expires_at,
    ]);
  }

  async purgeUnconfirmed(now: string, linklessBefore: string): Promise<number> {
    // A page at a time, each in its own short transaction, as SQLite does (see _writes.mjs).
    let purged = 0;
    let after: { at: string; id: string } | null = { at: '', id: '' };
    while (after) {
      const cursor: { at: string; id: string } = after;
      const page: { purged: number; next: { at: string; id: string } | null } = await this.#tx(async (c) => {
        // Locked: a request confirmed by a commit meanwhile is no longer pending here, and keeps its tokens.
        const rows = (
          await c.query<{ id: string; submitted_at: string; confirm_until: string | null; has_tokens: boolean }>(
            `SELECT o.id, o.submitted_at,
                (SELECT max(t.expires_at) FROM tokens t WHERE t.objection_id = o.id AND t.purpose = 'confirm')
                  AS confirm_until,
                EXISTS (SELECT 1 FROM tokens t WHERE t.objection_id = o.id) AS has_tokens
              FROM objections o
             WHERE o.state = 'pending' AND (o.submitted_at > $1 OR (o.submitted_at = $1 AND o.id > $2))
             ORDER BY o.submitted_at, o.id LIMIT $3
               FOR UPDATE OF o`,
            [cursor.at, cursor.id, PURGE_PAGE],
          )
        ).rows;
        const gone = rows
          .filter((r) =>
            r.confirm_until !== null ? r.confirm_until < now : !r.has_tokens && r.submitted_at < linklessBefore,
          )
          .map((r) => r.id);
        let n = 0;
        if (gone.length > 0) {
          await c.query('DELETE FROM tokens WHERE objection_id = ANY($1::text[])', [gone]);
          n = (await c.query("DELETE FROM objections WHERE id = ANY($1::text[]) AND state = 'pending'", [gone]))
            .rowCount as number;
        }
        const last = rows[rows.length - 1];
        return { purged: n, next: rows.length < PURGE_PAGE || !last ? null : { at: last.submitted_at, id: last.id } };
        // Holding the log's lock, as a group commit does: the page locks its requests in time order, a commit the
        // ones it confirms in batch order, and two such crossing each other deadlock (PostgreSQL then fails one,
        // maybe the commit, whose requests all get a 503). Taken one after the other, they never cross.
      }, `BEGIN; SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`);
      purged += page.purged;
      after = page.next;
    }
    return purged;
  }

  async useToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenUse> {
    const hash = Buffer.from(tokenHash);
    return this.#tx(async (c): Promise<TokenUse> => {
      // Locked: two presses of one link at once must not both use it.
      const row = (await c.query<TokenRow>('SELECT * FROM tokens WHERE token_hash = $1 FOR UPDATE', [hash])).rows[0];
      if (!row || row.purpose !== purpose) return { ok: false, reason: 'unknown' };
      await c.query('UPDATE tokens SET attempts = attempts + 1 WHERE token_hash = $1', [hash]);
      const expired = Date.parse(row.expires_at) < Date.parse(now);
      if (row.used_at !== null) return { ok: false, reason: 'used', token: row, expired };
      if (expired) return { ok: false, reason: 'expired' };
      await c.query('UPDATE tokens SET used_at = $1 WHERE token_hash = $2', [now, hash]);
      return { ok: true, token: { ...row, used_at: now, attempts: row.attempts + 1 } };
    });
  }

  async peekToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenRow | undefined> {
    const [row] = await this.#query<TokenRow>('SELECT * FROM tokens WHERE token_hash = $1', [Buffer.from(tokenHash)]);
    if (!row || row.purpose !== purpose || row.used_at !== null) return undefined;
    return Date.parse(row.expires_at) < Date.parse(now) ? undefined : row;
  }

  async releaseToken(tokenHash: Uint8Array): Promise<void> {
    await this.#query('UPDATE tokens SET used_at = NULL WHERE token_hash = $1', [Buffer.from(tokenHash)]);
  }

  async getIdempotency(key: string) {
    return (
      await this.#query<{ request_hash: string; objection_id: string }>(
        'SELECT request_hash, objection_id FROM idempotency WHERE key = $1',
        [matchable(key)],
      )
    )[0];
  }

  async putIdempotency(key: string, requestHash: string, objectionId: string, now: string): Promise<void> {
    await this.#query(
      'INSERT INTO idempotency (key, request_hash, objection_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
      [key, requestHash, objectionId, now],
    );
  }

  async recordSnapshot(s: SnapshotRow): Promise<void> {
    await this.#query(
      `INSERT INTO snapshots (id, programme, cut_size, manifest_sha256, out_dir, records_kept, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [s.id, s.programme, s.cut_size, s.manifest_sha256, s.out_dir, s.records_kept, s.created_at],
    );
  }

  async listSnapshots(programme?: string): Promise<SnapshotRow[]> {
    const cols = 'id, programme, cut_size, manifest_sha256, out_dir, records_kept, created_at';
    return programme === undefined
      ? this.#query<SnapshotRow>(`SELECT ${cols} FROM snapshots ORDER BY created_at, id COLLATE "C"`)
      : this.#query<SnapshotRow>(
          `SELECT ${cols} FROM snapshots WHERE programme = $1 ORDER BY created_at, id COLLATE "C"`,
          [programme],
        );
  }

  async backup(_file: string): Promise<{ logSize: number }> {
    throw new InputError(
      `the registry is in PostgreSQL (${this.#where.replace(/,$/, '')}), which dissent backup does not copy; back it up with pg_dump, readable by its owner only, as it holds the identity graph's e-mail addresses and birth dates: umask 077; pg_dump --format=custom --file=FILE 'URL' (URL: the registry's url, with its password; see "Server mode: PostgreSQL" in docs/portal.md)`,
      'E_DB',
    );
  }
}

/**
 * A value looked up by equality as PostgreSQL may be given it: one holding a NUL character (a crafted request's) as
 * NULL, which equals nothing. PostgreSQL cannot store such text, so nothing equals it, but it refuses it as a parameter
 * with an error, which SQLite does not: the lookup would fail (a 500) where SQLite finds nothing.
 */
function matchable(value: string): string | null {
  return value.includes('\u0000') ? null : value;
}

const LOG_SIZE = 'SELECT coalesce(max(idx) + 1, 0) AS n FROM log_leaves';

function logSizeOf(rows: readonly { n: number }[]): number {
  return rows[0]?.n ?? 0;
}

/** The folded lookup key of a handle or e-mail, as SQLite's indexes hold it (dissent_fold). */
function fold(value: string | null): string | null {
  return value === null ? null : foldLookupKey(value);
}

/** Fills the folded lookup columns of every account anew, in JS, in the running migration's transaction. */
async function refold(c: pg.PoolClient): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (
      await c.query<{ account: string; handle: string | null; email: string | null }>(
        'SELECT account, handle, email FROM accounts WHERE account > $1 ORDER BY account LIMIT 5000',
        [after],
      )
    ).rows;
    if (rows.length === 0) return;
    await c.query(
      `UPDATE accounts SET handle_folded = t.hf, email_folded = t.ef
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t (a, hf, ef) WHERE accounts.account = t.a`,
      [rows.map((r) => r.account), rows.map((r) => fold(r.handle)), rows.map((r) => fold(r.email))],
    );
    after = (rows[rows.length - 1] as { account: string }).account;
  }
}
