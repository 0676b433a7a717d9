/** A versioned schema step. `sql` is written in the subset SQLite and PostgreSQL share, unless split per dialect. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
  /**
   * PostgreSQL fills the folded lookup columns of every account (foldLookupKey, in JS) after this step: they are new,
   * or the fold changed. SQLite needs no such step: its indexes call the fold itself.
   */
  readonly refoldPostgres?: true;
}

const base = (blob: string) => `
CREATE TABLE accounts (
  account TEXT PRIMARY KEY,
  person TEXT NOT NULL,
  source TEXT NOT NULL,
  handle TEXT,
  display_name TEXT,
  email TEXT,
  birth_date TEXT,
  country TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX accounts_person ON accounts (person);
CREATE INDEX accounts_handle ON accounts (lower(handle));
CREATE INDEX accounts_email ON accounts (lower(email));

CREATE TABLE objections (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('person', 'account')),
  programme TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'effective', 'withdrawn')),
  channel TEXT NOT NULL CHECK (channel IN ('cli', 'api', 'web')),
  submitted_at TEXT NOT NULL,
  effective_at TEXT,
  withdrawn_at TEXT,
  reason TEXT,
  salt TEXT NOT NULL,
  leaf_index BIGINT UNIQUE,
  withdrawal_id TEXT
);
CREATE UNIQUE INDEX objections_one_effective ON objections (subject, scope, programme) WHERE state = 'effective';
CREATE INDEX objections_subject ON objections (subject);

CREATE TABLE withdrawals (
  id TEXT PRIMARY KEY,
  objection_id TEXT NOT NULL REFERENCES objections (id),
  subject TEXT NOT NULL,
  scope TEXT NOT NULL,
  programme TEXT NOT NULL,
  channel TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  salt TEXT NOT NULL,
  leaf_index BIGINT NOT NULL UNIQUE
);

CREATE TABLE log_leaves (
  idx BIGINT PRIMARY KEY,
  leaf TEXT NOT NULL
);

CREATE TABLE log_nodes (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash ${blob} NOT NULL,
  PRIMARY KEY (level, idx)
)${blob === 'BLOB' ? ' WITHOUT ROWID' : ''};

CREATE TABLE checkpoints (
  size BIGINT PRIMARY KEY,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

const portalAndSnapshots = (blob: string) => `
CREATE TABLE tokens (
  token_hash ${blob} PRIMARY KEY,
  objection_id TEXT NOT NULL REFERENCES objections (id),
  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'withdraw')),
  expires_at TEXT NOT NULL,
  used_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  objection_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  programme TEXT NOT NULL,
  cut_size BIGINT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  out_dir TEXT NOT NULL,
  records_kept BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX snapshots_programme ON snapshots (programme, created_at);
