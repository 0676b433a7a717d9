import { readFileSync } from 'node:fs';
import type { Programme } from '../config/config.ts';
import { parsePolicy } from '../policy/load.ts';
import { withinProgramme } from '../policy/schema.ts';
import { InputError } from '../shared/errors.ts';

/** What the landing page tells people about a programme's policy: which content it may use. */
export interface ProgrammeFacts {
  readonly sources: readonly string[];
  readonly kinds: readonly string[];
  readonly publicOnly: boolean;
  readonly minAge: number | undefined;
  readonly jurisdictions: readonly string[];
  readonly assistantChats: boolean;
}

/**
 * Reads the facts people need from a programme's policy file, validated as a build validates it (with its
 * defaults). A policy that cannot be read or is invalid stops the server from starting: the landing page would
 * otherwise tell people less than the builds will use.
 */
export function programmeFacts(p: Programme): ProgrammeFacts {
  let text: string;
  try {
    text = readFileSync(p.policy, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the policy ${p.policy} of programme ${p.id}`, 'E_POLICY', { cause });
  }
  // What a build of the programme applies: the policy within the programme's own jurisdictions.
  const { policy } = withinProgramme(parsePolicy(text, p.policy), p.jurisdictions);
  return {
    sources: policy.sources.filter((s) => s !== 'assistant'),
    kinds: policy.kinds.filter((k) => k !== 'assistant_chat'),
    publicOnly: policy.visibility.length > 0 && policy.visibility.every((v) => v === 'public'),
    minAge: policy.min_age,
    jurisdictions: policy.jurisdictions,
    assistantChats: policy.sources.includes('assistant') || policy.kinds.includes('assistant_chat'),
  };
}
