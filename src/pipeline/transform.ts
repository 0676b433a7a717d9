import { sqlString } from '../policy/compile-sql.ts';
import type { Policy } from '../policy/schema.ts';
import type { Engine } from './_duckdb.ts';
import { knownNameChanges, redactInDuckDB } from './redact/index.ts';
import { byLengthDesc, namesPattern } from './redact/known-names.ts';

/** The placeholder for an objecting participant's handle or name in someone else's record. */
export const PERSON_PLACEHOLDER = '[person]';

/**
 * Builds `kept_text` (the records without an exclusion reason, with their final text) and `dup_keys` (the records
 * that are exact duplicates of the normalised text; the lowest id, then input position, wins):
 * 1. objecting participants' handles and display names become [person] (policy `participants: redact`);
 * 2. PII is redacted with the redactor's SQL path;
 * 3. known names are redacted;
 * 4. duplicates are marked.
 * Rewritten rows are collected in side tables and joined back in the view `kept_text`, instead of updated in place: an
 * UPDATE holds every new text in memory until it commits, which made memory grow with the input. Idempotent: it
 * starts again from `staged` and `classified`, which it never changes; `reasons` and `kept` are the views later
 * stages read.
 */
export async function transform(
  db: Engine,
  policy: Policy,
): Promise<{ candidatesChecked: number; duplicates: number }> {
  await db.run(`
    DROP VIEW IF EXISTS kept; DROP VIEW IF EXISTS reasons; DROP TABLE IF EXISTS dup_keys; DROP VIEW IF EXISTS kept_text;
    DROP VIEW IF EXISTS pii_text; DROP TABLE IF EXISTS pii_changes; DROP TABLE IF EXISTS kn_rows;
    CREATE OR REPLACE TABLE kept_base AS
      SELECT s.key, s.id, s.text, s.source, s.kind, s.created_at
      FROM staged s JOIN classified c ON c.key = s.key
      WHERE c.reason IS NULL;`);

  if (policy.participants === 'redact') await redactParticipants(db);

  let candidatesChecked = 0;
  const types = policy.pii.filter((t) => t !== 'known_name');
  if (types.length > 0) {
    // The redactor finds candidates only in rows that pass its own prefilter, and writes changed rows aside.
    const r = await redactInDuckDB(db.conn, {
      table: 'kept_base',
      keyColumn: 'key',
      textColumn: 'text',
      types,
      changesTable: 'pii_changes',
    });
    candidatesChecked = r.candidatesChecked;
  } else {
    await db.run('CREATE TABLE pii_changes AS SELECT key AS k, text AS t FROM kept_base LIMIT 0');
  }
  await db.run(`
    CREATE OR REPLACE VIEW pii_text AS
      SELECT b.key, coalesce(p.t, b.text) AS text FROM kept_base b LEFT JOIN pii_changes p ON p.k = b.key;
    CREATE TABLE kn_rows (k BIGINT, t VARCHAR);`);
  if (policy.pii.includes('known_name')) {
    // Only rows where a name may occur are copied to kn_rows and rewritten there.
    await knownNameChanges(db.conn, {
      table: 'pii_text',
      keyColumn: 'key',
      textColumn: 'text',
      namesTable: 'known_names',
      into: 'kn_rows',
    });
  }

  // A view, not a copy: storing every kept text once more cost as much as computing it.
  await db.run(`
    CREATE VIEW kept_text AS
      SELECT b.key, b.id, coalesce(n.t, p.t, b.text) AS text, b.source, b.kind, b.created_at
      FROM kept_base b LEFT JOIN pii_changes p ON p.k = b.key LEFT JOIN kn_rows n ON n.k = b.key;
    DROP VIEW pii_text;
    CREATE TABLE dup_keys (key BIGINT);`);

  let duplicates = 0;
  if (policy.dedup === 'exact') {
    // A hash aggregate instead of a window sorted per text; and regexp_replace (the costliest part) only on texts
    // where it changes something: a whitespace run other than a single space.
    await db.run(`
      CREATE OR REPLACE TEMP TABLE dedup_hashes AS
        SELECT key, id, md5_number(lower(trim(CASE WHEN regexp_matches(text, '\\s\\s|[\\t\\n\\f\\r]')
          THEN regexp_replace(text, '\\s+', ' ', 'g') ELSE text END))) AS h
        FROM kept_text;
      INSERT INTO dup_keys
        SELECT n.key FROM dedup_hashes n
          JOIN (SELECT h, min({'id': id, 'key': key}) AS w FROM dedup_hashes GROUP BY h HAVING count(*) > 1) g
            ON g.h = n.h
        WHERE n.key <> g.w.key;
      DROP TABLE dedup_hashes;`);
    const [row] = await db.rows<{ n: string }>('SELECT count(*) AS n FROM dup_keys');
    duplicates = Number(row?.n ?? 0);
  }
  await db.run(`
    CREATE VIEW reasons AS
      SELECT c.key, c.id, c.account, c.person, CASE WHEN d.key IS NOT NULL THEN 'duplicate' ELSE c.reason END AS reason
      FROM classified c LEFT JOIN dup_keys d ON d.key = c.key;
    CREATE VIEW kept AS SELECT * FROM kept_text k WHERE NOT EXISTS (SELECT 1 FROM dup_keys d WHERE d.key = k.key);`);
  return { candidatesChecked, duplicates };
}

/**
 * In records that name an objector as a participant, replaces the `@handle` and display name of every objecting
 * participant of such records with [person], as whole words (the known-name borders: not next to a letter, digit or
 * `_`, so `@annabelle` keeps its `@anna`). Constant patterns over those names, in chunks, applied only to those
 * records: a pattern built per record would cost RE2 a compile per record. Other spellings are left to the PII step
 * (handle, known_name).
 */
async function redactParticipants(db: Engine): Promise<void> {
  await db.run(`
    DROP TABLE IF EXISTS participant_names;
    CREATE TABLE participant_names AS
      SELECT DISTINCT p.key, x.alt FROM (
        SELECT s.key, unnest(s.participants) AS participant
        FROM staged s JOIN participant_hits h ON h.key = s.key
      ) p JOIN (
        SELECT account, '@' || ltrim(handle, '@') AS alt FROM objector_accounts WHERE coalesce(ltrim(handle, '@'), '') <> ''
        UNION ALL
        SELECT account, display_name FROM objector_accounts WHERE coalesce(display_name, '') <> ''
      ) x ON x.account = p.participant;`);
  const alts = (await db.rows<{ alt: string }>('SELECT DISTINCT alt FROM participant_names')).map((r) => r.alt);
  const escaped = alts.sort(byLengthDesc).map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const repl = sqlString(`\\1${PERSON_PLACEHOLDER}\\2`);
  for (let i = 0; i < escaped.length; i += PARTICIPANTS_PER_PATTERN) {
    // Two passes, because a match consumes its right border, which may be the next name's left one.
    const pattern = sqlString(namesPattern(escaped.slice(i, i + PARTICIPANTS_PER_PATTERN)));
    await db.run(`
      UPDATE kept_base SET text = regexp_replace(regexp_replace(text, ${pattern}, ${repl}, 'g'), ${pattern}, ${repl}, 'g')
      WHERE key IN (SELECT key FROM participant_names) AND regexp_matches(text, ${pattern})`);
  }
  await db.run('DROP TABLE participant_names;');
}

/** Names per pattern: RE2 compiles a constant pattern once, but a huge alternation can exceed its memory. */
const PARTICIPANTS_PER_PATTERN = 2000;