`;

/**
 * Fewer index writes per objection. In SQLite only a column declared exactly `INTEGER PRIMARY KEY` is the row id;
 * `BIGINT PRIMARY KEY` made the log's leaves and checkpoints keep a second B-tree beside the table. And no query
 * reads objections by subject alone (every lookup goes through objections_one_effective).
 */
const leanerWrites = `
DROP INDEX objections_subject;
CREATE TABLE log_leaves_v3 (idx INTEGER PRIMARY KEY, leaf TEXT NOT NULL);
INSERT INTO log_leaves_v3 (idx, leaf) SELECT idx, leaf FROM log_leaves ORDER BY idx;
DROP TABLE log_leaves;
ALTER TABLE log_leaves_v3 RENAME TO log_leaves;
CREATE TABLE checkpoints_v3 (size INTEGER PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO checkpoints_v3 (size, note, created_at) SELECT size, note, created_at FROM checkpoints ORDER BY size;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_v3 RENAME TO checkpoints;
`;

/**
 * A person-scope objection filed through an account remembers that account, so that the account's content stays out
 * even if the identity graph later links it to another person.
 */
const viaAccount = 'ALTER TABLE objections ADD COLUMN via_account TEXT;';

/**
 * Handles and e-mails are looked up by their folded form (see foldLookupKey): SQLite's lower() folds ASCII only, so a
 * person typing JÜRGEN.ÖZ, or jürgen.öz as macOS sends it (decomposed), was not found. SQLite indexes the function
 * the store registers on each connection, so that a process without it (an older dissent) fails on writing an
 * account instead of leaving it unfindable; Postgres's lower() folds Unicode.
 */
const foldedLookups = (fold: (col: string) => string) => `
DROP INDEX accounts_handle;
DROP INDEX accounts_email;
CREATE INDEX accounts_handle_folded ON accounts (${fold('handle')});
CREATE INDEX accounts_email_folded ON accounts (${fold('email')});
`;

/**
 * The hourly purge of unconfirmed requests finds the pending objections without reading every objection, and the
 * tokens of one objection without reading every token. Deleting an objection also looks for its tokens and
 * withdrawals (the foreign keys): without these indexes every deleted request read both tables whole, so that a purge
 * took time in the square of the registry's size (25 s of a stopped server for 4,000 requests among 40,000).
 */
const purgeIndexes = `
CREATE INDEX objections_pending ON objections (submitted_at, id) WHERE state = 'pending';
CREATE INDEX tokens_objection ON tokens (objection_id);
CREATE INDEX withdrawals_objection ON withdrawals (objection_id);
`;

/**
 * Version 7 folds more (see foldLookupKey): SQLite rebuilds its indexes over `dissent_fold` with the new fold, and
 * Postgres gets the same fold as an expression.
 */
const pgFold = (col: string) =>
  `lower(btrim(normalize(regexp_replace(${col}, '[\\u00AD\\u034F\\u061C\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\uFE00-\\uFE0F\\uFEFF]', '', 'g'), NFKC)))`;
const refoldedLookups = `
DROP INDEX accounts_handle_folded;
DROP INDEX accounts_email_folded;
CREATE INDEX accounts_handle_folded ON accounts (${pgFold('handle')});
CREATE INDEX accounts_email_folded ON accounts (${pgFold('email')});
`;

/**
 * PostgreSQL finds handles and e-mails by columns that dissent fills with foldLookupKey when it writes an account.
 * Version 7's SQL fold could not match it: its list of invisible characters is shorter than Unicode's
 * Default_Ignorable_Code_Point (U+3164, tag characters), btrim() trims spaces only (not a tab or an ideographic space),
 * and lower() depends on the database's locale (ASCII only under C) and maps İ and final Σ otherwise than JS. The
 * account column sorts by code point (COLLATE "C"), as SQLite's does, whatever the database's locale.
 */
const pgFoldedColumns = `
DROP INDEX accounts_handle_folded;
DROP INDEX accounts_email_folded;
ALTER TABLE accounts ADD COLUMN handle_folded TEXT, ADD COLUMN email_folded TEXT;
ALTER TABLE accounts ALTER COLUMN account TYPE TEXT COLLATE "C";
CREATE INDEX accounts_handle_folded ON accounts (handle_folded);
CREATE INDEX accounts_email_folded ON accounts (email_folded);
`;

/** The registry's migrations, in order. Never edit a released one: add a new version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'registry and transparency log', sqlite: base('BLOB'), postgres: base('BYTEA') },
  {
    version: 2,
    name: 'confirmation tokens, idempotency keys, snapshots',
    sqlite: portalAndSnapshots('BLOB'),
    postgres: portalAndSnapshots('BYTEA'),
  },
  {
    version: 3,
    name: 'fewer index writes per objection',
    sqlite: leanerWrites,
    postgres: 'DROP INDEX objections_subject;',
  },
  {
    version: 4,
    name: 'the account a person-scope objection was filed through',
    sqlite: viaAccount,
    postgres: viaAccount,
  },
  {
    version: 5,
    name: 'handles and e-mails found in any case and Unicode form',
    sqlite: foldedLookups((col) => `dissent_fold(${col})`),
    postgres: foldedLookups((col) => `lower(normalize(${col}, NFC))`),
  },
  { version: 6, name: 'indexes for the purge of unconfirmed requests', sqlite: purgeIndexes, postgres: purgeIndexes },
  {
    version: 7,
    name: 'handles and e-mails found also when typed full-width, with invisible characters or spaces around',
    sqlite: 'REINDEX accounts_handle_folded; REINDEX accounts_email_folded;',
    postgres: refoldedLookups,
  },
  {
    version: 8,
    name: 'PostgreSQL: handles and e-mails folded by dissent, exactly as SQLite finds them',
    // Nothing changes in SQLite (its indexes are over dissent_fold already).
    sqlite: 'SELECT 1;',
    postgres: pgFoldedColumns,
    refoldPostgres: true,
  },
];

/**
 * Characters that show as nothing: zero-width spaces and joiners, direction marks and isolates, soft hyphens, a byte
 * order mark, variation selectors. A handle copied from a profile page or a chat often carries some of them.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key a handle or e-mail is found by: without invisible characters and the spaces around it, in Unicode NFKC
 * (full-width ａｎｎａ＠ｅｘａｍｐｌｅ.ｏｒｇ, as a Japanese or Chinese keyboard types it, is anna@example.org) and lower case
 * (JÜRGEN.ÖZ finds jürgen.öz, also decomposed as macOS sends it).
 */
export function foldLookupKey(value: string): string {
  return value.replace(INVISIBLE, '').normalize('NFKC').trim().toLowerCase();
}
