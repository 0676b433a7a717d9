import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Programme } from '../config/config.ts';

/** What the landing page tells people about a programme's policy: which content it may use. */
export interface ProgrammeFacts {
  readonly sources: readonly string[];
  readonly kinds: readonly string[];
  readonly publicOnly: boolean;
  readonly minAge: number | undefined;
  readonly jurisdictions: readonly string[];
  readonly assistantChats: boolean;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Reads the facts people need from a programme's policy file. The policy module validates policies for builds;
 * here a policy that cannot be read shows no details rather than taking the portal down.
 */
export function programmeFacts(p: Programme): ProgrammeFacts {
  let doc: Record<string, unknown> = {};
  try {
    const parsed: unknown = parse(readFileSync(p.policy, 'utf8'));
    if (parsed && typeof parsed === 'object') doc = parsed as Record<string, unknown>;
  } catch {
    // Fall through with an empty policy: the page then lists only what is never used.
  }
  const sources = strings(doc.sources);
  const kinds = strings(doc.kinds);
  const visibility = strings(doc.visibility);
  return {
    sources: sources.filter((s) => s !== 'assistant'),
    kinds: kinds.filter((k) => k !== 'assistant_chat'),
    publicOnly: visibility.length > 0 && visibility.every((v) => v === 'public'),
    minAge: typeof doc.min_age === 'number' ? doc.min_age : undefined,
    jurisdictions: strings(doc.jurisdictions).length > 0 ? strings(doc.jurisdictions) : [...p.jurisdictions],
    assistantChats: sources.includes('assistant') || kinds.includes('assistant_chat'),
  };
}
