import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sqlString } from '../policy/compile-sql.ts';
import { DissentError, InputError } from '../shared/errors.ts';
import { type Engine, sqlPath } from './_duckdb.ts';
import { type InputFile, isGzip } from './inputs.ts';

/** The fields of a canonical record, in schema order, with whether they are required. */
const FIELDS = [
  ['id', true],
  ['source', true],
  ['kind', true],
  ['account', true],
  ['created_at', true],
  ['visibility', true],
  ['e2ee', true],
  ['text', true],
  ['participants', false],
  ['parent', false],
] as const;

/**
 * ISO 8601 as the schema asks for it: a date, optionally a time (seconds and fraction optional), optionally Z or an
 * offset of at most 23:59. DuckDB's cast takes more: `epoch`, `infinity`, leading spaces, a time zone name after the
 * time, an offset of +99:99 (moving the time by four days).
 */
const ISO_TIME = String.raw`\d{4}-\d\d-\d\d([Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?)?([Zz]|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?`;

/**
 * Whether `value` is an ISO 8601 time that casts to a real date from 1970 up to the end of 2099: DuckDB also casts
 * `infinity`, `epoch`, time zone names and years like 99999, and an age judged at such a "date" would let a minor's
 * post through as an adult's. BETWEEN evaluates the cast once, and excludes the infinities, which compare beyond
 * every date.
 */
function saneTimeCheck(value: string): string {
  return `coalesce(regexp_full_match(${value}::VARCHAR, '${ISO_TIME}') AND ${castTime(value)} BETWEEN TIMESTAMPTZ '1970-01-01 00:00:00+00' AND TIMESTAMPTZ '2099-12-31 23:59:59.999999+00', false)`;
}

/** `value` as a timestamp when saneTimeCheck holds, else NULL. */
function saneTime(value: string): string {
  return `CASE WHEN ${saneTimeCheck(value)} THEN ${castTime(value)} END`;
}

/**
 * `value` cast to a timestamp, or NULL. ISO 8601 allows leaving out the seconds (`2024-05-01T12:00Z`), and RFC 3339 a
 * lower-case `t` and `z`, which DuckDB's cast refuses: such a value gets `:00` and upper case first (only where the
 * plain cast failed, so that it costs nothing otherwise).
 */
function castTime(value: string): string {
  const minutes = `'^(\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d)(Z|[+-]\\d\\d(:?\\d\\d)?)?$'`;
  return `coalesce(try_cast(${value} AS TIMESTAMPTZ), try_cast(regexp_replace(upper(${value}::VARCHAR), ${minutes}, '\\1:00\\2') AS TIMESTAMPTZ))`;
}

/** The valid visibilities as an SQL list: list_contains, unlike a long IN list, is not planned as a join (below). */
const VISIBILITIES = `[${['public', 'unlisted', 'followers', 'friends', 'private'].map(sqlString).join(', ')}]`;

/** The fields' names as an SQL list. */
const KNOWN_KEYS = `[${FIELDS.map(([name]) => sqlString(name)).join(', ')}]`;

/** A record's key: input number in the high bits, line (or row) number in the low 40 bits; unique and ordered. */
export const KEY_SHIFT = 1_099_511_627_776; // 2^40

/**
 * Creates the tables the read stage fills; dropping them first makes a resumed read start clean. `staged_rows` holds
 * one row per scanned line in input order (blank lines included, so that a row's position is its line number);
 * `staged` is the view the later stages read: the records and quarantined lines with their key and number.
 */
