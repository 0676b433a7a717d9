import { chmodSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sqlString } from '../policy/compile-sql.ts';
import type { Engine } from './_duckdb.ts';
import { langFromWordsSql, langWordsSql } from './lang.ts';
import { recordHashSql } from './record-hash.ts';

/** One written training shard. */
export interface ShardInfo {
  /** Path relative to the snapshot folder, e.g. `data/part-00000.parquet`. */
  readonly path: string;
  readonly rows: number;
}

/**
 * Orders the kept records (by id, then input position), guesses their language and hashes each one. `final` holds
 * only the position, key, language and hash of each record; the shards read the rest from `kept` by key.
 */
export async function buildFinal(db: Engine): Promise<number> {
  // The order comes from a sort of the narrow (id, key) pairs; a window sorting the whole rows moved every text.
  await db.run(`
    DROP TABLE IF EXISTS final;
    CREATE OR REPLACE TEMP TABLE final_order AS SELECT key, row_number() OVER (ORDER BY id, key) - 1 AS pos FROM kept;
    CREATE TABLE final AS
      SELECT pos, key, lang, ${recordHashSql()} AS rh
      FROM (
        SELECT o.pos, k.key, k.id, k.text, k.source, k.kind, k.created_at, ${langFromWordsSql('w')} AS lang
        FROM (SELECT *, ${langWordsSql('text')} AS w FROM kept) k JOIN final_order o ON o.key = k.key
      );
    DROP TABLE final_order;`);
  const [row] = await db.rows<{ n: string }>('SELECT count(*) AS n FROM final');
  return Number(row?.n ?? 0);
}

function copyAtomic(sql: string, file: string, options: string): string {
  return `COPY (${sql}) TO ${sqlString(`${file}.tmp`)} (${options})`;
}

/**
 * Writes the training shards (zstd Parquet, `shardRows` rows each, in output order), each to a temp file renamed
 * into place, so that a shard is either whole or absent. Output is the same bytes whatever the thread count.
 */
export async function writeShards(
  db: Engine,
  outDir: string,
  opts: { kept: number; shardRows: number; onShard?: (done: number, total: number) => void },
): Promise<ShardInfo[]> {
  const dataDir = join(outDir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const total = Math.ceil(opts.kept / opts.shardRows);
  const [setting] = await db.rows<{ v: string }>("SELECT current_setting('preserve_insertion_order')::VARCHAR AS v");
  const keepOrder = setting?.v === 'true';
  const shards: ShardInfo[] = [];
  for (let s = 0; s < total; s++) {
    const rel = `data/part-${String(s).padStart(5, '0')}.parquet`;
    const file = join(outDir, rel);
    const from = s * opts.shardRows;
    const to = Math.min(from + opts.shardRows, opts.kept);
    // The shard's rows are sorted into a table first and written from it in that order: a COPY of the sort itself
    // asked for the sorted texts in one block (100 MB for 1,136 chats of 100 KB), beyond the engine's memory limit.
    await db.run(`
      SET preserve_insertion_order = true;
      CREATE OR REPLACE TEMP TABLE shard_rows AS
        SELECT k.id, k.text, k.source, k.kind, k.created_at, f.lang FROM final f JOIN kept k ON k.key = f.key
        WHERE f.pos >= ${from} AND f.pos < ${to} ORDER BY f.pos;`);
    await db.run(
      copyAtomic('SELECT * FROM shard_rows', file, 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880'),
    );
    await db.run(`DROP TABLE shard_rows; SET preserve_insertion_order = ${keepOrder};`);
    renameSync(`${file}.tmp`, file);
    shards.push({ path: rel, rows: to - from });
    opts.onShard?.(s + 1, total);
  }
  return shards;
}

/**
 * Writes `lineage/records.parquet`: for every record read, its id, account, person, exclusion reason (NULL when
 * kept) and, when kept, its shard and row; no text. Kept apart from the training data and access-restricted.
 */
export async function writeLineage(db: Engine, outDir: string, shardRows: number): Promise<string> {
  // It links every record to a person, objectors included: readable by the build user only (a training job running
  // as another user reads data/, never this).
  ownerOnlyFolder(join(outDir, 'lineage'));
  const rel = 'lineage/records.parquet';
  const file = join(outDir, rel);
  await db.run(
    copyAtomic(
      `SELECT c.id, c.account, c.person, c.reason, f.pos // ${shardRows} AS shard, f.pos % ${shardRows} AS shard_row,
         f.pos AS leaf
       FROM reasons c LEFT JOIN final f ON f.key = c.key ORDER BY c.key`,
      file,
      'FORMAT parquet, COMPRESSION zstd',
    ),
  );
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
  return rel;
}

/**
 * Writes `quarantine/quarantine.jsonl`: one line per malformed input line with its file, line number, reason and a
 * detail (a field name or what was wrong), never the line's content: it may hold personal data or e2ee text.
 */
export async function writeQuarantine(db: Engine, outDir: string): Promise<string> {
  // Its entries name files inside platform exports, and a Messenger folder name can be a person's name: readable by
  // the build user only, as lineage/ is.
  ownerOnlyFolder(join(outDir, 'quarantine'));
  const rel = 'quarantine/quarantine.jsonl';
  const file = join(outDir, rel);
  // A staged row's number counts only the lines the scanner accepted: add back the rejected lines before it.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE reject_gaps AS
      SELECT file, line - row_number() OVER (PARTITION BY file ORDER BY line) AS g FROM rejects;`);
  await db.run(
    copyAtomic(
      `SELECT file, line, reason, detail FROM (
         SELECT i.path AS file, q.line, q.reason, q.detail, q.file AS f, 0 AS part, 0 AS seq FROM (
           SELECT s.file, s.rn + (SELECT count(*) FROM reject_gaps r WHERE r.file = s.file AND r.g < s.rn) AS line,
             coalesce(s.qreason, 'duplicate_id') AS reason, s.qdetail AS detail
           FROM staged s WHERE s.qreason IS NOT NULL OR s.key IN (SELECT key FROM repeated_ids)
           UNION ALL
           SELECT file, line, reason, detail FROM rejects
         ) q JOIN input_files i ON i.file = q.file
         UNION ALL
         -- A platform export's own quarantine, named by the file inside the export. The items of one JSON file all
         -- have line 0: they keep the order they were found in (rowid), which a sort on the other keys leaves open.
         SELECT path, line, reason, detail, file, 1, rowid FROM export_rejects
       )
       ORDER BY f, part, file, line, seq`,
      file,
      'FORMAT json',
    ),
  );
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
  return rel;
}

/** Makes a folder readable by the build user only, whatever the umask; chmod too, for one left by a killed build. */
function ownerOnlyFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
