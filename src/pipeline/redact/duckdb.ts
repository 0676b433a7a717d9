/**
 * The SQL path of the redactor. DuckDB's regexp functions use RE2, so the very same pattern strings as the JS
 * redactor are used, and the same per-candidate decision (resolveCandidate) is applied: DuckDB finds candidates with
 * one regexp pass, JS looks at each *distinct* candidate once, and DuckDB splices the results back into the few rows
 * that change. No JS runs per row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../../shared/errors.ts';
import { candidateSource, PREFILTER_SOURCE, resolveCandidate } from './checks.ts';
import {
  APOSTROPHES,
  byLengthDesc,
  CASE_VARIANT_SOURCE,
  escapeName,
  KnownNames,
  MARK_TOKENS_RE2,
  markedNamesPattern,
  NAME_APOSTROPHE_SOURCE,
  NAME_BORDER,
  NAME_DECORATION_SOURCE,
  NAME_SPACE,
  NAME_SPACE_EDGES_SOURCE,
  NAME_SPACE_RUN_SOURCE,
  NAME_SUFFIX_SOURCE,
  NAME_VALID_SOURCE,
  RESERVED_NAMES,
  TOKEN_END,
  TOKEN_SOURCE,
  TOKEN_START,
} from './known-names.ts';
import { WORD } from './patterns.ts';
import { type PiiType, PLACEHOLDER } from './types.ts';

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
const CHUNKS_TABLE = '__dissent_redact_name_chunks';
const ODD_TABLE = '__dissent_redact_name_odd';
const OWN_TABLE = '__dissent_redact_name_own';
const OWN_DONE_TABLE = '__dissent_redact_name_own_done';
const NAME_CHANGES_TABLE = '__dissent_redact_name_changes';

/**
 * Redacts `textColumn` of `table` in place with SQL regexp functions; JS only resolves distinct checksum/regex
 * candidates. The result is identical to createRedactor(...).redact for every row, but for names that overlap in a
 * text when more names are found than one pattern holds (see NAMES_PER_PATTERN).
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
 * Names per pattern: RE2 compiles a constant pattern once, but a huge alternation can exceed its memory. With more
 * names found in the whole input than one pattern holds, the patterns go over a text one after the other, longest
 * names first: where two names overlap in a text (`Anna Ben` and `Ben Carl Dorn Erik` in `Anna Ben Carl Dorn Erik`)
 * and fall in different patterns, the longer one is replaced (`Anna [name]`) where the JS redactor, with all names in
 * one pattern, takes the leftmost (`[name] Carl Dorn Erik`). The one known difference between the two.
 */
const NAMES_PER_PATTERN = 2000;

/**
 * Texts up to this size ride along with each of their tokens, which spares a join back to the texts; a longer one
 * would be copied once per token (a 1 MB text of 150,000 words: 150 GB), so its candidate names are joined back.
 */
const CARRIED_TEXT_BYTES = 4096;

