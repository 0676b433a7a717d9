// The baseline the build is measured against: one DuckDB statement that reads the JSONL, drops objectors' and
// non-public records with an anti-join, and writes zstd Parquet. Run as a child so that its peak RSS is its own.
import { DuckDBInstance } from '@duckdb/node-api';

const [posts, objectors, out, threads, memory, tmp] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const t0 = Date.now();
// An empty memory argument leaves DuckDB's own default (80% of RAM), so that the baseline runs at its best.
const db = await DuckDBInstance.create(':memory:', {
  threads,
  temp_directory: tmp,
  ...(memory ? { memory_limit: memory } : {}),
});
const conn = await db.connect();
await conn.run(
  `CREATE TABLE objectors AS SELECT column0 AS account FROM read_csv('${objectors}', header = false, columns = {'column0': 'VARCHAR'})`,
);
await conn.run(`COPY (
  SELECT r.* FROM read_json('${posts}', format = 'newline_delimited', columns = {id: 'VARCHAR', source: 'VARCHAR',
    kind: 'VARCHAR', account: 'VARCHAR', created_at: 'VARCHAR', visibility: 'VARCHAR', e2ee: 'BOOLEAN', text: 'VARCHAR',
    participants: 'VARCHAR[]', parent: 'VARCHAR'}) r
  ANTI JOIN objectors o ON o.account = r.account
  WHERE r.visibility = 'public'
) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
const rows = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${out}'`);
process.stdout.write(`${JSON.stringify({ ms: Date.now() - t0, kept: rows.getRowObjectsJson()[0]?.n })}\n`);
conn.closeSync();
db.closeSync();