export async function createReadTables(db: Engine): Promise<void> {
  const [old] = await db.rows<{ kind: string }>(
    "SELECT 'VIEW' AS kind FROM duckdb_views() WHERE view_name = 'staged' AND NOT internal UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = 'staged'",
  );
  await db.run(`
    ${old ? `DROP ${old.kind} staged;` : ''}
    DROP TABLE IF EXISTS staged_rows; DROP TABLE IF EXISTS file_bases; DROP TABLE IF EXISTS rejects;
    DROP TABLE IF EXISTS export_rejects;
    CREATE TABLE staged_rows (
      file INTEGER, blank BOOLEAN, qreason VARCHAR, qdetail VARCHAR,
      id VARCHAR, source VARCHAR, kind VARCHAR, account VARCHAR, created_at TIMESTAMPTZ, visibility VARCHAR,
      e2ee BOOLEAN, text VARCHAR, participants VARCHAR[], parent VARCHAR);
    CREATE TABLE file_bases (file INTEGER, first BIGINT);
    CREATE TABLE rejects (file INTEGER, line BIGINT, reason VARCHAR, detail VARCHAR);
    -- Items a platform export's conversion quarantined: \`path\` is the file inside the export, \`line\` its line
    -- (0 for an item of a JSON file).
    CREATE TABLE export_rejects (file INTEGER, path VARCHAR, line BIGINT, reason VARCHAR, detail VARCHAR);
    CREATE VIEW staged AS
      SELECT r.file::BIGINT * ${KEY_SHIFT} + (r.rowid - b.first + 1) AS key, r.file, r.rowid - b.first + 1 AS rn,
        r.qreason, r.qdetail, r.id, r.source, r.kind, r.account, r.created_at, r.visibility, r.e2ee, r.text,
        r.participants, r.parent
      FROM staged_rows r JOIN file_bases b ON b.file = r.file
      WHERE NOT r.blank;`);
}

/**
 * Notes where a file's rows start in `staged_rows`. Rows are only ever appended (never deleted or updated), and with
 * preserve_insertion_order a parallel INSERT keeps the scan's order, so a row's rowid minus its file's first rowid is
 * its position in the file: line numbers without a window, which would force the whole read onto one thread.
 */
async function startFile(db: Engine, index: number): Promise<void> {
  await db.run(`INSERT INTO file_bases SELECT ${index}, count(*) FROM staged_rows`);
}

/**
 * Runs an INSERT into `staged_rows` after checking that DuckDB plans it as an order-preserving batch insert: some
 * operators (a join, for instance an IN list the planner rewrites) make a parallel insert append in any order, and
 * the line numbers would then be wrong. On one thread every insert is in order, and DuckDB plans a plain one.
 */
async function insertInOrder(db: Engine, sql: string): Promise<void> {
  const [setting] = await db.rows<{ threads: string }>("SELECT current_setting('threads')::VARCHAR AS threads");
  const plan = await db.rows<{ explain_value: string }>(`EXPLAIN ${sql}`);
  if (setting?.threads !== '1' && !plan.some((p) => p.explain_value.includes('BATCH_INSERT'))) {
    throw new DissentError('internal error: the read would not keep the input order', 'E_ENGINE');
  }
  await db.run(sql);
}

/** The engine's read buffer for a line limit: a longer line is dropped by DuckDB without a reject row. */
export function readBufferBytes(maxLineBytes: number): number {
  return Math.max(maxLineBytes * 4, 32 << 20);
}

/** The options of reading one file. */
export interface ReadFileOptions {
  readonly index: number;
  readonly maxLineBytes: number;
  /**
   * An SQL condition over the record's source, kind and visibility (see `textNeededSql`); the text of a record that
   * fails it is excluded by the policy anyway and is not stored. Default: keep every text but e2ee.
   */
  readonly textNeeded?: (cols: { source: string; kind: string; visibility: string }) => string;
}

/**
 * Reads one JSONL file into `staged` in a single parallel SQL pass: each line is read as raw text (so that a bad line
 * can be named by its number), parsed once for types and once into fields, and checked; a bad line keeps its reason
 * but no content. Lines the CSV scanner itself rejects (invalid UTF-8, too long) go to `rejects` with their line
 * numbers. The text of an end-to-end-encrypted record, and of one the policy excludes by source, kind or visibility,
 * is dropped here, before anything is stored.
 */
