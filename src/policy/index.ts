export { compileReasonSql, DEFAULT_REASON_COLUMNS, type ReasonColumns, sqlList, sqlString } from './compile-sql.ts';
export { parsePolicy } from './load.ts';
export * from './reasons.ts';
export { EEA_COUNTRIES, EU_COUNTRIES, expandJurisdictions, type Policy, policySchema, reasonsOf } from './schema.ts';
