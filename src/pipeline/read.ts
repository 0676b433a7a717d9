import { sqlString } from '../policy/compile-sql.ts';
import type { Engine } from './_duckdb.ts';
import type { InputFile } from './inputs.ts';

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

const VISIBILITIES = ['public', 'unlisted', 'followers', 'friends', 'private'];

/** A record's key: input number in the high bits, line (or row) number in the low 40 bits; unique and ordered. */
export const KEY_SHIFT = 1_099_511_627_776; // 2^40

/** Creates the tables the read stage fills; dropping them first makes a resumed read start clean. */
export async function createReadTables(db: Engine): Promise<void> {
  await db.run(`
    DROP TABLE IF EXISTS staged; DROP TABLE IF EXISTS rejects;
    CREATE TABLE staged (
      key BIGINT, file INTEGER, rn BIGINT, qreason VARCHAR, qdetail VARCHAR,
      id VARCHAR, source VARCHAR, kind VARCHAR, account VARCHAR, created_at TIMESTAMPTZ, visibility VARCHAR,
      e2ee BOOLEAN, text VARCHAR, participants VARCHAR[], parent VARCHAR);
    CREATE TABLE rejects (file INTEGER, line BIGINT, reason VARCHAR, detail VARCHAR);`);
}

/** The options of reading one file. */
export interface ReadFileOptions {
  readonly index: number;
  readonly maxLineBytes: number;
}

/**
 * Reads one JSONL file into `staged` in a single SQL pass: each line is read as raw text (so that a bad line can be
 * named by its number), parsed once for types and once into fields, and checked; a bad line keeps its reason but no
 * content. Lines the CSV scanner itself rejects (invalid UTF-8, too long) go to `rejects` with their line numbers.
 * The text of an end-to-end-encrypted record is dropped here, before anything is stored.
 */
