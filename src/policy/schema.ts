import { z } from 'zod';
import { EXCLUSION_REASONS } from './reasons.ts';

/** The 27 EU member states (ISO 3166-1 alpha-2). */
export const EU_COUNTRIES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
] as const; // biome-ignore format: a table reads better

/** The EEA: the EU plus Iceland, Liechtenstein and Norway. */
export const EEA_COUNTRIES = [...EU_COUNTRIES, 'IS', 'LI', 'NO'] as const;

const PII = ['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'known_name'] as const;

// No control characters: a NUL would cut the compiled SQL short inside its string literal (the build then failed
// with an engine parser error instead of naming the line), and no source or kind name has one.
const word = z
  .string()
  .min(1, 'must not be empty')
  .max(100)
  .regex(/^\P{Cc}*$/u, 'must not contain control characters');

/** A jurisdiction as policies and programmes name one: EU, EEA, or a country's ISO 3166-1 alpha-2 code. */
export const jurisdiction = z
  .string()
  .regex(/^([A-Z]{2}|EU|EEA)$/, 'must be EU, EEA or an ISO 3166-1 alpha-2 code such as DE')
  // The EU's own abbreviations for two countries are not their ISO codes, which the identity graph uses: UK or EL
  // would match no account, and content from there would be excluded without a word.
  .refine((j) => j !== 'UK', 'UK is not an ISO 3166-1 code; the United Kingdom is GB')
  .refine((j) => j !== 'EL', 'EL is the EU abbreviation for Greece; its ISO 3166-1 code is GR');

/** The zod schema of a policy file (DESIGN.md, "Policy"); unknown keys are errors so that typos do not pass. */
export const policySchema = z
  .object({
    sources: z.array(word).min(1, 'needs at least one source'),
    kinds: z.array(word).min(1, 'needs at least one kind'),
    visibility: z
      .array(z.enum(['public', 'unlisted', 'followers', 'friends', 'private']))
      .min(1, 'needs at least one visibility'),
    min_age: z.number().int('must be a whole number of years').min(0).max(120).default(18),
    jurisdictions: z.array(jurisdiction).min(1, 'needs at least one jurisdiction'),
    participants: z.enum(['redact', 'drop', 'keep']).default('redact'),
    pii: z.array(z.enum(PII)).default([...PII]),
    dedup: z.enum(['exact', 'none']).default('exact'),
  })
  .strict();

/** A validated policy. */
export type Policy = z.infer<typeof policySchema>;

/** Expands EU and EEA to member states; returns sorted unique country codes. */
export function expandJurisdictions(list: readonly string[]): string[] {
  const out = new Set<string>();
  for (const j of list) {
    if (j === 'EU') for (const c of EU_COUNTRIES) out.add(c);
    else if (j === 'EEA') for (const c of EEA_COUNTRIES) out.add(c);
    else out.add(j);
  }
  return [...out].sort();
}

/**
 * The policy as a build applies it for a programme: its jurisdictions narrowed to the countries the programme was
 * announced for, so that a policy can never widen a programme. `dropped` lists the policy's countries that the
 * programme does not cover (none when it covers them all, and then the policy is returned as it is).
 */
export function withinProgramme(policy: Policy, programme: readonly string[]): { policy: Policy; dropped: string[] } {
  const allowed = new Set(expandJurisdictions(programme));
  const own = expandJurisdictions(policy.jurisdictions);
  const dropped = own.filter((c) => !allowed.has(c));
  if (dropped.length === 0) return { policy, dropped };
  const kept = own.filter((c) => allowed.has(c));
  const same = (group: readonly string[]) => group.length === kept.length && group.every((c) => kept.includes(c));
  return {
    policy: { ...policy, jurisdictions: same(EEA_COUNTRIES) ? ['EEA'] : same(EU_COUNTRIES) ? ['EU'] : kept },
    dropped,
  };
}

/** The exclusion reasons a policy can produce, in priority order (participant_objected only under drop). */
export function reasonsOf(policy: Policy): string[] {
  return EXCLUSION_REASONS.filter(
    (r) =>
      (r !== 'participant_objected' || policy.participants === 'drop') &&
      (r !== 'duplicate' || policy.dedup === 'exact'),
  );
}
