import { sqlString } from '../policy/compile-sql.ts';
import type { Policy } from '../policy/schema.ts';
import type { Engine } from './_duckdb.ts';
import { knownNameChanges, redactInDuckDB } from './redact/index.ts';
import { WORD } from './redact/patterns.ts';
import { beginsWithItsEndSql, replaceWholeWordsSql } from './redact/whole-words-sql.ts';

/** Unicode's white space (White_Space) but the space, as an RE2 character class. */
const OTHER_WHITE_SPACE = String.raw`[\t\n\x{0B}\f\r\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]`;

/** Up to this many finds of a participant's name in a text, their spellings are taken by place (redactParticipants). */
const FEW_FINDS = 64;

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
    DROP TABLE IF EXISTS text_changes;
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

  // The rows either step rewrote, each with its final text (a known-name row's holds the PII step's changes too), so
  // that the view below joins the texts of one side table: joining both at once held both tables' texts in memory,
  // which ran 1,136 chats of 100 KB out of the engine's 512MB. The anti-join looks at keys only. kept_text is a view,
  // not a copy: storing every kept text once more cost as much as computing it.
  await db.run(`
    DROP VIEW pii_text;
    CREATE TABLE text_changes AS
      SELECT k, t FROM kn_rows
      UNION ALL
      SELECT k, t FROM pii_changes p WHERE NOT EXISTS (SELECT 1 FROM kn_rows n WHERE n.k = p.k);
    DROP TABLE pii_changes; DROP TABLE kn_rows;
    CREATE VIEW kept_text AS
      SELECT b.key, b.id, coalesce(c.t, b.text) AS text, b.source, b.kind, b.created_at
      FROM kept_base b LEFT JOIN text_changes c ON c.k = b.key;
    CREATE TABLE dup_keys (key BIGINT);`);

  let duplicates = 0;
  if (policy.dedup === 'exact') {
    // A hash aggregate instead of a window sorted per text; and regexp_replace (the costliest part) only on texts
    // where it changes something: a whitespace run other than a single space. White space is Unicode's (RE2's \s
    // knows only ASCII): a copy pasted with no-break or narrow no-break spaces is the same text, as it was already
    // when those stood at its ends, which trim takes off. The same text with accents written as a letter and a
    // combining mark (NFD, as macOS and some PDFs give it) is the same text: compared in NFC, which only a text with
    // a character from U+0300 on can change (nfc_normalize on every text cost 0.5 s per 400k). In such a text the
    // Greek final sigma (ς) counts as σ, which is what lower() makes of every capital Σ: a copy in capitals is the
    // same text.
    await db.run(`
      CREATE OR REPLACE TEMP TABLE dedup_hashes AS
        SELECT key, id, md5_number(CASE WHEN regexp_matches(t, '[^\\x00-\\x{2FF}]')
          THEN replace(lower(nfc_normalize(t)), 'ς', 'σ') ELSE lower(t) END) AS h
        FROM (SELECT key, id, trim(CASE WHEN regexp_matches(text, '  |${OTHER_WHITE_SPACE}')
          THEN regexp_replace(text, '(?: |${OTHER_WHITE_SPACE})+', ' ', 'g') ELSE text END) AS t FROM kept_text);
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
 * In records that name an objector as a participant, replaces the `@handle` and display name of that participant, and
 * of every other objecting account of its person, with [person], in any case, as whole words: an occurrence is
 * replaced only where neither neighbour is a token character (the known-name borders), so `@annabelle` keeps its
 * `@anna`. Literal splitting, longest name first, instead of a
 * regexp: one built per record would cost RE2 a compile per record, and one alternation of every objecting
 * participant's names made RE2 fall back to its slow engine (20 s at 2M records). Other spellings are left to the PII
 * step (handle, known_name).
 */
async function redactParticipants(db: Engine): Promise<void> {
  const splitWhole = replaceWholeWordsSql('acc', 'alt', PERSON_PLACEHOLDER);
  // A name that begins with its own end (`Anna Ann`) can occur twice over one another (`Anna Anna Ann`), where the
  // split misses the whole-word one. Such a name (rare: its pattern is built for the record) goes through a regexp,
  // which looks again from the next character; twice, since a find takes the border after it, which the next find
  // right after it needs.
  const pattern = `'(^|[^${WORD}_])(' || regexp_escape(alt) || ')([^${WORD}_]|$)'`;
  const once = (t: string) => `regexp_replace(${t}, ${pattern}, ${sqlString(`\\1${PERSON_PLACEHOLDER}\\3`)}, 'g')`;
  const replaceWhole = `CASE WHEN ${beginsWithItsEndSql('alt')} THEN ${once(once('acc'))} ELSE ${splitWhole} END`;
  // A name is found in any case (`@Insta2`, `ANNA MÜLLER`: platforms take handles in any case) and in any Unicode
  // form: the names and the texts they occur in are compared in NFC (a text with decomposed accents is rewritten in
  // NFC). The spellings a text holds are taken from it at the places where the lower-case text holds the lower-case
  // name (the split of the one gives the places in the other). The lower case is that of the upper case: lower()
  // alone keeps a final ς and a dotless ı, which the same name in capitals (ΝΊΚΟΣ, YILDIZ) turns into σ and i. That
  // needs the case mappings to keep a text's length, as the engine's one-to-one ones do; were it ever not so, such a
  // text gets the name as written, in lower case and in upper case.
  // Each place is the sum of the lengths before it, which is quadratic in the number of finds: a text that names the
  // participant more than a few dozen times is searched by a case-insensitive regexp instead, linear but compiled per
  // record. RE2 folds case as the lower case of the upper case does, but for the Turkish i: İ, ı, I and i stand for
  // one another in its pattern.
  const fold = (x: string) => `lower(upper(${x}))`;
  const caseless = `'(?i)' || regexp_replace(regexp_escape(v.alt), '[iIıİ]', '[iıİ]', 'g')`;
  const found = `list_transform([string_split(${fold('b.t')}, ${fold('v.alt')})], parts -> CASE WHEN len(parts) <= ${FEW_FINDS + 1}
    THEN list_transform(range(1, len(parts)),
      i -> substr(b.t, (1 + list_sum(list_transform(parts[1:i], x -> length(x))) + (i - 1) * length(v.alt))::BIGINT,
        length(v.alt)))
    ELSE regexp_extract_all(b.t, ${caseless}) END)[1]`;
  await db.run(`
    DROP TABLE IF EXISTS participant_names;
    CREATE TABLE participant_names AS
      SELECT key, list(DISTINCT form ORDER BY length(form) DESC, form) AS alts FROM (
        SELECT p.key, unnest(CASE WHEN length(${fold('b.t')}) = length(b.t) AND length(${fold('v.alt')}) = length(v.alt)
            THEN ${found}
            ELSE [v.alt, lower(v.alt), upper(v.alt)] END) AS form, b.t
        FROM (
          SELECT s.key, unnest(s.participants) AS participant
          FROM staged s JOIN participant_hits h ON h.key = s.key
        ) p JOIN (
          -- A participant stands for every objecting account of its person: a record that tags someone's Instagram
          -- account may name them by their Facebook handle or display name as well.
          SELECT account AS participant, account AS named FROM objector_accounts
          UNION
          SELECT o.account, n.account FROM objector_accounts o JOIN objector_accounts n ON n.person = o.person
        ) m ON m.participant = p.participant
        JOIN (
          SELECT account, nfc_normalize('@' || ltrim(handle, '@')) AS alt FROM objector_accounts
            WHERE coalesce(ltrim(handle, '@'), '') <> ''
          UNION ALL
          SELECT account, nfc_normalize(display_name) FROM objector_accounts WHERE coalesce(display_name, '') <> ''
        ) v ON v.account = m.named
        JOIN (SELECT key, nfc_normalize(text) AS t FROM kept_base) b ON b.key = p.key
        WHERE contains(${fold('b.t')}, ${fold('v.alt')})
      )
      WHERE contains(t, form)
      GROUP BY key;
    UPDATE kept_base SET text = list_reduce(list_prepend(nfc_normalize(kept_base.text), pn.alts), (acc, alt) -> ${replaceWhole})
      FROM participant_names pn WHERE kept_base.key = pn.key;
    DROP TABLE participant_names;`);
}
