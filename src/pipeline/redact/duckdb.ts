/**
 * The SQL path of the redactor. DuckDB's regexp functions use RE2, so the very same pattern strings as the JS
 * redactor are used, and the same per-candidate decision (resolveCandidate) is applied: DuckDB finds candidates with
 * one regexp pass, JS looks at each *distinct* candidate once, and DuckDB splices the results back into the few rows
 * that change. No JS runs per row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../../shared/errors.ts';
import { candidateSource, resolveCandidate } from './checks.ts';
import { NAME_VALID_SOURCE, NAMES_REPLACEMENT_RE2, TOKEN_SOURCE } from './known-names.ts';
import { WORD } from './patterns.ts';
import type { PiiType } from './types.ts';

/** Where and what to redact inside DuckDB. */
export interface DuckDBRedactOptions {
  /** Table whose text column is rewritten in place. */
  table: string;
  /** A column with a unique value per row. */
  keyColumn: string;
  /** The VARCHAR column to redact. */
  textColumn: string;
  types: readonly PiiType[];
  /** A table with one VARCHAR column `name` holding display names (and handles) of accounts. */
  knownNamesTable?: string;
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
const MAP_TABLE = '__dissent_redact_map';
const NAMES_TABLE = '__dissent_redact_names';
const HITS_TABLE = '__dissent_redact_name_hits';

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

  const source = candidateSource(types);
  if (source !== null) candidatesChecked = await redactCandidates(conn, { table, key, text, source, types });

  if (types.has('known_name') && opts.knownNamesTable !== undefined) {
    await redactKnownNames(conn, { table, key, text, names: ident(opts.knownNamesTable) });
  }
  return { candidatesChecked };
}

interface CandidateStep {
  table: string;
  key: string;
  text: string;
  source: string;
  types: ReadonlySet<PiiType>;
}

async function redactCandidates(conn: DuckDBConnection, s: CandidateStep): Promise<number> {
  // Group 1 is the text before a candidate, group 2 the candidate: RE2's global iteration here is the same as JS's
  // String.prototype.replace with /g (regexp_split_to_array is not: it re-anchors ^ after every match).
  const gapped = lit(`((?s:.)*?)(${s.source})`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${CANDIDATE_TABLE} AS
    SELECT ${s.key} AS k, ${s.text} AS t,
           regexp_extract_all(${s.text}, ${gapped}, 1) AS g,
           regexp_extract_all(${s.text}, ${gapped}, 2) AS m
    FROM ${s.table} WHERE regexp_matches(${s.text}, ${lit(s.source)})`);
  try {
    const reader = await conn.runAndReadAll(`SELECT DISTINCT unnest(m) AS c FROM ${CANDIDATE_TABLE}`);
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
    await conn.run(`UPDATE ${s.table} SET ${s.text} = x.t FROM (
        SELECT k, string_agg(g || coalesce(r, m), '' ORDER BY i) || any_value(tail) AS t
        FROM (
          SELECT k, unnest(g) AS g, unnest(m) AS m, unnest(range(1, len(m) + 1)) AS i,
                 substring(t, 1 + length(array_to_string(g, '')) + length(array_to_string(m, ''))) AS tail
          FROM ${CANDIDATE_TABLE}
        ) u LEFT JOIN ${MAP_TABLE} ON ${MAP_TABLE}.c = u.m
        GROUP BY k HAVING count(r) > 0
      ) x WHERE ${s.table}.${s.key} = x.k`);
    return distinct.length;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${CANDIDATE_TABLE}; DROP TABLE IF EXISTS ${MAP_TABLE}`);
  }
}

interface NamesStep {
  table: string;
  key: string;
  text: string;
  names: string;
}

async function redactKnownNames(conn: DuckDBConnection, s: NamesStep): Promise<void> {
  const reserved = ['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'name', 'person'].map(lit).join(', ');
  // Same normalisation and validity rule as known-names.ts normalizeName.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${NAMES_TABLE} AS
    SELECT DISTINCT n AS name, regexp_extract(n, ${lit(TOKEN_SOURCE)}) AS first, replace(n, '.', '\\.') AS pat
    FROM (SELECT regexp_replace(regexp_replace(name, '^[ \\t]+|[ \\t]+$', '', 'g'), '[ \\t]+', ' ', 'g') AS n
          FROM ${s.names} WHERE name IS NOT NULL)
    WHERE length(n) >= 2 AND n NOT IN (${reserved}) AND regexp_matches(n, ${lit(NAME_VALID_SOURCE)})`);
  try {
    // Candidate rows: a token equal to some name's first token, then the names that really occur in the text.
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${HITS_TABLE} AS
      WITH firsts AS (SELECT DISTINCT first FROM ${NAMES_TABLE}),
      toks AS (
        SELECT DISTINCT k, tok FROM (
          SELECT ${s.key} AS k, unnest(regexp_extract_all(${s.text}, ${lit(TOKEN_SOURCE)})) AS tok FROM ${s.table}
        ) WHERE tok IN (SELECT first FROM firsts)
      ),
      found AS (
        SELECT DISTINCT toks.k, n.name, n.pat
        FROM toks JOIN ${NAMES_TABLE} n ON n.first = toks.tok
        JOIN ${s.table} src ON src.${s.key} = toks.k
        WHERE contains(src.${s.text}, n.name)
      )
      SELECT k, '(^|[^${WORD}_])(?:' || string_agg(pat, '|' ORDER BY length(name) DESC, name) || ')([^${WORD}_]|$)' AS p
      FROM found GROUP BY k`);
    const repl = lit(NAMES_REPLACEMENT_RE2);
    await conn.run(`UPDATE ${s.table} SET ${s.text} =
        regexp_replace(regexp_replace(${s.table}.${s.text}, x.p, ${repl}, 'g'), x.p, ${repl}, 'g')
      FROM ${HITS_TABLE} x WHERE ${s.table}.${s.key} = x.k`);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${NAMES_TABLE}; DROP TABLE IF EXISTS ${HITS_TABLE}`);
  }
}