export async function readJsonl(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<void> {
  const scan = `read_csv(${sqlString(f.read)}, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '',
      header = false, auto_detect = false, new_line = '\\n', strict_mode = true, max_line_size = ${opts.maxLineBytes},
      buffer_size = ${Math.max(opts.maxLineBytes * 4, 32 << 20)}, ignore_errors = true, store_rejects = true,
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
    `WHEN ${t('created_at')} <> 'VARCHAR' OR try_cast(j.created_at AS TIMESTAMPTZ) IS NULL THEN 'created_at'`,
    `WHEN ${t('visibility')} <> 'VARCHAR' OR j.visibility NOT IN (${VISIBILITIES.map(sqlString).join(', ')}) THEN 'visibility'`,
    `WHEN ${t('e2ee')} <> 'BOOLEAN' THEN 'e2ee'`,
    `WHEN ${t('text')} NOT IN ('VARCHAR', 'NULL') THEN 'text'`,
    `WHEN ${t('participants')} NOT IN ('ARRAY', 'NULL') THEN 'participants'`,
    `WHEN ${t('participants')} = 'ARRAY' AND len(j.participants) > 0
          AND len(list_filter(json_type(line, '$.participants[*]'), x -> x <> 'VARCHAR')) > 0 THEN 'participants'`,
    `WHEN ${t('parent')} NOT IN ('VARCHAR', 'NULL') THEN 'parent'`,
  ].join(' ');
  await db.run(`
    INSERT INTO staged
    SELECT ${opts.index}::BIGINT * ${KEY_SHIFT} + rn, ${opts.index}, rn, qreason, qdetail,
      CASE WHEN ok THEN j.id END, CASE WHEN ok THEN j.source END, CASE WHEN ok THEN j.kind END,
      CASE WHEN ok THEN j.account END, CASE WHEN ok THEN try_cast(j.created_at AS TIMESTAMPTZ) END,
      CASE WHEN ok THEN j.visibility END, CASE WHEN ok THEN j.e2ee END,
      CASE WHEN ok AND NOT j.e2ee THEN j.text END,
      CASE WHEN ok THEN coalesce(j.participants, []) END, CASE WHEN ok THEN j.parent END
    FROM (
      SELECT *, qreason IS NULL AS ok FROM (
        SELECT rn, j,
          CASE WHEN t IS NULL THEN 'invalid_json' WHEN t[1] <> 'OBJECT' THEN 'not_an_object'
               WHEN missing IS NOT NULL THEN 'missing_field' WHEN ill IS NOT NULL THEN 'ill_typed_field' END AS qreason,
          CASE WHEN t IS NULL OR t[1] <> 'OBJECT' THEN NULL ELSE coalesce(missing, ill) END AS qdetail
        FROM (
          SELECT rn, line, t, j,
            CASE WHEN t IS NOT NULL AND t[1] = 'OBJECT' THEN CASE ${missing} END END AS missing,
            CASE WHEN t IS NOT NULL AND t[1] = 'OBJECT' THEN CASE ${illTyped} END END AS ill
          FROM (
            SELECT rn, line, try(json_type(line, [${paths}])) AS t, try(json_transform(line, ${schema})) AS j
            FROM (SELECT row_number() OVER () AS rn, line FROM ${scan})
            WHERE line IS NOT NULL AND trim(line) <> ''
          )
        )
      )
    )`);
  await db.run(`
    INSERT INTO rejects
    SELECT ${opts.index}, line,
      CASE error_type WHEN 'INVALID ENCODING' THEN 'invalid_utf8' WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
        ELSE 'invalid_json' END,
      CASE error_type WHEN 'TOO MANY COLUMNS' THEN 'control character' ELSE NULL END
    FROM (SELECT line, min(error_type) AS error_type FROM reject_errors_now GROUP BY line)`);
}

/** Reads one Parquet file in the canonical schema into `staged`; rows whose values do not cast are quarantined. */
export async function readParquet(db: Engine, f: InputFile, opts: ReadFileOptions): Promise<void> {
  const src = `read_parquet(${sqlString(f.read)}, file_row_number = true)`;
  const cols = await db.rows<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${src})`);
  const have = new Set(cols.map((c) => c.column_name));
  const col = (name: string) => (have.has(name) ? `"${name}"` : 'NULL');
  const required = FIELDS.filter(([name, req]) => req && name !== 'text').map(([name]) => name);
  const missing = required.map((name) => `WHEN ${col(name)} IS NULL THEN '${name}'`).join(' ');
  const castable = (name: string) => `WHEN ${col(name)} IS NOT NULL AND c_${name} IS NULL THEN '${name}'`;
  await db.run(`
    INSERT INTO staged
    SELECT ${opts.index}::BIGINT * ${KEY_SHIFT} + rn, ${opts.index}, rn, qreason, qdetail,
      CASE WHEN ok THEN c_id END, CASE WHEN ok THEN c_source END, CASE WHEN ok THEN c_kind END,
      CASE WHEN ok THEN c_account END, CASE WHEN ok THEN c_created_at END, CASE WHEN ok THEN c_visibility END,
      CASE WHEN ok THEN c_e2ee END, CASE WHEN ok AND NOT c_e2ee THEN c_text END,
      CASE WHEN ok THEN coalesce(c_participants, []) END, CASE WHEN ok THEN c_parent END
    FROM (
      SELECT *, qreason IS NULL AS ok FROM (
        SELECT *,
          CASE WHEN miss IS NOT NULL THEN 'missing_field' WHEN ill IS NOT NULL THEN 'ill_typed_field' END AS qreason,
          coalesce(miss, ill) AS qdetail
        FROM (
          SELECT *,
            CASE ${missing} WHEN c_e2ee = false AND c_text IS NULL THEN 'text' END AS miss,
            CASE ${FIELDS.map(([name]) => castable(name)).join(' ')}
                 WHEN c_visibility NOT IN (${VISIBILITIES.map(sqlString).join(', ')}) THEN 'visibility' END AS ill
          FROM (
            SELECT *, file_row_number + 1 AS rn,
              try_cast(${col('id')} AS VARCHAR) AS c_id, try_cast(${col('source')} AS VARCHAR) AS c_source,
              try_cast(${col('kind')} AS VARCHAR) AS c_kind, try_cast(${col('account')} AS VARCHAR) AS c_account,
              try_cast(${col('created_at')} AS TIMESTAMPTZ) AS c_created_at,
              try_cast(${col('visibility')} AS VARCHAR) AS c_visibility,
              try_cast(${col('e2ee')} AS BOOLEAN) AS c_e2ee, try_cast(${col('text')} AS VARCHAR) AS c_text,
              try_cast(${col('participants')} AS VARCHAR[]) AS c_participants,
              try_cast(${col('parent')} AS VARCHAR) AS c_parent
            FROM ${src}
          )
        )
      )
    )`);
}