export async function readJsonl(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<void> {
  // DuckDB's max_line_size counts the line's end too: one more, so that a line of exactly maxLineBytes is read.
  const scan = `read_csv(${sqlPath(f.read)}, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '',
      header = false, auto_detect = false, new_line = '\\n', strict_mode = true, max_line_size = ${opts.maxLineBytes + 1},
      buffer_size = ${readBufferBytes(opts.maxLineBytes)}, ignore_errors = true, store_rejects = true,
      compression = '${isGzip(f.read) ? 'gzip' : 'none'}',
      rejects_table = 'reject_errors_now', rejects_scan = 'reject_scans_now')`;
  const paths = ["'$'", ...FIELDS.map(([f]) => `'$.${f}'`)].join(', ');
  const schema = sqlString(
    JSON.stringify({
      id: 'VARCHAR',
      source: 'VARCHAR',
      kind: 'VARCHAR',
      account: 'VARCHAR',
      created_at: 'VARCHAR',
      visibility: 'VARCHAR',
      e2ee: 'BOOLEAN',
      text: 'VARCHAR',
      participants: 'VARCHAR[]',
      parent: 'VARCHAR',
    }),
  );
  // t[1] is the line's own JSON type, t[k+1] the type of field k (NULL when absent).
  const t = (name: string) => `t[${FIELDS.findIndex(([f]) => f === name) + 2}]`;
  const missing = FIELDS.filter(([f, req]) => req && f !== 'text')
    .map(([f]) => `WHEN ${t(f)} IS NULL OR ${t(f)} = 'NULL' THEN '${f}'`)
    .concat([
      `WHEN (${t('text')} IS NULL OR ${t('text')} = 'NULL') AND ${t('e2ee')} = 'BOOLEAN' AND NOT j.e2ee THEN 'text'`,
    ])
    .join(' ');
  const stringField = (f: string) => `WHEN ${t(f)} <> 'VARCHAR' OR j.${f} = '' THEN '${f}'`;
  const illTyped = [
    ...['id', 'source', 'kind', 'account'].map(stringField),
    `WHEN ${t('created_at')} <> 'VARCHAR' OR NOT ${saneTimeCheck('j.created_at')} THEN 'created_at'`,
    `WHEN ${t('visibility')} <> 'VARCHAR' OR NOT list_contains(${VISIBILITIES}, j.visibility) THEN 'visibility'`,
    `WHEN ${t('e2ee')} <> 'BOOLEAN' THEN 'e2ee'`,
    `WHEN ${t('text')} NOT IN ('VARCHAR', 'NULL') THEN 'text'`,
    `WHEN ${t('participants')} NOT IN ('ARRAY', 'NULL') THEN 'participants'`,
    `WHEN ${t('participants')} = 'ARRAY' AND len(j.participants) > 0
          AND len(list_filter(json_type(line, '$.participants[*]'), x -> x <> 'VARCHAR')) > 0 THEN 'participants'`,
    `WHEN ${t('parent')} NOT IN ('VARCHAR', 'NULL') THEN 'parent'`,
  ].join(' ');
  const keepText = opts.textNeeded?.({ source: 'j.source', kind: 'j.kind', visibility: 'j.visibility' }) ?? 'true';
  await startFile(db, opts.index);
  // The rejects tables outlive a scan and collect the rejected lines of every scan: only this file's may be copied.
  await db.run('DROP TABLE IF EXISTS reject_errors_now; DROP TABLE IF EXISTS reject_scans_now;');
  // No window and no ORDER BY: the INSERT runs on all threads and keeps the scan's order (see startFile). A blank
  // line stays as a placeholder row so that the positions after it are still line numbers.
  await insertJsonl(
    db,
    f,
    `
    INSERT INTO staged_rows
    SELECT ${opts.index}, blank, qreason, qdetail,
      CASE WHEN ok THEN j.id END, CASE WHEN ok THEN j.source END, CASE WHEN ok THEN j.kind END,
      CASE WHEN ok THEN j.account END, CASE WHEN ok THEN ${castTime('j.created_at')} END,
      CASE WHEN ok THEN j.visibility END, CASE WHEN ok THEN j.e2ee END,
      CASE WHEN ok AND NOT j.e2ee AND (${keepText}) THEN j.text END,
      CASE WHEN ok THEN coalesce(j.participants, []) END, CASE WHEN ok THEN j.parent END
    FROM (
      SELECT *, NOT blank AND qreason IS NULL AS ok FROM (
        SELECT blank, j,
          CASE WHEN blank THEN NULL WHEN t IS NULL THEN 'invalid_json' WHEN t[1] <> 'OBJECT' THEN 'not_an_object'
               WHEN repeated THEN 'invalid_json'
               WHEN missing IS NOT NULL THEN 'missing_field' WHEN ill IS NOT NULL THEN 'ill_typed_field' END AS qreason,
          CASE WHEN blank OR t IS NULL OR t[1] <> 'OBJECT' THEN NULL WHEN repeated THEN 'repeated key'
               ELSE coalesce(missing, ill) END AS qdetail
        FROM (
          SELECT blank, line, t, j,
            -- A repeated field is read differently by different JSON parsers (DuckDB takes the first value, most
            -- others the last: "e2ee": false, then true). More keys than known fields present means a repeat or an
            -- unknown key; only then are the known fields among the keys counted. A repeated unknown key is ignored
            -- like any unknown key: it changes nothing the build reads (and DuckDB's JSON reader takes it alike).
            CASE WHEN t IS NOT NULL AND t[1] = 'OBJECT' AND len(json_keys(line)) > list_count(t) - 1
                 THEN list_count(list_filter(json_keys(line), k -> list_contains(${KNOWN_KEYS}, k))) > list_count(t) - 1
                 ELSE false END AS repeated,
            CASE WHEN t IS NOT NULL AND t[1] = 'OBJECT' THEN CASE ${missing} END END AS missing,
            CASE WHEN t IS NOT NULL AND t[1] = 'OBJECT' THEN CASE ${illTyped} END END AS ill
          FROM (
            SELECT blank, line,
              CASE WHEN NOT blank THEN try(json_type(line, [${paths}])) END AS t,
              CASE WHEN NOT blank THEN try(json_transform(line, ${schema})) END AS j
            FROM (
              -- trim() over every line was half of the read: a line that starts with '{' cannot be blank, and only
              -- CASE skips work per row (a projection evaluates both sides of AND/OR for every row).
              SELECT line, CASE WHEN line IS NULL THEN true WHEN starts_with(line, '{') THEN false
                ELSE trim(regexp_replace(line, '[\\t\\x0B\\f\\r]', '', 'g')) = '' END AS blank
              FROM ${scan}
            )
          )
        )
      )
    )`,
  );
  await db.run(`
    INSERT INTO rejects
    SELECT ${opts.index}, line,
      CASE error_type WHEN 'INVALID ENCODING' THEN 'invalid_utf8' WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
        ELSE 'invalid_json' END,
      CASE error_type WHEN 'TOO MANY COLUMNS' THEN 'control character' ELSE NULL END
    FROM (SELECT line, min(error_type) AS error_type FROM reject_errors_now GROUP BY line)`);
}

/** The fields readJsonlFast reads as VARCHAR rather than JSON. */
const AS_VARCHAR = new Set(['created_at', 'visibility']);

/** The message of the engine error that makes readJsonlFast give up on a file. */
const NOT_CLEAN = 'dissent: not a clean file';

/**
 * Tries to read one JSONL file the fast way: DuckDB's own JSON reader parses each line once, in parallel, where the
 * line-exact path (readJsonl) reads raw lines and parses each of them three times. It gives up, leaving `staged`
 * as it was, on the first line it cannot take exactly as readJsonl would store it: a line readJsonl would quarantine
 * (invalid JSON or UTF-8, a repeated field, a missing or ill-typed field), or a value the JSON reader would coerce
 * (the number 5 read as the string '5'); the caller then reads the file with readJsonl. What it cannot see here (a
 * blank line, which the reader skips; a CR, vertical tab or form feed; a byte order mark; a line over the size limit)
 * the caller finds in the file's scan (scanMisses and fastReadMisses in build.ts); it reads such a file with readJsonl.
 * @returns whether the file was read
 */
export async function readJsonlFast(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<boolean> {
  // Fields as JSON where a coerced value could pass for a string (the number 5 read as the id '5', or as the text
  // '5', which a post can be): their text tells a string (starting with '"') from a number or boolean. A string
  // serialised by the engine has no backslash unless it had an escape, so the quotes are stripped without a parse.
  // created_at and visibility are read as VARCHAR, which is cheaper: a coerced value fails their checks below.
  const str = (c: string) => `CASE WHEN contains(${c}, '\\') THEN ${c}->>'$' ELSE ${c}[2:-2] END`;
  const isStr = (c: string) => `coalesce(starts_with(${c}, '"'), false)`;
  const absent = (c: string) => `(${c} IS NULL OR ${c} = 'null')`;
  const clean = [
    ...['id', 'source', 'kind', 'account'].map((c) => `${isStr(`r_${c}`)} AND ${c} <> ''`),
    saneTimeCheck('created_at'),
    `list_contains(${VISIBILITIES}, visibility)`,
    `r_e2ee IN ('true', 'false')`,
    // No NUL: readJsonl's JSON functions refuse an escaped one.
    `CASE WHEN ${absent('r_text')} THEN r_e2ee = 'true' ELSE ${isStr('r_text')} AND NOT contains(text, chr(0)) END`,
    `CASE WHEN ${absent('r_participants')} OR r_participants = '[]' THEN true
          WHEN starts_with(r_participants, '[') THEN list_bool_and(list_transform(json_type(r_participants, '$[*]'), x -> x = 'VARCHAR'))
          ELSE false END`,
    `${absent('r_parent')} OR ${isStr('r_parent')}`,
  ]
    .map((c) => `(${c})`)
    .join(' AND ');
  const keepText = opts.textNeeded?.({ source: 'source', kind: 'kind', visibility: 'visibility' }) ?? 'true';
  const scan = `read_json(${sqlPath(f.read)}, format = 'newline_delimited', columns = {${FIELDS.map(([name]) => `'${name}': '${AS_VARCHAR.has(name) ? 'VARCHAR' : 'JSON'}'`).join(', ')}},
      maximum_object_size = ${Math.max(opts.maxLineBytes + 1, 1 << 20)}, compression = '${isGzip(f.read) ? 'gzip' : 'uncompressed'}')`;
  await startFile(db, opts.index);
  try {
    await insertInOrder(
      db,
      `
      INSERT INTO staged_rows
      SELECT CASE WHEN ${clean} THEN ${opts.index} ELSE error(${sqlString(NOT_CLEAN)}) END, false, NULL, NULL,
        id, source, kind, account, ${castTime('created_at')}, visibility, r_e2ee = 'true',
        CASE WHEN r_e2ee = 'false' AND (${keepText}) THEN text END,
        CASE WHEN ${absent('r_participants')} THEN []::VARCHAR[] ELSE json_transform(r_participants, '["VARCHAR"]') END,
        CASE WHEN NOT ${absent('r_parent')} THEN ${str('r_parent')} END
      FROM (
        SELECT *, r_created_at AS created_at, r_visibility AS visibility, ${['id', 'source', 'kind', 'account', 'text']
          .map((c) => `CASE WHEN ${isStr(`r_${c}`)} THEN ${str(`r_${c}`)} END AS ${c}`)
          .join(', ')}
        FROM (SELECT ${FIELDS.map(([name]) => `"${name}" AS r_${name}`).join(', ')} FROM ${scan})
      )`,
    );
    return true;
  } catch (e) {
    // Only what the data caused makes the reader give up: an unclean line, or what DuckDB's JSON reader refuses
    // (malformed JSON, invalid UTF-8, a repeated field, a value it cannot transform). Anything else (out of memory,
    // a full disk, an interrupt, the order check) is the build's failure, not the file's.
    if (!/dissent: not a clean file|Invalid Input Error|Conversion Error/.test(String((e as Error).message))) throw e;
    // The failed INSERT left nothing behind; readJsonl starts the file again.
    await db.run(`DELETE FROM file_bases WHERE file = ${opts.index}`);
    return false;
  }
}

/** insertInOrder for a JSONL scan, with a clear error where DuckDB's CSV scanner gives up on a line ending. */
async function insertJsonl(db: Engine, f: InputFile, sql: string): Promise<void> {
  try {
    await insertInOrder(db, sql);
  } catch (e) {
    if (!String((e as Error).message).includes('CSV Parser state machine reached an invalid state')) throw e;
    // dos2unix on a gzip file would change compressed bytes, not line ends.
    const convert = isGzip(f.read)
      ? 'unpack it, convert it to LF line ends and compress it again (e.g. zcat FILE | dos2unix | gzip > NEW.jsonl.gz)'
      : 'convert the file to LF line ends (e.g. with dos2unix)';
    throw new InputError(
      `${f.path}: a line ends in a carriage return (Windows CR LF line ends, or a bare CR); ${convert} and build again`,
      'E_INPUT_NEWLINE',
    );
  }
}

/** Reads one Parquet file in the canonical schema into `staged`; rows whose values do not cast are quarantined. */
export async function readParquet(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<void> {
  try {
    await readParquetFile(db, f, opts);
  } catch (e) {
    // A damaged file (a corrupt page or footer, a string that is not UTF-8) fails in the engine with a message that
    // may not name the file ("don't know what type"); said as the file's refusal, it also drops the engine database.
    // The build's own failures (memory, disk, an interrupt, the order check) stay what they are.
    const message = String((e as Error).message);
    if (
      e instanceof InputError ||
      !/Invalid Input Error|Invalid Error|Conversion Error|IO Error: (?!Could not write)/.test(message) ||
      /Out of Memory|No space left|Interrupt/i.test(message)
    )
      throw e;
    const detail = message.replace(/^the build engine failed in "[^"]*": /, '');
    throw new InputError(
      `${f.path}: the Parquet file is damaged or cannot be read (${detail}); nothing was built`,
      'E_INPUT_PARQUET',
      { cause: e },
    );
  }
}

async function readParquetFile(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<void> {
  const src = `read_parquet(${sqlPath(f.read)})`;
  await refuseRepeatedColumns(db, f);
  const cols = await db.rows<{ column_name: string; column_type: string }>(
    `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${src})`,
  );
  const types = new Map(cols.map((c) => [c.column_name, c.column_type]));
  const col = (name: string) => (types.has(name) ? `"${name}"` : 'NULL');
  // A string column written as plain binary (BYTE_ARRAY without the UTF8 annotation, as some writers do) is a BLOB:
  // cast, it becomes its escaped bytes ('Gr\xC3\xBC\xC3\x9Fe'); decoded, its text, or NULL when it is not UTF-8.
  const blob = (name: string) => types.get(name) === 'BLOB';
  // A list, struct or map would cast to its printed form ("{'body': Hallo}" as a text, "[fb:a:2, fb:a:3]" as an
  // account); in JSONL an object or array there is ill-typed, and so it is here.
  const nested = (name: string) => /^(STRUCT|MAP|UNION)\(|\]$/.test(types.get(name) ?? '');
  const str = (name: string) =>
    blob(name) ? `try(decode(${col(name)}))` : nested(name) ? 'NULL::VARCHAR' : `try_cast(${col(name)} AS VARCHAR)`;
  // Fields whose type decides what is excluded take only their own type, as in JSONL: a cast would read the string
  // 'f' as false for e2ee, and a list of structs or numbers as strings for participants. A value of another type is
  // ill-typed (cast to NULL here, so that the check below names it).
  const strict = (name: string, type: string, as: string) =>
    !types.has(name) || types.get(name) === type || types.get(name) === '"NULL"'
      ? `try_cast(${col(name)} AS ${as})`
      : `NULL::${as}`;
  const participants =
    types.get('participants') === 'BLOB[]'
      ? `try(list_transform(${col('participants')}, x -> decode(x)))`
      : strict('participants', 'VARCHAR[]', 'VARCHAR[]');
  const notUtf8 = FIELDS.filter(([name]) => blob(name))
    .map(([name]) => `WHEN ${col(name)} IS NOT NULL AND c_${name} IS NULL THEN '${name}'`)
    .concat(
      types.get('participants') === 'BLOB[]'
        ? [`WHEN ${col('participants')} IS NOT NULL AND c_participants IS NULL THEN 'participants'`]
        : [],
    )
    .join(' ');
  const required = FIELDS.filter(([name, req]) => req && name !== 'text').map(([name]) => name);
  const missing = required.map((name) => `WHEN ${col(name)} IS NULL THEN '${name}'`).join(' ');
  const castable = (name: string) => `WHEN ${col(name)} IS NOT NULL AND c_${name} IS NULL THEN '${name}'`;
  const keepText = opts.textNeeded?.({ source: 'c_source', kind: 'c_kind', visibility: 'c_visibility' }) ?? 'true';
  // Only the schema's columns go into the query: the file's others would stand beside the names it computes, and
  // an extra column named c_e2ee (false) or qreason would be taken for the checked e2ee or the quarantine reason.
  const known = ['true AS _row', ...FIELDS.filter(([name]) => types.has(name)).map(([name]) => `"${name}"`)].join(', ');
  await startFile(db, opts.index);
  await insertInOrder(
    db,
    `
    INSERT INTO staged_rows
    SELECT ${opts.index}, false, qreason, qdetail,
      CASE WHEN ok THEN c_id END, CASE WHEN ok THEN c_source END, CASE WHEN ok THEN c_kind END,
      CASE WHEN ok THEN c_account END, CASE WHEN ok THEN c_created_at END, CASE WHEN ok THEN c_visibility END,
      CASE WHEN ok THEN c_e2ee END, CASE WHEN ok AND NOT c_e2ee AND (${keepText}) THEN c_text END,
      CASE WHEN ok THEN coalesce(c_participants, []) END, CASE WHEN ok THEN c_parent END
    FROM (
      SELECT *, qreason IS NULL AS ok FROM (
        SELECT *,
          CASE WHEN utf8 IS NOT NULL THEN 'invalid_utf8' WHEN miss IS NOT NULL THEN 'missing_field'
               WHEN ill IS NOT NULL THEN 'ill_typed_field' END AS qreason,
          coalesce(utf8, miss, ill) AS qdetail
        FROM (
          SELECT *, ${notUtf8 ? `CASE ${notUtf8} END` : 'NULL'} AS utf8,
            CASE ${missing} WHEN c_e2ee = false AND ${col('text')} IS NULL THEN 'text' END AS miss,
            CASE ${FIELDS.map(([name]) => castable(name)).join(' ')}
                 ${['id', 'source', 'kind', 'account'].map((name) => `WHEN c_${name} = '' THEN '${name}'`).join(' ')}
                 WHEN c_visibility IS NOT NULL AND NOT list_contains(${VISIBILITIES}, c_visibility) THEN 'visibility'
                 WHEN len(list_filter(c_participants, x -> x IS NULL)) > 0 THEN 'participants' END AS ill
          FROM (
            SELECT *,
              ${str('id')} AS c_id, ${str('source')} AS c_source, ${str('kind')} AS c_kind,
              ${str('account')} AS c_account,
              ${saneTime(blob('created_at') ? str('created_at') : col('created_at'))} AS c_created_at,
              ${str('visibility')} AS c_visibility,
              ${strict('e2ee', 'BOOLEAN', 'BOOLEAN')} AS c_e2ee, ${str('text')} AS c_text,
              ${participants} AS c_participants, ${str('parent')} AS c_parent
            FROM (SELECT ${known} FROM ${src})
          )
        )
      )
    )`,
  );
}

/**
 * Refuses a Parquet file with a field of the schema as two columns: readers disagree which one counts (DuckDB takes
 * the first: an `e2ee` of false, then one of true), as JSON parsers do for a repeated key, which JSONL quarantines.
 */
async function refuseRepeatedColumns(db: Engine, f: InputFile): Promise<void> {
  const schema = await db.rows<{ name: string; num_children: string | null }>(
    `SELECT name, num_children FROM parquet_schema(${sqlPath(f.read)})`,
  );
  // The schema is a tree in depth-first order: the root, then each top-level column followed by its subtree.
  const top: string[] = [];
  let i = 1;
  const skip = (): void => {
    const n = Number(schema[i]?.num_children ?? 0);
    i++;
    for (let k = 0; k < n; k++) skip();
  };
  for (let k = 0; k < Number(schema[0]?.num_children ?? 0); k++) {
    top.push(schema[i]?.name ?? '');
    skip();
  }
  const repeated = FIELDS.map(([name]) => name).filter((name) => top.filter((t) => t === name).length > 1);
  if (repeated.length > 0) {
    throw new InputError(
      `${f.path}: the column ${repeated.join(', ')} appears more than once, and readers disagree which one counts; nothing was built`,
      'E_INPUT_PARQUET',
    );
  }
}

/**
 * Records what the conversion of export input `index` quarantined, as quarantined lines of that input, each named
 * by the file inside the export: `EXPORT/inner/file.json` for a folder, `EXPORT.zip!/inner/file.json` for an archive.
 */
export async function recordExportRejects(db: Engine, index: number, f: InputFile): Promise<void> {
  const entries = f.export?.quarantine ?? [];
  if (entries.length === 0) return;
  const inFolder = statSync(f.path, { throwIfNoEntry: false })?.isDirectory() === true;
  const app = await db.conn.createAppender('export_rejects');
  for (const q of entries) {
    app.appendInteger(index);
    app.appendVarchar(inFolder ? join(f.path, q.file) : `${f.path}!/${q.file}`);
    app.appendBigInt(BigInt(q.line));
    app.appendVarchar(q.reason);
    if (q.detail === undefined) app.appendNull();
    else app.appendVarchar(q.detail);
    app.endRow();
  }
  app.closeSync();
}
