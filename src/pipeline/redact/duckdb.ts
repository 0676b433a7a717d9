/**
 * The SQL path of the redactor. DuckDB's regexp functions use RE2, so the very same pattern strings as the JS
 * redactor are used, and the same per-candidate decision (resolveCandidate) is applied: DuckDB finds candidates with
 * one regexp pass, JS looks at each *distinct* candidate once, and DuckDB splices the results back into the few rows
 * that change. Known names are replaced in SQL too, but for the few rows where two names may overlap or a name may be
 * written with other spaces than stored, which KnownNames redacts (knownNameChanges).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../../shared/errors.ts';
import { candidateSource, PREFILTER_SOURCE, resolveCandidate } from './checks.ts';
import {
  APOSTROPHES,
  CASE_VARIANT_SOURCE,
  escapeName,
  KnownNames,
  NAME_APOSTROPHE_SOURCE,
  NAME_BORDER,
  NAME_DECORATION_SOURCE,
  NAME_SPACE,
  NAME_SPACE_EDGES_SOURCE,
  NAME_SPACE_RUN_SOURCE,
  NAME_SUFFIX_SOURCE,
  NAME_VALID_SOURCE,
  RESERVED_NAMES,
  TOKEN_SOURCE,
} from './known-names.ts';
import { WORD } from './patterns.ts';
import { type PiiType, PLACEHOLDER } from './types.ts';
import { beginsWithItsEndSql, replaceWholeWordsSql } from './whole-words-sql.ts';

/** Where and what to redact inside DuckDB. */
export interface DuckDBRedactOptions {
  /** Table whose text column is rewritten in place. */
  table: string;
  /** A column with a unique value per row. */
  keyColumn: string;
  /** The VARCHAR column to redact. */
  textColumn: string;
  types: readonly PiiType[];
  /** A table with one VARCHAR column `name` holding display names of accounts. */
  knownNamesTable?: string;
  /**
   * Leave `table` as it is and write the redacted text of every row that changes to this new table instead, as
   * `(k, t)`: for large tables, where rewriting rows in place holds every new text in memory until the commit.
   * Not with `knownNamesTable`.
   */
  changesTable?: string;
}

