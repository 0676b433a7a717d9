import { EMPTY_ROOT, toHex } from '../log/hash.ts';
import type { Engine } from './_duckdb.ts';

/**
 * Computes the RFC 6962 Merkle root over hex record hashes in `table` (columns `pos`, `rh`) inside the engine, one
 * level at a time: pairing neighbours and carrying an odd last node up gives the same root as RFC 6962's split at
 * the largest power of two. Returns the root as hex.
 */
export async function merkleRootSql(db: Engine, table: string): Promise<{ root: string; size: number }> {
  const [count] = await db.rows<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  const size = Number(count?.n ?? 0);
  if (size === 0) return { root: toHex(EMPTY_ROOT), size };
  await db.run(
    `CREATE OR REPLACE TEMP TABLE merkle_0 AS SELECT pos AS i, sha256(unhex('00' || rh)) AS h FROM ${table}`,
  );
  let level = 0;
  let width = size;
  while (width > 1) {
    await db.run(`
      CREATE OR REPLACE TEMP TABLE merkle_${level + 1} AS
        SELECT i,
          CASE WHEN r IS NULL THEN l ELSE sha256(unhex('01' || l || r)) END AS h
        FROM (SELECT i // 2 AS i, min(h) FILTER (WHERE i % 2 = 0) AS l, min(h) FILTER (WHERE i % 2 = 1) AS r
              FROM merkle_${level} GROUP BY i // 2);
      DROP TABLE merkle_${level};`);
    level++;
    width = Math.ceil(width / 2);
  }
  const [top] = await db.rows<{ h: string }>(`SELECT h FROM merkle_${level}`);
  await db.run(`DROP TABLE merkle_${level}`);
  return { root: top?.h ?? '', size };
}
