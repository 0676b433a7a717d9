/**
 * Why a record was left out, in priority order: a record gets the first reason that applies, or none. `e2ee` and
 * `objection` come first and no policy can turn them off.
 */
export const EXCLUSION_REASONS = [
  'e2ee',
  'objection',
  'source',
  'kind',
  'not_public',
  'minor',
  'age_unknown',
  'jurisdiction',
  'participant_objected',
  'duplicate',
] as const;

/** A reason code for a record left out of a snapshot. */
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Why an input line was quarantined instead of read as a record. */
export const QUARANTINE_REASONS = [
  'invalid_json',
  'invalid_utf8',
  'line_too_long',
  'not_an_object',
  'missing_field',
  'ill_typed_field',
  'bad_item',
  'bad_timestamp',
  'duplicate_id',
] as const;

/** A reason code for a malformed input line. */
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** One line of human explanation per reason code, for summaries and docs. */
export const REASON_TEXT: Readonly<Record<ExclusionReason | QuarantineReason, string>> = {
  e2ee: 'end-to-end encrypted; never read',
  objection: 'the author objected (inside the registry cut)',
  source: 'source not allowed by the policy',
  kind: 'kind not allowed by the policy',
  not_public: 'visibility not allowed by the policy',
  minor: 'author under min_age at created_at',
  age_unknown:
    'author birth date unknown or implausible (120 years or more before the record), or account not in the identity graph',
  jurisdiction: 'author country outside the policy jurisdictions',
  participant_objected: 'mentions an objector and participants is drop',
  duplicate: 'same normalised text as a record with a lower id',
  invalid_json: 'not valid JSON',
  invalid_utf8: 'not valid UTF-8',
  line_too_long: 'longer than the line size limit',
  not_an_object: 'JSON, but not an object',
  missing_field: 'a required field is missing',
  ill_typed_field: 'a field has the wrong type or an unreadable value',
  bad_item: 'an item of a platform export that could not be read as a record',
  bad_timestamp: 'an item of a platform export without a plausible time',
  duplicate_id: 'a record with the id of an earlier record (in input order)',
};
