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
  /**
   * TIMESTAMPTZ up to which a record's date is believed, usually when the build pinned its cut: a record dated after
   * it (a clock error, or a forged date) is judged as if made then, so a future date never makes a minor an adult.
   * Without it the record's own date is used.
   */
  readonly notAfter?: string;
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
    const at = cols.notAfter === undefined ? cols.createdAt : `least(${cols.createdAt}, ${cols.notAfter})`;
    when.push(`WHEN ${dateEverywhere(at)} < ${comingOfAge(cols.birthDate, policy.min_age)} THEN 'minor'`);
    // A birth date no living author can have (1900-01-01, 0001-01-01: what platforms store for "not given") proves
    // nothing either: it is as unknown as none.
    when.push(
      `WHEN ${cols.birthDate} IS NULL OR ${comingOfAge(cols.birthDate, MAX_PLAUSIBLE_AGE)} <= ${dateEverywhere(at)} THEN 'age_unknown'`,
    );
  }
  when.push(
    `WHEN ${cols.country} IS NULL OR ${cols.country} NOT IN (${sqlList(expandJurisdictions(policy.jurisdictions))}) THEN 'jurisdiction'`,
  );
  if (policy.participants === 'drop') when.push(`WHEN ${cols.participantObjected} THEN 'participant_objected'`);
  return `CASE ${when.join(' ')} ELSE NULL END`;
}

/** Ages from this one on are taken for a placeholder birth date, not a real one: no one has lived this long. */
export const MAX_PLAUSIBLE_AGE = 120;

/**
 * The calendar date at instant `ts` where it is earliest (UTC-12): the author's own time zone is unknown, and a
 * birthday counts only once it has come everywhere, so that no one is taken for an adult hours early.
 */
function dateEverywhere(ts: string): string {
  return `CAST(${ts} - INTERVAL 12 HOUR AS DATE)`;
}

/**
 * The first day of age `years` for someone born on `birth`. A 29 February birthday comes on 1 March in a common
 * year (as German law reckons it, BGB §188(3)); DuckDB's date arithmetic would give 28 February, a day early.
 */
function comingOfAge(birth: string, years: number): string {
  const day = `(${birth} + INTERVAL ${years} YEAR)`;
  return `CASE WHEN month(${birth}) = 2 AND day(${birth}) = 29 AND day${day} = 28 THEN CAST(${day} + INTERVAL 1 DAY AS DATE) ELSE CAST(${day} AS DATE) END`;
}