/**
 * known_name redaction in SQL, with the redactor's rules (known-names.ts: the same normalisation, validity rule,
 * borders and placeholder) and constant patterns: rows with a token equal to a name's first token and containing the
 * name (see nameInRow) are copied to `into` and rewritten there. One streaming pass finds them: each token of a text
 * of usual size carries the text, so that the containment check needs no join back to the texts (a hash table of texts
 * was the build's memory peak). A pattern built per row would be compiled per row (milliseconds each in RE2).
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
        WHERE ${nameInRow('t.t', 'n')}
        UNION
        SELECT c.k, c.name
        FROM (SELECT DISTINCT t.k, n.name, n.last
              FROM (${tokenKeys(key, text, table, `strlen(${text}) > ${CARRIED_TEXT_BYTES} AND ${mayHoldName}`, false)}) t
                JOIN ${NAMES_TABLE} n ON n.key = t.key) c
          JOIN (SELECT ${key} AS k, ${text} AS t FROM ${table} WHERE strlen(${text}) > ${CARRIED_TEXT_BYTES}) src
            ON src.k = c.k
        WHERE ${nameInRow('src.t', 'c')};`);
    await conn.run('RESET disabled_optimizers');
    await conn.run(`
      CREATE OR REPLACE TABLE ${into} AS
        SELECT ${key} AS k, ${text} AS t FROM ${table} WHERE ${key} IN (SELECT k FROM ${HITS_TABLE});`);
    // Which rows get the names with space classes (see hasOddNameSpace) is decided on their text as copied, not as an
    // earlier pattern left it: replacing a name may take away the only odd space of a text whose other names come in a
    // later pattern. A text that already holds a mark of markedNamesPattern goes through KnownNames.
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ${ODD_TABLE} AS SELECT k FROM ${into} WHERE ${hasOddNameSpace('t')};
      CREATE OR REPLACE TEMP TABLE ${OWN_TABLE} AS SELECT k, t FROM ${into}
        WHERE contains(t, ${lit(TOKEN_START)}) OR contains(t, ${lit(TOKEN_END)});`);
    const reader = await conn.runAndReadAll(`SELECT DISTINCT name FROM ${HITS_TABLE}`);
    const found = (reader.getColumns()[0] ?? []).map(String).sort(byLengthDesc);
    const repl = lit(PLACEHOLDER.known_name);
    // Each pattern goes only over the rows that hold one of its names: with realistic names (tens of thousands found),
    // every row went through every pattern, twenty and more passes where one does.
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${CHUNKS_TABLE} (name VARCHAR, chunk INTEGER)`);
    const appender = await conn.createAppender(CHUNKS_TABLE);
    found.forEach((name, i) => {
      appender.appendVarchar(name);
      appender.appendInteger(Math.floor(i / NAMES_PER_PATTERN));
      appender.endRow();
    });
    appender.closeSync();
    // Which patterns have rows to go over: each one compiled costs RE2 tens of milliseconds.
    const needed = await conn.runAndReadAll(`
      SELECT DISTINCT c.chunk, h.k IN (SELECT k FROM ${ODD_TABLE}) AS odd
      FROM ${HITS_TABLE} h JOIN ${CHUNKS_TABLE} c ON c.name = h.name
      WHERE h.k NOT IN (SELECT k FROM ${OWN_TABLE})`);
    const todo = new Set(needed.getRowObjects().map((r) => `${r.chunk} ${r.odd}`));
    // A name is matched from the mark before its first word token to the mark after its last one (markedNamesPattern),
    // so that no match takes the border that a name right after it needs; the marks go again in the same statement.
    const marked = `regexp_replace(t, ${lit(TOKEN_SOURCE)}, ${lit(MARK_TOKENS_RE2)}, 'g')`;
    for (let i = 0; i < found.length; i += NAMES_PER_PATTERN) {
      const chunk = found.slice(i, i + NAMES_PER_PATTERN);
      const rows = `SELECT h.k FROM ${HITS_TABLE} h JOIN ${CHUNKS_TABLE} c ON c.name = h.name WHERE c.chunk = ${i / NAMES_PER_PATTERN}`;
      // A text whose spaces are all single plain ones gets the names as written, which RE2 searches several times
      // faster than names whose spaces are classes (2.4 s more at 2M records); the few others get those.
      for (const anySpace of [false, true]) {
        if (!todo.has(`${i / NAMES_PER_PATTERN} ${anySpace}`)) continue;
        const pattern = lit(markedNamesPattern(chunk, anySpace));
        await conn.run(`
          UPDATE ${into} SET t = replace(replace(regexp_replace(${marked}, ${pattern}, ${repl}, 'g'),
            ${lit(TOKEN_START)}, ''), ${lit(TOKEN_END)}, '')
          WHERE k IN (${rows}) AND k ${anySpace ? '' : 'NOT '}IN (SELECT k FROM ${ODD_TABLE})
            AND k NOT IN (SELECT k FROM ${OWN_TABLE})`);
      }
    }
    await redactOwnMarkRows(conn, names, into);
  } finally {
    await conn.run(
      `RESET disabled_optimizers; DROP TABLE IF EXISTS ${NAMES_TABLE}; DROP TABLE IF EXISTS ${HITS_TABLE}; DROP TABLE IF EXISTS ${CHUNKS_TABLE}; DROP TABLE IF EXISTS ${ODD_TABLE};
       DROP TABLE IF EXISTS ${OWN_TABLE}; DROP TABLE IF EXISTS ${OWN_DONE_TABLE}`,
    );
  }
}

/**
 * The (practically absent) rows of `into` whose text already held a mark of markedNamesPattern (OWN_TABLE): redacted
 * by KnownNames over every name of `names` (quoted identifiers).
 */
async function redactOwnMarkRows(conn: DuckDBConnection, names: string, into: string): Promise<void> {
  const rows = (await conn.runAndReadAll(`SELECT k, typeof(k) AS type, t FROM ${OWN_TABLE}`)).getRowObjects();
  if (rows.length === 0) return;
  const type = String(rows[0]!.type);
  if (!/^[A-Z0-9_() ,]+$/.test(type)) throw new InputError('redact: unsupported key column type', 'E_REDACT_KEY');
  const all = (await conn.runAndReadAll(`SELECT DISTINCT name FROM ${names} WHERE name IS NOT NULL`)).getColumns()[0];
  const known = new KnownNames((all ?? []).map(String));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${OWN_DONE_TABLE} (k ${type}, t VARCHAR)`);
  const appender = await conn.createAppender(OWN_DONE_TABLE);
  for (const row of rows) {
    appender.appendValue(row.k ?? null);
    appender.appendVarchar(known.redact(String(row.t)));
    appender.endRow();
  }
  appender.closeSync();
  await conn.run(`UPDATE ${into} SET t = x.t FROM ${OWN_DONE_TABLE} x WHERE ${into}.k = x.k`);
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