/** Quotes an SQL identifier; accepts `schema.table` as two parts. */
function ident(name: string): string {
  if (name === '' || name.includes('\0')) throw new InputError('redact: empty or invalid identifier', 'E_REDACT_IDENT');
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/** An SQL string literal; backslashes are literal in DuckDB strings, so only quotes need doubling. */
function lit(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const CANDIDATE_TABLE = '__dissent_redact_cand';
/** Candidate pieces put back together per statement (see redactCandidates). */
const PIECES_PER_SLICE = 400_000;
const MAP_TABLE = '__dissent_redact_map';
const NAMES_TABLE = '__dissent_redact_names';
const HITS_TABLE = '__dissent_redact_name_hits';
const SOURCE_TABLE = '__dissent_redact_name_source';
const PLAIN_TABLE = '__dissent_redact_name_plain';
const JS_ROWS_TABLE = '__dissent_redact_name_js_rows';
const JS_DONE_TABLE = '__dissent_redact_name_js_done';
const NAME_CHANGES_TABLE = '__dissent_redact_name_changes';
const LONG_TABLE = '__dissent_redact_name_long';

/**
 * Redacts `textColumn` of `table` in place with SQL regexp functions; JS only resolves distinct checksum/regex
 * candidates. The result is identical to createRedactor(...).redact for every row.
 * @example await redactInDuckDB(conn, { table: 'posts', keyColumn: 'id', textColumn: 'text', types: ALL_PII_TYPES, knownNamesTable: 'names' })
 */
export async function redactInDuckDB(
  conn: DuckDBConnection,
  opts: DuckDBRedactOptions,
): Promise<{ candidatesChecked: number }> {
  const types = new Set<PiiType>(opts.types);
  const table = ident(opts.table);
  const key = ident(opts.keyColumn);
  const text = ident(opts.textColumn);
  let candidatesChecked = 0;

  if (opts.changesTable !== undefined && opts.knownNamesTable !== undefined) {
    throw new InputError('redact: changesTable cannot be combined with knownNamesTable', 'E_REDACT_OPTIONS');
  }
  const changes = opts.changesTable === undefined ? undefined : ident(opts.changesTable);
  if (changes !== undefined) {
    await conn.run(`CREATE OR REPLACE TABLE ${changes} AS SELECT ${key} AS k, ${text} AS t FROM ${table} LIMIT 0`);
  }
  const source = candidateSource(types);
  if (source !== null) candidatesChecked = await redactCandidates(conn, { table, key, text, source, types, changes });

  if (types.has('known_name') && opts.knownNamesTable !== undefined) {
    await knownNameChanges(conn, {
      table: opts.table,
      keyColumn: opts.keyColumn,
      textColumn: opts.textColumn,
      namesTable: opts.knownNamesTable,
      into: NAME_CHANGES_TABLE,
    });
    const changed = ident(NAME_CHANGES_TABLE);
    await conn.run(`UPDATE ${table} SET ${text} = x.t FROM ${changed} x WHERE ${table}.${key} = x.k;
      DROP TABLE ${changed}`);
  }
  return { candidatesChecked };
}

interface CandidateStep {
  table: string;
  key: string;
  text: string;
  source: string;
  types: ReadonlySet<PiiType>;
  /** Where changed rows go instead of an UPDATE (see DuckDBRedactOptions.changesTable). */
  changes: string | undefined;
}

/** Writes `rowsSql` (columns k, t) as the new text of those rows: into the changes table, or in place. */
function applySql(s: CandidateStep, rowsSql: string): string {
  return s.changes !== undefined
    ? `INSERT INTO ${s.changes} SELECT k, t FROM (${rowsSql})`
    : `UPDATE ${s.table} SET ${s.text} = x.t FROM (${rowsSql}) x WHERE ${s.table}.${s.key} = x.k`;
}

// Private-use sentinels around each candidate: one regexp_replace (RE2 finds match bounds with its fast DFA) and plain
// string splitting, instead of capture groups, which force RE2 onto its slow NFA.
const OPEN = '\uE000';
const CLOSE = '\uE001';

async function redactCandidates(conn: DuckDBConnection, s: CandidateStep): Promise<number> {
  const prefilter = `regexp_matches(${s.text}, ${lit(PREFILTER_SOURCE)})`;
  const hasSentinel = `(contains(${s.text}, ${lit(OPEN)}) OR contains(${s.text}, ${lit(CLOSE)}))`;
  // RE2's global iteration, like JS's String.prototype.replace with /g, resumes after each match and sees the
  // context before it (regexp_split_to_array does not: it re-anchors ^ and \b), so the marks fall where JS matches.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${CANDIDATE_TABLE} AS
    SELECT k, p[1 : strpos(p, ${lit(CLOSE)}) - 1] AS m, p[strpos(p, ${lit(CLOSE)}) + 1 :] AS rest, i, first
    FROM (
      SELECT k, unnest(parts) AS p, unnest(range(0, len(parts))) AS i, parts[1] AS first
      FROM (
        SELECT ${s.key} AS k,
               string_split(regexp_replace(${s.text}, ${lit(s.source)}, ${lit(`${OPEN}\\0${CLOSE}`)}, 'g'), ${lit(OPEN)}) AS parts
        FROM ${s.table} WHERE ${prefilter} AND NOT ${hasSentinel}
      )
    ) WHERE i > 0`);
  try {
    const reader = await conn.runAndReadAll(`SELECT DISTINCT m FROM ${CANDIDATE_TABLE}`);
    const distinct = reader.getColumns()[0] ?? [];
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${MAP_TABLE} (c VARCHAR, r VARCHAR)`);
    const appender = await conn.createAppender(MAP_TABLE);
    for (const value of distinct) {
      const c = String(value);
      const r = resolveCandidate(c, s.types);
      if (r === c) continue;
      appender.appendVarchar(c);
      appender.appendVarchar(r);
      appender.endRow();
    }
    appender.closeSync();
    // Rows are put back together with an ordered aggregate, which the engine cannot spill to disk: in slices of about
    // PIECES_PER_SLICE pieces, so that memory stays bounded whatever the input size.
    const pieces = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${CANDIDATE_TABLE}`)).getColumns()[0]?.[0]);
    const slices = Math.max(1, Math.ceil(pieces / PIECES_PER_SLICE));
    for (let slice = 0; slice < slices; slice++) {
      const inSlice = slices === 1 ? 'true' : `hash(k) % ${slices} = ${slice}`;
      await conn.run(
        applySql(
          s,
          `SELECT k, any_value(first) || string_agg(coalesce(r, m) || rest, '' ORDER BY i) AS t
           FROM (SELECT * FROM ${CANDIDATE_TABLE} WHERE ${inSlice}) u LEFT JOIN ${MAP_TABLE} ON ${MAP_TABLE}.c = u.m
           GROUP BY k HAVING count(r) > 0`,
        ),
      );
    }
    return distinct.length + (await redactSentinelRows(conn, s, prefilter, hasSentinel));
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${CANDIDATE_TABLE}; DROP TABLE IF EXISTS ${MAP_TABLE}`);
  }
}

