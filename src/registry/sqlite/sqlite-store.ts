import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Hash } from '../../log/hash.ts';
import { type NodeId, nodeKey } from '../../log/merkle.ts';
import { DissentError } from '../../shared/errors.ts';
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
import { applyCommit, EXISTS, type PackedBatch } from './_commit-apply.mjs';
import {
  applyWrite,
  type PurgeCursor,
  WRITE_SQL,
  type Write,
  type WriteResult,
  type WriteStatements,
} from './_writes.mjs';
import { RegistryThread } from './registry-thread.ts';

const OBJECTION_COLS =
  'id, subject, scope, programme, state, channel, submitted_at, effective_at, withdrawn_at, reason, salt, leaf_index, withdrawal_id, via_account';

/** The embedded registry: one SQLite file in WAL mode with synchronous=FULL, so that a commit survives power loss. */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  #stmts: Statements | undefined;

  /** Opens (creating if needed) the database at `file`, or an in-memory one for ':memory:'. */
  #file: string;
  #writer: RegistryThread<unknown> | undefined;
  #writes: WriteStatements | undefined;
  #reader: RegistryThread<unknown[]> | undefined;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    // An empty file is a registry being started (`dissent init` makes one, an operator may `touch` one): its mode is
    // the umask's, not a choice, and it is made owner-only as a new one is.
    const created = file !== ':memory:' && (statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0;
    this.#file = file;
    try {
      this.#db = new Database(file);
    } catch (e) {
      throw explain(file, e);
    }
    try {
      // The registry holds e-mail addresses, names and birth dates: readable by its owner only, whatever the umask.
      // SQLite gives the WAL and shared-memory files the database file's permissions. An existing file keeps the
      // permissions its operator chose.
      if (created) chmodSync(file, 0o600);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 10000');
    } catch (e) {
      this.#db.close();
      throw explain(file, e);
    }
    withFold(this.#db);
  }

  /**
   * Moves group commits, and the portal's small writes (link tokens, idempotency keys, the purge), to a writer thread
   * with its own connection, so that a server keeps answering requests while a write waits for the lock or is
   * fsync'd. Call after migrate(); a file database only. Reads stay on this thread (WAL lets them run beside the
   * writer).
   */
  startWriterThread(): void {
    if (this.#file === ':memory:') throw new Error('an in-memory database cannot have a writer thread');
    const sql = Object.fromEntries(COMMIT_STATEMENTS.map((name) => [name, this.#s[name].source]));
    this.#writer ??= commitThread(this.#file, sql);
  }

  async migrate(): Promise<number> {
    try {
      return this.#migrate();
    } catch (e) {
      throw explain(this.#file, e);
    }
  }

  #migrate(): number {
    const db = this.#db;
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)');
    const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
    const newest = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
    const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
    if (newest !== null && newest > known) {
      throw new DissentError(
        `the registry has schema version ${newest}, made by a newer dissent than this one (which knows up to ${known}); use that version`,
        'E_SCHEMA_NEWER',
      );
    }
    for (const m of MIGRATIONS) {
      // Checked inside the write lock: another process starting at the same time may have applied it meanwhile.
      db.transaction(() => {
        if (applied.get(m.version) !== undefined) return;
        db.exec(m.sqlite);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      }).immediate();
    }
    return Math.max(0, ...MIGRATIONS.map((m) => m.version));
  }

  // Prepared lazily: statements need the tables that migrate() creates.
  get #s(): Statements {
    this.#stmts ??= prepareStatements(this.#db);
    return this.#stmts;
  }
  async close(): Promise<void> {
    await this.#writer?.close();
    await this.#reader?.close();
    this.#db.close();
  }

  async upsertAccounts(rows: readonly AccountRow[]): Promise<{ moved: number }> {
    const now = new Date().toISOString();
    const stmt = this.#s.upsertAccount;
    const personOf = this.#s.personOfAccount;
    try {
      // IMMEDIATE: a transaction that reads before it writes cannot wait for another process's commit (a running
      // server's), and failed at once as "database is locked"; this one takes the write lock first, waiting for it.
      return this.#db
        .transaction(() => {
          let moved = 0;
          for (const r of rows) {
            const before = personOf.get(r.account) as string | undefined;
            if (before !== undefined && before !== r.person) moved++;
            stmt.run({ ...r, updated_at: now });
          }
          return { moved };
        })
        .immediate();
    } catch (e) {
      throw explain(this.#file, e);
    }
  }

  async getAccount(account: string): Promise<AccountRow | undefined> {
    return this.#s.getAccount.get(account) as AccountRow | undefined;
  }

  async findAccounts(value: string): Promise<AccountRow[]> {
    // A handle is found with or without its '@', whichever way it was typed and whichever way it is stored (a
    // Mastodon handle is often imported as @name@server).
    const key = foldLookupKey(value);
    const bare = key.startsWith('@') ? key.slice(1) : key;
    return this.#s.findAccounts.all(bare, `@${bare}`, key) as AccountRow[];
  }

  async accountsOfPerson(person: string): Promise<AccountRow[]> {
    return this.#s.accountsOfPerson.all(person) as AccountRow[];
  }

  async lookupSubjects(ids: readonly string[]): Promise<(SubjectLookup | undefined)[]> {
    // One read transaction for the lot: in WAL mode, starting one costs more than an index lookup (about 8 µs
    // against 1 µs here), and a statement outside a transaction starts its own.
    const s = this.#s;
    return this.#db.transaction(() =>
      ids.map((id): SubjectLookup | undefined => {
        const person = s.personOfAccount.get(id) as string | undefined;
        if (person !== undefined) {
          return person !== id && s.isPerson.get(id) !== undefined
            ? { kind: 'account', account: id, person, otherPerson: id }
            : { kind: 'account', account: id, person };
        }
        return s.isPerson.get(id) === undefined ? undefined : { kind: 'person', person: id };
      }),
    )();
  }

  async *iterateAccounts(batchSize = 10_000): AsyncIterable<AccountRow[]> {
    let after = '';
    for (;;) {
      const rows = this.#s.accountsAfter.all(after, batchSize) as AccountRow[];
      if (rows.length === 0) return;
      yield rows;
      after = (rows[rows.length - 1] as AccountRow).account;
    }
  }

  async *accountLines(batchSize = 10_000): AsyncIterable<string> {
    // SQLite writes the JSON and joins the lines: one string per batch instead of an object per account.
    let after = '';
    for (;;) {
      const chunk = this.#s.accountLinesAfter.get(after, batchSize) as { lines: string | null; last: string | null };
      if (chunk.lines === null || chunk.last === null) return;
      yield `${chunk.lines}\n`;
      after = chunk.last;
    }
  }

  async countAccounts(): Promise<{ accounts: number; persons: number }> {
    return this.#db.prepare('SELECT count(*) AS accounts, count(DISTINCT person) AS persons FROM accounts').get() as {
      accounts: number;
      persons: number;
    };
  }

  async getObjection(id: string): Promise<ObjectionRow | undefined> {
    return this.#s.getObjection.get(id) as ObjectionRow | undefined;
  }

  async findEffective(subject: string, scope: ObjectionRow['scope'], programme: string) {
    // At most two rows (the programme and '*'); choosing in JS spares SQLite a sort per lookup.
    const rows = this.#s.findEffective.all(subject, scope, programme) as ObjectionRow[];
    return rows.find((r) => r.programme === programme) ?? rows[0];
  }

  async getWithdrawal(id: string): Promise<WithdrawalRow | undefined> {
    return this.#s.getWithdrawal.get(id) as WithdrawalRow | undefined;
  }

  async countObjections() {
    return (await this.#readAll(
      'SELECT state, channel, programme, count(*) AS n FROM objections GROUP BY state, channel, programme ORDER BY state, channel, programme',
      [],
    )) as { state: string; channel: string; programme: string; n: number }[];
  }

  async countObjectionsCovering(programme: string, deadline: string) {
    const rows = (await this.#readAll(this.#s.countCovering.source, [deadline, programme])) as {
      state: string;
      channel: string;
      late: number;
      n: number;
    }[];
    return rows.map((r) => ({ ...r, late: r.late === 1 }));
  }

  /**
   * The rows of a read that scans every objection: on the reader thread in server mode (with the writer thread), so
   * that it does not stop the event loop, else here.
   */
  async #readAll(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    if (this.#writer === undefined) return this.#db.prepare(sql).all(...params);
    // A reader thread that failed (the file could not be opened) is made again for the next read.
    if (this.#reader?.gone) await this.#reader.close();
    if (this.#reader === undefined || this.#reader.gone) this.#reader = readThread(this.#file);
    return this.#reader.request({ sql, params });
  }

  async subjectEventsBefore(size: number): Promise<SubjectEvent[]> {
    return this.#db
      .prepare(
        `SELECT leaf_index, 'objection' AS type, id AS objection_id, subject, scope, programme, submitted_at,
             via_account
           FROM objections WHERE leaf_index IS NOT NULL AND leaf_index < ?
         UNION ALL
         SELECT leaf_index, 'withdrawal' AS type, objection_id, subject, scope, programme, submitted_at,
             NULL AS via_account
           FROM withdrawals WHERE leaf_index < ?
         ORDER BY leaf_index`,
      )
      .all(size, size) as SubjectEvent[];
  }

  async logSize(): Promise<number> {
    return (this.#s.logSize.get() as { n: number }).n;
  }

  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Hash>> {
    const out = new Map<string, Hash>();
    const stmt = this.#s.getNode;
    for (const id of ids) {
      const h = stmt.get(id.level, id.index) as Buffer | undefined;
      if (!h) throw new DissentError(`log node ${nodeKey(id)} is missing from the store`, 'E_LOG_CORRUPT');
      out.set(nodeKey(id), new Uint8Array(h));
    }
    return out;
  }

  async getLeaves(start: number, end: number): Promise<string[]> {
    return this.#s.leaves.all(start, end) as string[];
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return this.#s.latestCheckpoint.get() as CheckpointRow | undefined;
  }

  async commit(batch: CommitBatch): Promise<void> {
    const packed = packBatch(batch);
    let result: CommitResult;
    if (this.#writer) result = (await this.#writer.request({ batch: packed })) as CommitResult;
    else {
      try {
        result = this.#db.transaction(() => applyCommit(this.#s, packed)).immediate();
      } catch (e) {
        if (e !== EXISTS) throw explain(this.#file, e);
        result = 'exists';
      }
    }
    if (result === 'conflict') throw new LogConflictError();
    if (result === 'exists') throw new EffectiveExistsError();
  }

  async purgeUnconfirmed(now: string, linklessBefore: string): Promise<number> {
    // A page of pending requests at a time, oldest first, each page in its own short transaction, and other work gets
    // its turn between pages: on deadline night there are hundreds of thousands of requests nobody confirmed, and one
    // transaction over all of them stopped every request while it ran (and held the write lock the commits need).
    let purged = 0;
    let after: PurgeCursor | null = { at: '', id: '' };
    while (after) {
      const page: WriteResult['purgePage'] = await this.#write({ type: 'purgePage', after, now, linklessBefore });
      purged += page.purged;
      after = page.next;
      if (after && !this.#writer) await new Promise((resolve) => setImmediate(resolve));
    }
    return purged;
  }

  async createToken(token: Omit<TokenRow, 'used_at' | 'attempts'>): Promise<void> {
    await this.#write({ type: 'createToken', token });
  }

  async useToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenUse> {
    return this.#write({ type: 'useToken', tokenHash, purpose, now });
  }

  async peekToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenRow | undefined> {
    const row = this.#db.prepare('SELECT * FROM tokens WHERE token_hash = ?').get(tokenHash) as TokenRow | undefined;
    if (!row || row.purpose !== purpose || row.used_at !== null) return undefined;
    return Date.parse(row.expires_at) < Date.parse(now) ? undefined : row;
  }

  async releaseToken(tokenHash: Uint8Array): Promise<void> {
    await this.#write({ type: 'releaseToken', tokenHash });
  }

  /**
   * Runs one small write in its own transaction: on the writer thread in server mode, where it waits its turn behind
   * a group commit without stopping the event loop (and is fsync'd there), else here.
   */
  async #write<W extends Write>(w: W): Promise<WriteResult[W['type']]> {
    if (this.#writer) return (await this.#writer.request({ write: w })) as WriteResult[W['type']];
    this.#writes ??= Object.fromEntries(
      Object.entries(WRITE_SQL).map(([name, sql]) => [name, this.#db.prepare(sql)]),
    ) as WriteStatements;
    const writes = this.#writes;
    try {
      return this.#db.transaction(() => applyWrite(writes, w)).immediate();
    } catch (e) {
      throw explain(this.#file, e);
    }
  }

  async getIdempotency(key: string) {
    return this.#db.prepare('SELECT request_hash, objection_id FROM idempotency WHERE key = ?').get(key) as
      | { request_hash: string; objection_id: string }
      | undefined;
  }

  async putIdempotency(key: string, requestHash: string, objectionId: string, now: string): Promise<void> {
    await this.#write({ type: 'putIdempotency', key, requestHash, objectionId, now });
  }

  async recordSnapshot(snapshot: SnapshotRow): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO snapshots (id, programme, cut_size, manifest_sha256, out_dir, records_kept, created_at)
         VALUES (@id, @programme, @cut_size, @manifest_sha256, @out_dir, @records_kept, @created_at)`,
      )
      .run(snapshot);
  }

  async listSnapshots(programme?: string): Promise<SnapshotRow[]> {
    return (
      programme === undefined
        ? this.#db.prepare('SELECT * FROM snapshots ORDER BY created_at, id').all()
        : this.#db.prepare('SELECT * FROM snapshots WHERE programme = ? ORDER BY created_at, id').all(programme)
    ) as SnapshotRow[];
  }

  async backup(file: string): Promise<{ logSize: number }> {
    // VACUUM INTO copies in one read transaction, which WAL lets run beside a server's commits. SQLite's online
    // backup (the sqlite3 shell's .backup) starts over whenever another process commits, so on a busy night it never
    // ends; a plain copy of the file misses every commit still in the -wal file. VACUUM INTO needs dissent_fold,
    // which the sqlite3 shell lacks, for the lookup indexes. The copy holds personal data: owner-only from the start.
    closeSync(openSync(file, 'wx', 0o600));
    let logSize: number;
    try {
      this.#db.prepare('VACUUM INTO ?').run(file);
      const copy = withFold(new Database(file, { readonly: true, fileMustExist: true }));
      try {
        const check = copy.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new DissentError('the copy of the registry failed its integrity check', 'E_DB');
        logSize = (copy.prepare('SELECT coalesce(max(idx) + 1, 0) AS n FROM log_leaves').get() as { n: number }).n;
      } finally {
        copy.close();
      }
      fsyncPath(file);
      fsyncPath(dirname(file));
    } catch (e) {
      unlinkSync(file);
      throw explain(file, e);
    }
    return { logSize };
  }
}

/** Registers `dissent_fold` on a connection: the handle and e-mail indexes are over it (migration 5). */
function withFold(db: Database.Database): Database.Database {
  db.function('dissent_fold', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? foldLookupKey(v) : null,
  );
  return db;
}

/** Makes a file, or a folder's list of files, durable. */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const COMMIT_STATEMENTS = [
  'logSize',
  'sameEffective',
  'insertLeaf',
  'insertNode',
  'upsertObjection',
  'insertWithdrawal',
  'insertCheckpoint',
] as const;

/** A batch as the flat arrays that `applyCommit` runs, on this thread or (after a cheap clone) the writer thread. */
function packBatch(batch: CommitBatch): PackedBatch {
  const nodeHashes = Buffer.allocUnsafe(batch.nodes.length * 32);
  batch.nodes.forEach((n, i) => {
    nodeHashes.set(n.hash, i * 32);
  });
  const cp = batch.checkpoint;
  return {
    expectedSize: batch.leaves[0]?.index ?? null,
    absent: (batch.absent ?? []).flatMap((a) => [a.subject, a.scope, a.programme]),
    leafIndex: batch.leaves.map((l) => l.index),
    leafText: batch.leaves.map((l) => l.leaf),
    nodeLevel: batch.nodes.map((n) => n.id.level),
    nodeIndex: batch.nodes.map((n) => n.id.index),
    nodeHashes,
    objections: batch.objections.flatMap((o) => [
      o.id,
      o.subject,
      o.scope,
      o.programme,
      o.state,
      o.channel,
      o.submitted_at,
      o.effective_at,
      o.withdrawn_at,
      o.reason,
      o.salt,
      o.leaf_index,
      o.withdrawal_id,
      o.via_account,
    ]),
    withdrawals: batch.withdrawals.flatMap((w) => [
      w.id,
      w.objection_id,
      w.subject,
      w.scope,
      w.programme,
      w.channel,
      w.submitted_at,
      w.salt,
      w.leaf_index,
    ]),
    checkpoint: cp ? [cp.size, cp.note, cp.created_at] : null,
  };
}

/** What the writer thread says of a commit: written, or nothing written because the log grew or a check failed. */
type CommitResult = 'ok' | 'conflict' | 'exists';

/** The writer thread (see _commit-worker.mjs): one group commit, or one small write, per request. */
function commitThread(file: string, sql: Record<string, string>): RegistryThread<unknown> {
  return new RegistryThread<unknown>(
    new URL('./_commit-worker.mjs', import.meta.url),
    { file, sql },
    (e) => {
      const explained = explain(file, e);
      return explained instanceof DissentError
        ? explained
        : new DissentError(`the registry could not commit: ${e.message}`, 'E_COMMIT');
    },
    'writer thread',
    'E_COMMIT',
  );
}

/** The reader thread (see _read-worker.mjs): the rows of one read-only statement per request. */
function readThread(file: string): RegistryThread<unknown[]> {
  return new RegistryThread<unknown[]>(
    new URL('./_read-worker.mjs', import.meta.url),
    { file },
    (e) => {
      const explained = explain(file, e);
      return explained instanceof DissentError
        ? explained
        : new DissentError(`the registry could not be read: ${e.message}`, 'E_DB');
    },
    'reader thread',
    'E_DB',
  );
}

/** What a SQLite result code (or its extended form, SQLITE_READONLY_DBMOVED) says about the registry file. */
const FILE_PROBLEMS: readonly [string, string][] = [
  [
    'SQLITE_READONLY',
    'is read-only for this user: dissent writes to it, and to its -wal and -shm files beside it, even to read the log; give this user write access to the file and its folder',
  ],
  [
    'SQLITE_FULL',
    'could not grow: the disk is full, and what was being written was rolled back; free some space and run the command again (repeating an objection or an import is safe)',
  ],
  ['SQLITE_NOTADB', 'is not a SQLite database; check the path in database.url or DATABASE_URL'],
  [
    'SQLITE_CANTOPEN',
    'cannot be opened: it is a folder, or its folder does not let this user create the -wal and -shm files beside it',
  ],
  ['SQLITE_CORRUPT', 'is damaged; restore it from a backup'],
  [
    'SQLITE_IOERR',
    'could not be read or written (an I/O error: a failing disk, or a network file system that went away)',
  ],
];

/**
 * A SQLite failure on the registry file as an error that names the file and what to do; any other error as it is.
 * Before, these ended the command as an "unexpected error" that named neither.
 */
function explain(file: string, e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return e;
  const problem = FILE_PROBLEMS.find(([c]) => code === c || code.startsWith(`${c}_`));
  return problem ? new DissentError(`the registry ${file} ${problem[1]}`, 'E_DB', { cause: e }) : e;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    upsertAccount: db.prepare(
      `INSERT INTO accounts (account, person, source, handle, display_name, email, birth_date, country, updated_at)
       VALUES (@account, @person, @source, @handle, @display_name, @email, @birth_date, @country, @updated_at)
       ON CONFLICT (account) DO UPDATE SET person = excluded.person, source = excluded.source,
         handle = excluded.handle, display_name = excluded.display_name, email = excluded.email,
         birth_date = excluded.birth_date, country = excluded.country, updated_at = excluded.updated_at`,
    ),
    countCovering: db.prepare(
      `SELECT state, channel, submitted_at > ? AS late, count(*) AS n FROM objections WHERE programme IN (?, '*')
       GROUP BY state, channel, late ORDER BY state, channel, late`,
    ),
    getAccount: db.prepare(
      'SELECT account, person, source, handle, display_name, email, birth_date, country FROM accounts WHERE account = ?',
    ),
    findAccounts: db.prepare(
      `SELECT account, person, source, handle, display_name, email, birth_date, country FROM accounts
       WHERE dissent_fold(handle) IN (?, ?) OR dissent_fold(email) = ? ORDER BY account`,
    ),
    accountsOfPerson: db.prepare(
      'SELECT account, person, source, handle, display_name, email, birth_date, country FROM accounts WHERE person = ? ORDER BY account',
    ),
    accountsAfter: db.prepare(
      'SELECT account, person, source, handle, display_name, email, birth_date, country FROM accounts WHERE account > ? ORDER BY account LIMIT ?',
    ),
    accountLinesAfter: db.prepare(
      `SELECT group_concat(line, char(10) ORDER BY account) AS lines, max(account) AS last FROM (
         SELECT account, json_object('account', account, 'person', person, 'handle', handle,
           'display_name', display_name, 'birth_date', birth_date, 'country', country) AS line
         FROM accounts WHERE account > ? ORDER BY account LIMIT ?)`,
    ),
    getObjection: db.prepare(`SELECT ${OBJECTION_COLS} FROM objections WHERE id = ?`),
    findEffective: db.prepare(
      `SELECT ${OBJECTION_COLS} FROM objections WHERE subject = ? AND scope = ? AND state = 'effective'
       AND programme IN (?, '*')`,
    ),
    sameEffective: db.prepare(
      `SELECT 1 FROM objections WHERE subject = ? AND scope = ? AND state = 'effective' AND programme = ? LIMIT 1`,
    ),
    personOfAccount: db.prepare('SELECT person FROM accounts WHERE account = ?').pluck(),
    isPerson: db.prepare('SELECT 1 FROM accounts WHERE person = ? LIMIT 1').pluck(),
    getWithdrawal: db.prepare(
      'SELECT id, objection_id, subject, scope, programme, channel, submitted_at, salt, leaf_index FROM withdrawals WHERE id = ?',
    ),
    // Positional, in OBJECTION_COLS order: packBatch writes the values in that order.
    upsertObjection: db.prepare(
      `INSERT INTO objections (${OBJECTION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, effective_at = excluded.effective_at,
         withdrawn_at = excluded.withdrawn_at, leaf_index = excluded.leaf_index, withdrawal_id = excluded.withdrawal_id,
         reason = excluded.reason`,
    ),
    insertWithdrawal: db.prepare(
      `INSERT INTO withdrawals (id, objection_id, subject, scope, programme, channel, submitted_at, salt, leaf_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    logSize: db.prepare('SELECT coalesce(max(idx) + 1, 0) AS n FROM log_leaves'),
    getNode: db.prepare('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?').pluck(),
    insertLeaf: db.prepare('INSERT INTO log_leaves (idx, leaf) VALUES (?, ?)'),
    insertNode: db.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    leaves: db.prepare('SELECT leaf FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx').pluck(),
    latestCheckpoint: db.prepare('SELECT size, note, created_at FROM checkpoints ORDER BY size DESC LIMIT 1'),
    insertCheckpoint: db.prepare(
      'INSERT INTO checkpoints (size, note, created_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING',
    ),
  };
}
