import { sqlString } from '../policy/compile-sql.ts';
import type { Policy } from '../policy/schema.ts';
import type { Engine } from './_duckdb.ts';
import { redactInDuckDB } from './redact/index.ts';
import { NAME_VALID_SOURCE, NAMES_REPLACEMENT_RE2, TOKEN_SOURCE } from './redact/known-names.ts';
import { WORD } from './redact/patterns.ts';

/** The placeholder for an objecting participant's handle or name in someone else's record. */
export const PERSON_PLACEHOLDER = '[person]';

/**
 * Builds `kept_text` (the records without an exclusion reason), replaces objecting participants' handles and display
 * names with [person] (policy `participants: redact`), redacts PII with the redactor's SQL path, then marks exact
 * duplicates of the normalised text (lowest id, then input position, wins). Idempotent: it starts again from `staged` and `classified`.
 */
export async function transform(
  db: Engine,
  policy: Policy,
): Promise<{ candidatesChecked: number; duplicates: number }> {
  await db.run(`
    UPDATE classified SET reason = NULL WHERE reason = 'duplicate';
    DROP TABLE IF EXISTS kept_text;
    CREATE TABLE kept_text AS
      SELECT s.key, s.id, s.text, s.source, s.kind, s.created_at
      FROM staged s JOIN classified c ON c.key = s.key
      WHERE c.reason IS NULL;`);

  if (policy.participants === 'redact') await redactParticipants(db);

  let candidatesChecked = 0;
  if (policy.pii.length > 0) {
    const types = policy.pii.filter((t) => t !== 'known_name');
    if (types.length > 0) {
      // Every candidate needs an @, a colon, a digit or an obfuscated "[at]"; the redactor's combined pattern costs
      // about 0.3 ms a row in RE2, so it only sees the rows that can match at all.
      await db.run(`
        DROP TABLE IF EXISTS pii_rows;
        CREATE TABLE pii_rows AS SELECT key, text FROM kept_text WHERE regexp_matches(text, ${sqlString(PII_PREFILTER)});`);
      const r = await redactInDuckDB(db.conn, { table: 'pii_rows', keyColumn: 'key', textColumn: 'text', types });
      await db.run(`
        UPDATE kept_text SET text = p.text FROM pii_rows p WHERE kept_text.key = p.key AND kept_text.text <> p.text;
        DROP TABLE pii_rows;`);
      candidatesChecked = r.candidatesChecked;
    }
    if (policy.pii.includes('known_name')) await redactKnownNames(db);
  }

  let duplicates = 0;
  if (policy.dedup === 'exact') {
    // A hash aggregate instead of a window sorted per text; and regexp_replace (the costliest part) only on texts
    // where it changes something: a whitespace run other than a single space.
    await db.run(`
      DROP TABLE IF EXISTS dup_keys;
      CREATE OR REPLACE TEMP TABLE dedup_hashes AS
        SELECT key, id, md5_number(lower(trim(CASE WHEN regexp_matches(text, '\\s\\s|[\\t\\n\\f\\r]')
          THEN regexp_replace(text, '\\s+', ' ', 'g') ELSE text END))) AS h
        FROM kept_text;
      CREATE TABLE dup_keys AS
        SELECT n.key FROM dedup_hashes n
          JOIN (SELECT h, min({'id': id, 'key': key}) AS w FROM dedup_hashes GROUP BY h HAVING count(*) > 1) g
            ON g.h = n.h
        WHERE n.key <> g.w.key;
      DROP TABLE dedup_hashes;
      UPDATE classified SET reason = 'duplicate' WHERE key IN (SELECT key FROM dup_keys);
      DELETE FROM kept_text WHERE key IN (SELECT key FROM dup_keys);`);
    const [row] = await db.rows<{ n: string }>('SELECT count(*) AS n FROM dup_keys');
    duplicates = Number(row?.n ?? 0);
  }
  return { candidatesChecked, duplicates };
}

/** A necessary condition for every PII candidate pattern except known names (see redact/patterns.ts). */
const PII_PREFILTER = '[@:\\p{N}]|[\\[(](?:at|AT)[\\])]';

/** Alternatives per regexp: RE2 compiles a constant pattern once, but a huge alternation can exceed its memory. */
const CHUNK = 2000;

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces every alternative (longest first) as a whole word in the rows of `table` whose key is in `keysSql`.
 * Patterns are constants, compiled once per chunk; a pattern built per row would be compiled per row (about 4 ms
 * each in RE2), which made this step the slowest of the build. Two passes catch matches that share a separator.
 */