/** The (practically absent) rows that already contain a sentinel character go through the JS reference instead. */
async function redactSentinelRows(
  conn: DuckDBConnection,
  s: CandidateStep,
  prefilter: string,
  hasSentinel: string,
): Promise<number> {
  const reader = await conn.runAndReadAll(
    `SELECT ${s.key} AS k, ${s.text} AS t FROM ${s.table} WHERE ${prefilter} AND ${hasSentinel}`,
  );
  const rows = reader.getRowObjects();
  if (rows.length === 0) return 0;
  const candidates = new RegExp(s.source, 'gu');
  let checked = 0;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${MAP_TABLE} (k ${await keyType(conn, s)}, t VARCHAR)`);
  const appender = await conn.createAppender(MAP_TABLE);
  for (const row of rows) {
    const text = String(row.t);
    appender.appendValue(row.k ?? null);
    appender.appendVarchar(
      text.replace(candidates, (c) => {
        checked++;
        return resolveCandidate(c, s.types);
      }),
    );
    appender.endRow();
  }
  appender.closeSync();
  await conn.run(applySql(s, `SELECT k, t FROM ${MAP_TABLE}`));
  return checked;
}

async function keyType(conn: DuckDBConnection, s: CandidateStep): Promise<string> {
  const reader = await conn.runAndReadAll(`SELECT typeof(${s.key}) FROM ${s.table} LIMIT 1`);
  const type = String(reader.getColumns()[0]?.[0] ?? 'VARCHAR');
  if (!/^[A-Z0-9_() ,]+$/.test(type)) throw new InputError('redact: unsupported key column type', 'E_REDACT_KEY');
  return type;
}

/** Where `knownNameChanges` looks for names, and where it writes the rows it rewrites. */
export interface KnownNameOptions {
  /** A table or view with the rows to redact. */
  table: string;
  /** A column with a unique value per row. */
  keyColumn: string;
  /** The VARCHAR column to redact. */
  textColumn: string;
  /** A table with one VARCHAR column `name` holding display names of accounts. */
  namesTable: string;
  /** A new table `(k, t)` that gets the redacted text of every row in which a name may occur. */
  into: string;
}

/**
 * Whether the text `t` holds a space other than a single plain one between two words (a tab, a no-break space, two
 * spaces in a row), where a name may be written other than as stored; as plain substring tests, far faster than a
 * regexp.
 */
function hasOddNameSpace(t: string): string {
  return [...NAME_SPACE.replace(' ', ''), '  '].map((c) => `contains(${t}, ${lit(c)})`).join(' OR ');
}

/** What a name may hold around one of its spaces: a word character or name punctuation, an apostrophe variant too. */
const NAME_CHAR = `${WORD}_'’´.\\-`;

/**
 * Whether the text `t` holds a run of spaces other than a single plain one (see hasOddNameSpace) where a name's space
 * could stand: between two characters a name may hold. Only there can the JS redactor find a name written other
 * than as stored; French typography's no-break space before `!` or inside `« »` stands next to no such pair.
 */
function hasOddSpaceInName(t: string): string {
  const odd = NAME_SPACE.replace(' ', '');
  return `(${hasOddNameSpace(t)}) AND regexp_matches(${t}, ${lit(`[${NAME_CHAR}](?:[${NAME_SPACE}]*[${odd}]|  )[${NAME_SPACE}]*[${NAME_CHAR}]`)})`;
}

/**
 * Whether the row text `t` may hold the name of `n` (columns name, last): it holds the name as stored, or, in a text
 * with a tab, a no-break space or two spaces in a row, the name's last word. The second test runs only on the pairs
 * (a row's token equal to a name's first token) that fail the first, so the work per row stays what it was.
 */
function nameInRow(t: string, n: string): string {
  return `(contains(${t}, ${n}.name) OR (contains(${t}, ${n}.last) AND (${hasOddNameSpace(t)})))`;
}

/**
 * A name the normalisation leaves as it is: word tokens joined by single plain spaces or name punctuation, nothing
 * around them. Most display names are such; only the others pay for the five regexp_replace calls of the
 * normalisation (a second on 340k names).
 */
const PLAIN_NAME_SOURCE = `[${WORD}_]+(?:[ '’.-][${WORD}_]+)*`;

/**
 * The join keys of the texts of `table` that pass `where`, as KnownNames.redact makes them: each word token, and each
 * token with the next one after a space (`Anna Müller`), the key of a name of more tokens (lookupKey), also without an
 * s after it (`Anna Schmidts Hund`, a name in the genitive). Only tokens that begin some name make keys: most tokens
 * begin none, and making a key of every pair of tokens cost more than the rest of the lookup. With `carry`, each row
 * carries its text.
 */
function tokenKeys(key: string, text: string, table: string, where: string, carry: boolean): string {
  return `SELECT k, ${carry ? 't, ' : ''}unnest(CASE WHEN nxt IS NULL THEN [tok]
      WHEN ends_with(nxt, 's') THEN [tok, tok || ' ' || nxt, tok || ' ' || left(nxt, length(nxt) - 1)]
      ELSE [tok, tok || ' ' || nxt] END) AS key
    FROM (SELECT k, ${carry ? 't, ' : ''}unnest(toks) AS tok, unnest(toks[2:]) AS nxt
          FROM (SELECT ${key} AS k, ${carry ? `${text} AS t, ` : ''}regexp_extract_all(${text}, ${lit(TOKEN_SOURCE)}) AS toks
                FROM ${table} WHERE ${where}))
    WHERE tok IN (SELECT first FROM ${NAMES_TABLE})`;
}

/**
 * Names' first words per prefilter pattern: RE2 compiles a constant pattern once, but a huge alternation can exceed
 * its memory (and falls back to a far slower search).
 */
const NAMES_PER_PATTERN = 2000;

/**
 * Texts up to this size ride along with each of their tokens, which spares a join back to the texts; a longer one
 * would be copied once per token (a 1 MB text of 150,000 words: 150 GB), so its candidate names are joined back.
 */
const CARRIED_TEXT_BYTES = 4096;

/** The rows of one vector of the engine. */
const VECTOR_ROWS = 2048;

/** About how many bytes of long texts one vector may hold when they are split into words (see knownNameChanges). */
const LONG_TEXT_BYTES_PER_VECTOR = 8 << 20;

/**
 * known_name redaction, with the redactor's rules (known-names.ts: the same normalisation, validity rule, borders and
 * placeholder): rows with a token equal to a name's first token and containing the name (see nameInRow) are copied to
 * `into` and rewritten there, most by substring replacement in SQL, the few others by KnownNames (redactRowsInJs). One
 * streaming pass finds them: each token of a text of usual size carries the text, so that the containment check needs
 * no join back to the texts (a hash table of texts was the build's memory peak).
 */
export async function knownNameChanges(conn: DuckDBConnection, opts: KnownNameOptions): Promise<void> {
  const [table, key, text, names, into] = [opts.table, opts.keyColumn, opts.textColumn, opts.namesTable, opts.into].map(
    ident,
  ) as [string, string, string, string, string];
  try {
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ${NAMES_TABLE} AS
        WITH usable AS (SELECT DISTINCT n
        FROM (SELECT CASE WHEN regexp_full_match(name, ${lit(PLAIN_NAME_SOURCE)}) THEN name
                ELSE regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(name,
                  ${lit(NAME_DECORATION_SOURCE)}, '', 'g'), ${lit(NAME_SUFFIX_SOURCE)}, ''),
                ${lit(NAME_DECORATION_SOURCE)}, '', 'g'), ${lit(NAME_SPACE_EDGES_SOURCE)}, '', 'g'),
                ${lit(NAME_SPACE_RUN_SOURCE)}, ' ', 'g') END AS n
              -- Each name as given and in NFC, as KnownNames takes it; a name many accounts share, once.
              FROM (SELECT name FROM (SELECT DISTINCT name FROM ${names} WHERE name IS NOT NULL)
                    UNION SELECT nfc_normalize(name) FROM (SELECT DISTINCT name FROM ${names} WHERE name IS NOT NULL)))
        WHERE length(n) >= 2 AND n NOT IN (${RESERVED_NAMES.map(lit).join(', ')})
          AND regexp_matches(n, ${lit(NAME_VALID_SOURCE)}))
        -- A name of more words in upper case too, and each with every apostrophe, as KnownNames takes it.
        , cased AS (SELECT n AS v FROM usable
              UNION ALL SELECT upper(n) FROM usable WHERE regexp_matches(n, ${lit(CASE_VARIANT_SOURCE)}))
        -- last: the name's last space-separated part, which a row holding the name contains whatever spaces stand
        -- between the name's words in it (see nameInRow).
        -- key: the name's first word token, and for a name of more tokens the second one after a space: a name can
        -- only occur where those stand side by side (see tokenKeys). Joining on the first token alone paired every
        -- "Anna" in the texts with every Anna of the identity graph, thousands of containment checks each with
        -- realistic names (7 s for 400k texts and 140k names).
        SELECT DISTINCT w AS name, concat_ws(' ', toks[1], toks[2]) AS key, toks[1] AS first,
          regexp_extract(w, '[^ ]*$') AS last
        FROM (SELECT w, regexp_extract_all(w, ${lit(TOKEN_SOURCE)}) AS toks FROM (SELECT v AS w FROM cased
              ${APOSTROPHES.map((a) => `UNION ALL SELECT regexp_replace(v, ${lit(NAME_APOSTROPHE_SOURCE)}, ${lit(a)}, 'g') FROM cased WHERE regexp_matches(v, ${lit(NAME_APOSTROPHE_SOURCE)})`).join('\n              ')}));`);
    // The engine estimates the tokens' rows (an unnest) far too low: with more names than that estimate, it built its
    // hash table on the tokens, twelve million rows with their texts for 400k texts (6 s and 700 MB against 0.6 s
    // and 300 MB). The names are always the smaller side: the join order keeps them there without that optimizer.
    await conn.run("SET disabled_optimizers = 'build_side_probe_side'");
    // Only texts with a word that begins some name are split into words: a regexp of those words scans a text several
    // times faster than the engine splits it (regexp_extract_all), and most texts have none.
    const firsts =
      (await conn.runAndReadAll(`SELECT DISTINCT first FROM ${NAMES_TABLE} ORDER BY first`))
        .getColumns()[0]
        ?.map(String) ?? [];
    const mayHoldName =
      firsts.length === 0
        ? 'false'
        : `(${Array.from({ length: Math.ceil(firsts.length / NAMES_PER_PATTERN) }, (_, i) =>
            firsts.slice(i * NAMES_PER_PATTERN, (i + 1) * NAMES_PER_PATTERN),
          )
            .map(
              (chunk) =>
                `regexp_matches(${text}, ${lit(`(?:^|${NAME_BORDER})(?:${chunk.map((f) => escapeName(f)).join('|')})(?:${NAME_BORDER}|$)`)})`,
            )
            .join(' OR ')})`;
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ${HITS_TABLE} AS
        SELECT DISTINCT t.k, n.name
        FROM (${tokenKeys(key, text, table, `strlen(${text}) <= ${CARRIED_TEXT_BYTES} AND ${mayHoldName}`, true)}) t
          JOIN ${NAMES_TABLE} n ON n.key = t.key
        WHERE ${nameInRow('t.t', 'n')};
      CREATE OR REPLACE TEMP TABLE ${LONG_TABLE} AS
        SELECT ${key} AS k, ${text} AS t FROM ${table} WHERE strlen(${text}) > ${CARRIED_TEXT_BYTES} AND ${mayHoldName};`);
    // The engine splits the texts of a whole vector (2,048 rows) into words at once: a vector of long texts (chats of
    // 50 KB) took more than the build's memory for their pairs of words. The long texts go in slices, so that a vector
    // holds about LONG_TEXT_BYTES_PER_VECTOR of them.
    const [long] = (
      await conn.runAndReadAll(
        `SELECT count(*)::BIGINT AS n, coalesce(sum(strlen(t)), 0)::BIGINT AS bytes FROM ${LONG_TABLE}`,
      )
    ).getRowObjects();
    const [count, bytes] = [Number(long?.n ?? 0), Number(long?.bytes ?? 0)];
    const slices =
      count === 0 ? 0 : Math.ceil((Math.min(count, VECTOR_ROWS) * (bytes / count)) / LONG_TEXT_BYTES_PER_VECTOR);
    for (let slice = 0; slice < slices; slice++) {
      const inSlice = slices === 1 ? 'true' : `hash(k) % ${slices} = ${slice}`;
      await conn.run(`
        INSERT INTO ${HITS_TABLE}
          SELECT c.k, c.name
          FROM (SELECT DISTINCT t.k, n.name, n.last
                FROM (${tokenKeys('k', 't', LONG_TABLE, inSlice, false)}) t
                  JOIN ${NAMES_TABLE} n ON n.key = t.key) c
            JOIN (SELECT k, t FROM ${LONG_TABLE} WHERE ${inSlice}) src ON src.k = c.k
          WHERE ${nameInRow('src.t', 'c')};`);
    }
    await conn.run('RESET disabled_optimizers');
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ${SOURCE_TABLE} AS
        SELECT ${key} AS k, ${text} AS t FROM ${table} WHERE ${key} IN (SELECT k FROM ${HITS_TABLE});`);
    // Most rows get their names by plain substring replacement, which needs no pattern at all: where no two of the
    // names a row may hold share a word token, no two can overlap in it, so the order of the replacements changes
    // nothing. Each such name is replaced where it stands as whole words (replaceWholeWordsSql), a name of more words
    // with a genitive s first, as the JS redactor's namesPattern finds them. Not such a row: one whose text holds a
    // space other than a single plain one where a name's space could stand (hasOddSpaceInName), so that a name may be
    // written other than as stored; and one whose names share a token ("Anna" and "Anna Schmidt"), where which one
    // wins depends on the pattern, the genitive's last token counted as one of its name's ("Anna Schmidt" and
    // "Schmidts Hund" overlap in "Anna Schmidts Hund", "Bens Ben" with itself in "Bens Bens Ben"); and one with a
    // name that begins with its own end ("Anna Ann"). Those few go through KnownNames itself (redactRowsInJs).
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ${PLAIN_TABLE} AS
        SELECT k, flatten(list(forms)) AS names
        FROM (SELECT k, forms, CASE WHEN len(toks) > 1 THEN list_append(toks, toks[-1] || 's') ELSE toks END AS own
              FROM (SELECT h.k, toks, CASE WHEN len(toks) > 1 THEN [h.name || 's', h.name] ELSE [h.name] END AS forms
                    FROM (SELECT k, name, regexp_extract_all(name, ${lit(TOKEN_SOURCE)}) AS toks FROM ${HITS_TABLE}) h
                      JOIN ${SOURCE_TABLE} i ON i.k = h.k
                    WHERE NOT (${hasOddSpaceInName('i.t')})))
        GROUP BY k
        HAVING len(flatten(list(own))) = len(list_distinct(flatten(list(own))))
          -- A form that begins with its own end ("Anna Ann") can occur twice over one another ("Anna Anna Ann"): the
          -- split takes the first, which is no whole word, and would miss the second, which is.
          AND NOT bool_or(list_bool_or(list_transform(forms, f -> ${beginsWithItsEndSql('f')})));`);
    await redactRowsInJs(conn);
    // One new table rather than two UPDATEs, each of which rewrote the table (a tenth of a second even for a few rows).
    await conn.run(`
      CREATE OR REPLACE TABLE ${into} AS
        SELECT s.k, CASE WHEN p.k IS NOT NULL
            THEN list_reduce(list_prepend(s.t, p.names), (acc, n) -> ${replaceWholeWordsSql('acc', 'n', PLACEHOLDER.known_name)})
            ELSE coalesce(j.t, s.t) END AS t
        FROM ${SOURCE_TABLE} s LEFT JOIN ${PLAIN_TABLE} p ON p.k = s.k LEFT JOIN ${JS_DONE_TABLE} j ON j.k = s.k;`);
  } finally {
    await conn.run(
      `RESET disabled_optimizers; DROP TABLE IF EXISTS ${NAMES_TABLE}; DROP TABLE IF EXISTS ${HITS_TABLE}; DROP TABLE IF EXISTS ${PLAIN_TABLE}; DROP TABLE IF EXISTS ${SOURCE_TABLE};
       DROP TABLE IF EXISTS ${JS_ROWS_TABLE}; DROP TABLE IF EXISTS ${JS_DONE_TABLE}; DROP TABLE IF EXISTS ${LONG_TABLE}`,
    );
  }
}

