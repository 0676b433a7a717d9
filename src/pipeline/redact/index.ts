export { readKnownNames } from './accounts.ts';
export {
  type DuckDBRedactOptions,
  type KnownNameOptions,
  knownNameChanges,
  loadNames,
  loadTexts,
  redactInDuckDB,
} from './duckdb.ts';
export { KnownNames } from './known-names.ts';
export { createRedactor, type Redactor } from './redactor.ts';
export { ALL_PII_TYPES, type PiiType, PLACEHOLDER, type RedactOptions } from './types.ts';
export { isIPv4, isIPv6Address, isLuhnValid, isValidIban } from './validators.ts';