async function replaceWords(
  db: Engine,
  opts: {
    table: string;
    keysSql: string;
    alternatives: string[];
    before: string;
    after: string;
    replacement: string;
    flags?: string;
  },
): Promise<void> {
  const alts = [...new Set(opts.alternatives)].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < alts.length; i += CHUNK) {
    const pattern = sqlString(
      `${opts.flags ?? ''}${opts.before}(?:${alts.slice(i, i + CHUNK).join('|')})${opts.after}`,
    );
    const repl = sqlString(opts.replacement);
    await db.run(`
      UPDATE ${opts.table} SET text = regexp_replace(regexp_replace(text, ${pattern}, ${repl}, 'g'), ${pattern}, ${repl}, 'g')
      WHERE key IN (${opts.keysSql}) AND regexp_matches(text, ${pattern})`);
  }
}

/**
 * In records that name an objector as a participant, replaces that participant's `@handle` and display name with
 * [person]. Literal replacement (longest first) keeps this step linear: a regexp built per row costs RE2 a compile
 * per row, and one big case-insensitive alternation over all objectors falls off RE2's DFA. Other spellings are left
 * to the PII step (handle, known_name).
 */
async function redactParticipants(db: Engine): Promise<void> {
  await db.run(`
    DROP TABLE IF EXISTS participant_names;
    CREATE TABLE participant_names AS
      SELECT key, list(alt ORDER BY length(alt) DESC, alt) AS alts FROM (
        SELECT DISTINCT p.key, x.alt FROM (
          SELECT s.key, unnest(s.participants) AS participant
          FROM staged s JOIN participant_hits h ON h.key = s.key
        ) p JOIN (
          SELECT account, '@' || ltrim(handle, '@') AS alt FROM objector_accounts WHERE coalesce(handle, '') <> ''
          UNION ALL
          SELECT account, display_name FROM objector_accounts WHERE coalesce(display_name, '') <> ''
        ) x ON x.account = p.participant
      ) GROUP BY key;
    UPDATE kept_text SET text = list_reduce(list_prepend(kept_text.text, pn.alts), (acc, alt) -> replace(acc, alt, ${sqlString(PERSON_PLACEHOLDER)}))
      FROM participant_names pn WHERE kept_text.key = pn.key;
    DROP TABLE participant_names;`);
}

/**
 * known_name redaction with the redactor's rules (same name normalisation, validity rule, word characters and
 * placeholder as src/pipeline/redact), but with constant patterns: candidate rows are those with a token equal to a
 * name's first token that also contain the name.
 */
async function redactKnownNames(db: Engine): Promise<void> {
  const reserved = ['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'name', 'person']
    .map(sqlString)
    .join(', ');
  await db.run(`
    CREATE OR REPLACE TEMP TABLE kn_names AS
      SELECT DISTINCT n AS name, regexp_extract(n, ${sqlString(TOKEN_SOURCE)}) AS first
      FROM (SELECT regexp_replace(regexp_replace(name, '^[ \t]+|[ \t]+$', '', 'g'), '[ \t]+', ' ', 'g') AS n
            FROM known_names WHERE name IS NOT NULL)
      WHERE length(n) >= 2 AND n NOT IN (${reserved}) AND regexp_matches(n, ${sqlString(NAME_VALID_SOURCE)});
    CREATE OR REPLACE TEMP TABLE kn_hits AS
      SELECT DISTINCT t.key, n.name FROM (
        SELECT DISTINCT key, tok FROM (
          SELECT key, unnest(regexp_extract_all(text, ${sqlString(TOKEN_SOURCE)})) AS tok FROM kept_text
        ) WHERE tok IN (SELECT first FROM kn_names)
      ) t JOIN kn_names n ON n.first = t.tok JOIN kept_text k ON k.key = t.key
      WHERE contains(k.text, n.name);`);
  const names = await db.rows<{ name: string }>('SELECT DISTINCT name FROM kn_hits');
  await replaceWords(db, {
    table: 'kept_text',
    keysSql: 'SELECT key FROM kn_hits',
    alternatives: names.map((r) => escapeRe(r.name)),
    before: `(^|[^${WORD}_])`,
    after: `([^${WORD}_]|$)`,
    replacement: NAMES_REPLACEMENT_RE2,
  });
  await db.run('DROP TABLE kn_names; DROP TABLE kn_hits;');
}