/** Rows redactRowsInJs reads from the engine at a time, so that its memory does not grow with the input. */
const JS_BATCH_ROWS = 2000;

/**
 * The rows of SOURCE_TABLE that knownNameChanges does not rewrite by substring replacement (not in PLAIN_TABLE), redacted
 * by KnownNames over the names found in them (HITS_TABLE holds every name a row may hold, as KnownNames would find
 * it: the same lookup keys, and containment with any spaces), a batch at a time. A few thousand rows in two million:
 * a pattern per row is what KnownNames makes, where RE2 would compile one per row (or take dozens of patterns of
 * thousands of names each, at tens of milliseconds apiece, however few rows need them).
 */
async function redactRowsInJs(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE ${JS_ROWS_TABLE} AS
      SELECT row_number() OVER (ORDER BY k) AS i, k FROM ${SOURCE_TABLE} WHERE k NOT IN (SELECT k FROM ${PLAIN_TABLE});`);
  const [count] = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${JS_ROWS_TABLE}`)).getRowObjects();
  const n = Number(count?.n ?? 0);
  const [first] = (await conn.runAndReadAll(`SELECT typeof(k) AS type FROM ${SOURCE_TABLE} LIMIT 1`)).getRowObjects();
  const type = String(first?.type ?? 'BIGINT');
  if (!/^[A-Z0-9_() ,]+$/.test(type)) throw new InputError('redact: unsupported key column type', 'E_REDACT_KEY');
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${JS_DONE_TABLE} (k ${type}, t VARCHAR)`);
  if (n === 0) return;
  const names = await conn.runAndReadAll(
    `SELECT DISTINCT name FROM ${HITS_TABLE} WHERE k IN (SELECT k FROM ${JS_ROWS_TABLE})`,
  );
  const known = KnownNames.ofVariants((names.getColumns()[0] ?? []).map(String));
  const appender = await conn.createAppender(JS_DONE_TABLE);
  try {
    for (let from = 1; from <= n; from += JS_BATCH_ROWS) {
      const rows = await conn.runAndReadAll(`
        SELECT r.k, x.t FROM ${JS_ROWS_TABLE} r JOIN ${SOURCE_TABLE} x ON x.k = r.k
        WHERE r.i BETWEEN ${from} AND ${from + JS_BATCH_ROWS - 1}`);
      for (const row of rows.getRowObjects()) {
        const text = String(row.t);
        const redacted = known.redact(text);
        if (redacted === text) continue;
        appender.appendValue(row.k ?? null);
        appender.appendVarchar(redacted);
        appender.endRow();
      }
    }
  } finally {
    appender.closeSync();
  }
}

/**
 * Creates (or replaces) `table (id INTEGER, <textColumn> VARCHAR)` holding `texts` numbered from 0 in order: the input
 * of a redactInDuckDB run for spot checks, evaluation and benchmarks.
 */
export async function loadTexts(
  conn: DuckDBConnection,
  table: string,
  texts: readonly string[],
  textColumn = 'text',
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${ident(table)} (id INTEGER, ${ident(textColumn)} VARCHAR)`);
  const app = await conn.createAppender(table);
  texts.forEach((text, i) => {
    app.appendInteger(i);
    app.appendVarchar(text);
    app.endRow();
  });
  app.closeSync();
}

/** Creates (or replaces) `table (name VARCHAR)` holding `names`: a `knownNamesTable` for redactInDuckDB. */
export async function loadNames(conn: DuckDBConnection, table: string, names: readonly string[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${ident(table)} (name VARCHAR)`);
  const app = await conn.createAppender(table);
  for (const name of names) {
    app.appendVarchar(name);
    app.endRow();
  }
  app.closeSync();
}
