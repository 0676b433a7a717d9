import { createHash } from 'node:crypto';

/** The fields of a kept record that its hash covers, in this order. */
export const HASHED_FIELDS = ['id', 'source', 'kind', 'created_at', 'lang', 'text'] as const;

/** A kept record as written to a shard, with created_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC). */
export type HashedRecord = Record<(typeof HASHED_FIELDS)[number], string>;

/**
 * The hash of a kept record: SHA-256 over each field as `<byte length>:<value>\n`, so that no two records share an
 * encoding. The snapshot's Merkle root is the RFC 6962 root over these hashes in output order.
 */
export function recordHash(r: HashedRecord): string {
  const h = createHash('sha256');
  for (const f of HASHED_FIELDS) h.update(`${Buffer.byteLength(r[f])}:${r[f]}\n`);
  return h.digest('hex');
}

/** The same hash as an SQL expression over the columns of the build's final table. */
export function recordHashSql(): string {
  const value = (f: string) =>
    f === 'created_at' ? `strftime(CAST(created_at AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%fZ')` : f;
  return `sha256(${HASHED_FIELDS.map((f) => `strlen(${value(f)})::VARCHAR || ':' || ${value(f)} || chr(10)`).join(' || ')})`;
}
