import { compileReasonSql, sqlList, sqlString } from '../policy/compile-sql.ts';
import type { Policy } from '../policy/schema.ts';
import type { Engine } from './_duckdb.ts';

/**
 * Gives every readable record its first exclusion reason (or none) with the policy compiled to SQL, lists the
 * records that mention an objector, and sets aside the records that repeat an earlier record's id. Idempotent: it
 * rebuilds its tables from `staged`. `cutAt` is when the build pinned the registry cut: a record dated later (a
 * wrong clock, or a forged date) has its author's age judged at that time.
 */
export async function classify(db: Engine, policy: Policy, cutAt?: string): Promise<void> {
  // accounts and objector_accounts hold one row per account (the registry's primary key, and a UNION), so the joins
  // never repeat a record; were that ever broken, the manifest's count check would refuse to sign the snapshot.
  await db.run(`
    DROP TABLE IF EXISTS participant_hits; DROP TABLE IF EXISTS classified; DROP TABLE IF EXISTS repeated_ids;
    -- A record id names one record, in the snapshot and in the lineage. A later record with the same id is
    -- quarantined (duplicate_id), so that an id can never be both an objector's excluded record and a kept one.
    CREATE TABLE repeated_ids AS
      SELECT s.key FROM staged s
        JOIN (SELECT id, min(key) AS first FROM staged WHERE qreason IS NULL GROUP BY id HAVING count(*) > 1) d
          ON d.id = s.id
      WHERE s.qreason IS NULL AND s.key <> d.first;
    CREATE TABLE participant_hits AS
      SELECT DISTINCT p.key FROM (
        SELECT key, unnest(participants) AS participant FROM staged WHERE qreason IS NULL AND len(participants) > 0
      ) p JOIN objector_accounts o ON o.account = p.participant;
    CREATE TABLE classified AS
      SELECT s.key, s.id, s.account, a.person,
        ${compileReasonSql(policy, {
          e2ee: 's.e2ee',
          objector: 'o.account IS NOT NULL',
          source: 's.source',
          kind: 's.kind',
          visibility: 's.visibility',
          createdAt: 's.created_at',
          birthDate: 'a.birth_date',
          country: 'a.country',
          participantObjected: 'h.key IS NOT NULL',
          ...(cutAt === undefined ? {} : { notAfter: `CAST(${sqlString(cutAt)} AS TIMESTAMPTZ)` }),
        })} AS reason
      FROM staged s
        LEFT JOIN accounts a ON a.account = s.account
        LEFT JOIN objector_accounts o ON o.account = s.account
        LEFT JOIN participant_hits h ON h.key = s.key
      WHERE s.qreason IS NULL AND s.key NOT IN (SELECT key FROM repeated_ids);`);
}

/**
 * An SQL condition that is false for a record the policy excludes by source, kind or visibility whatever else holds
 * (see compileReasonSql); the read stage stores no text for such a record.
 */
export function textNeededSql(policy: Policy, cols: { source: string; kind: string; visibility: string }): string {
  // The same as "the reason's WHEN does not fire" for NULLs and empty lists. list_contains rather than IN: the
  // planner turns a long IN list into a join, which would cost the read its order-preserving parallel insert.
  const ok = (col: string, list: readonly string[]) =>
    list.length === 0 ? 'true' : `(${col} IS NULL OR list_contains([${sqlList(list)}], ${col}))`;
  return [ok(cols.source, policy.sources), ok(cols.kind, policy.kinds), ok(cols.visibility, policy.visibility)].join(
    ' AND ',
  );
}
