import { expandJurisdictions, type Policy } from './schema.ts';

/** An SQL string literal (DuckDB and PostgreSQL: only the quote needs doubling). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** An SQL list of string literals for `IN (...)`. */
export function sqlList(items: readonly string[]): string {
  return items.length === 0 ? 'NULL' : items.map(sqlString).join(', ');
}

/** The columns the compiled expression reads; each is an SQL expression over the row being classified. */
export interface ReasonColumns {
  readonly e2ee: string;
  /** TRUE when an objection inside the cut covers the author's account. */
  readonly objector: string;
  readonly source: string;
  readonly kind: string;
  readonly visibility: string;
  /** TIMESTAMPTZ of the record. */
  readonly createdAt: string;
  /** DATE or NULL; NULL also when the account is not in the identity graph. */
  readonly birthDate: string;
  readonly country: string;
  /** TRUE when a participant of the record objected. */
  readonly participantObjected: string;
}

/** The default column names of the build's classify step. */
export const DEFAULT_REASON_COLUMNS: ReasonColumns = {
  e2ee: 'e2ee',
  objector: 'objector',
  source: 'source',
  kind: 'kind',
  visibility: 'visibility',
  createdAt: 'created_at',
  birthDate: 'birth_date',
  country: 'country',
  participantObjected: 'participant_objected',
};

/**
 * Compiles a policy to one SQL CASE expression that yields the first exclusion reason of a row, or NULL to keep it.
 * `duplicate` is not in it: dedup needs the whole set and runs afterwards. The hard rules (e2ee first, then every
 * objection) are emitted whatever the policy says.
 * @example `SELECT ${compileReasonSql(policy)} AS reason FROM records`
 */
export function compileReasonSql(policy: Policy, cols: ReasonColumns = DEFAULT_REASON_COLUMNS): string {
  const when: string[] = [
    `WHEN ${cols.e2ee} IS NOT FALSE THEN 'e2ee'`,
    `WHEN ${cols.objector} THEN 'objection'`,
    `WHEN ${cols.source} NOT IN (${sqlList(policy.sources)}) THEN 'source'`,
    `WHEN ${cols.kind} NOT IN (${sqlList(policy.kinds)}) THEN 'kind'`,
    `WHEN ${cols.visibility} NOT IN (${sqlList(policy.visibility)}) THEN 'not_public'`,
  ];
  // Age at created_at: a minor until the min_age-th birthday; an unknown birth date cannot prove adulthood.
  if (policy.min_age > 0) {
    when.push(
      `WHEN CAST(${cols.createdAt} AS DATE) < ${cols.birthDate} + INTERVAL ${policy.min_age} YEAR THEN 'minor'`,
    );
    when.push(`WHEN ${cols.birthDate} IS NULL THEN 'age_unknown'`);
  }
  when.push(
    `WHEN ${cols.country} IS NULL OR ${cols.country} NOT IN (${sqlList(expandJurisdictions(policy.jurisdictions))}) THEN 'jurisdiction'`,
  );
  if (policy.participants === 'drop') when.push(`WHEN ${cols.participantObjected} THEN 'participant_objected'`);
  return `CASE ${when.join(' ')} ELSE NULL END`;
}
