import { compileReasonSql } from '../policy/compile-sql.ts';
import type { Policy } from '../policy/schema.ts';
import type { Engine } from './_duckdb.ts';

/**
 * Gives every readable record its first exclusion reason (or none) with the policy compiled to SQL, and lists the
 * records that mention an objector. Idempotent: it rebuilds its tables from `staged`.
 */
export async function classify(db: Engine, policy: Policy): Promise<void> {
  await db.run(`
    DROP TABLE IF EXISTS participant_hits; DROP TABLE IF EXISTS classified;
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
        })} AS reason
      FROM staged s
        LEFT JOIN (SELECT DISTINCT ON (account) * FROM accounts) a ON a.account = s.account
        LEFT JOIN objector_accounts o ON o.account = s.account
        LEFT JOIN participant_hits h ON h.key = s.key
      WHERE s.qreason IS NULL;`);
}
