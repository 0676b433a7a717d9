/** A kind of personal data the redactor can find. */
export type PiiType = 'email' | 'phone' | 'iban' | 'credit_card' | 'ip' | 'handle' | 'known_name';

/**
 * Every PII type in the order the redactor applies them. Order is a priority: when two candidates start at the same
 * place, the earlier type wins (email before handle, so `a@b.de` is never read as the mention `@b`; iban and
 * credit_card before phone, so a long digit run is checksum-tested before it can look like a number to dial), and
 * known names run last, on text whose other PII is already gone.
 */
export const ALL_PII_TYPES: readonly PiiType[] = [
  'email',
  'iban',
  'credit_card',
  'ip',
  'phone',
  'handle',
  'known_name',
];

/** The placeholder that replaces each find of a type. */
export const PLACEHOLDER: Readonly<Record<PiiType, string>> = {
  email: '[email]',
  phone: '[phone]',
  iban: '[iban]',
  credit_card: '[credit_card]',
  ip: '[ip]',
  handle: '[handle]',
  known_name: '[name]',
};

/** Options shared by the JS redactor and the DuckDB path. */
export interface RedactOptions {
  /** Types to redact; order here does not matter, ALL_PII_TYPES fixes it. */
  types: readonly PiiType[];
  /** Display names of accounts; only used when `types` includes known_name. */
  knownNames?: Iterable<string>;
}
