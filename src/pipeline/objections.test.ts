import { describe, expect, it } from 'vitest';
import type { SubjectEvent } from '../registry/types.ts';
import { objectingSubjects } from './objections.ts';

let index = 0;
function ev(type: SubjectEvent['type'], subject: string, over: Partial<SubjectEvent> = {}): SubjectEvent {
  return {
    leaf_index: index++,
    type,
    objection_id: `o${index}`,
    subject,
    scope: 'person',
    programme: '*',
    submitted_at: '2025-05-01T00:00:00Z',
    via_account: null,
    ...over,
  };
}

describe('objectingSubjects', () => {
  it('lets the latest event per subject, scope and programme win', () => {
    const r = objectingSubjects(
      [
        ev('objection', 'p:1'),
        ev('withdrawal', 'p:1'),
        ev('objection', 'p:2'),
        ev('withdrawal', 'p:3'),
        ev('objection', 'p:3'),
      ],
      'prog',
    );
    expect([...r.persons].sort()).toEqual(['p:2', 'p:3']);
  });

  it('applies objections to * and to this programme, not to another one', () => {
    const r = objectingSubjects(
      [ev('objection', 'p:1', { programme: 'prog' }), ev('objection', 'p:2', { programme: 'other' })],
      'prog',
    );
    expect([...r.persons]).toEqual(['p:1']);
  });

  it('keeps a programme objection in force when the * objection is withdrawn', () => {
    const r = objectingSubjects(
      [ev('objection', 'p:1'), ev('objection', 'p:1', { programme: 'prog' }), ev('withdrawal', 'p:1')],
      'prog',
    );
    expect([...r.persons]).toEqual(['p:1']);
  });

  it('keeps account-scope objections apart from person-scope ones', () => {
    const r = objectingSubjects([ev('objection', 'fb:a:1', { scope: 'account' }), ev('withdrawal', 'fb:a:1')], 'prog');
    expect([...r.accounts]).toEqual(['fb:a:1']);
    expect(r.persons.size).toBe(0);
  });

  it('keeps the account a person objected through out, until the objection is withdrawn', () => {
    const filed = ev('objection', 'p:4', { via_account: 'fb:a:4' });
    expect([...objectingSubjects([filed], 'prog').accounts]).toEqual(['fb:a:4']);
    expect(objectingSubjects([filed, ev('withdrawal', 'p:4')], 'prog').accounts.size).toBe(0);
  });
});
