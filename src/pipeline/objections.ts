import type { SubjectEvent } from '../registry/types.ts';

/** The subjects whose objection applies to one programme at a cut. */
export interface ObjectingSubjects {
  /** Person ids with a person-scope objection in force: all their accounts are out. */
  readonly persons: ReadonlySet<string>;
  /** Account ids with an account-scope objection in force: only that account is out. */
  readonly accounts: ReadonlySet<string>;
}

/**
 * Folds the log events inside a cut into the objections in force for `programme`: per subject, scope and programme
 * the latest event wins (an objection is in force, a withdrawal is not), and objections to `*` apply to every
 * programme. Events must be in log order, as Store.subjectEventsBefore returns them.
 */
export function objectingSubjects(events: readonly SubjectEvent[], programme: string): ObjectingSubjects {
  const latest = new Map<string, SubjectEvent>();
  for (const e of events) {
    if (e.programme !== '*' && e.programme !== programme) continue;
    latest.set(`${e.scope}\u0000${e.programme}\u0000${e.subject}`, e);
  }
  const persons = new Set<string>();
  const accounts = new Set<string>();
  for (const e of latest.values()) {
    if (e.type !== 'objection') continue;
    (e.scope === 'person' ? persons : accounts).add(e.subject);
    // The account it was filed through stays out too, even if the identity graph has since moved it to another
    // person: that account's owner objected.
    if (e.scope === 'person' && e.via_account) accounts.add(e.via_account);
  }
  return { persons, accounts };
}
