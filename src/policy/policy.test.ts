import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.ts';
import { compileReasonSql } from './compile-sql.ts';
import { parsePolicy } from './load.ts';
import { expandJurisdictions, reasonsOf, withinProgramme } from './schema.ts';

const GOOD = 'sources: [facebook]\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU, CH]\n';

describe('parsePolicy', () => {
  it('fills defaults for the optional fields', () => {
    const p = parsePolicy(GOOD, 'p.yaml');
    expect(p).toMatchObject({ min_age: 18, participants: 'redact', dedup: 'exact' });
    expect(p.pii).toContain('known_name');
  });

  it.each([
    ['sources: [facebook]\nkinds: [post]\nvisibility: [publik]\njurisdictions: [EU]\n', 3, 'visibility.0'],
    [`${GOOD}min_age: eighteen\n`, 5, 'min_age'],
    [`${GOOD}participants: maybe\n`, 5, 'participants'],
    [`${GOOD}pii: [email, shoe_size]\n`, 5, 'pii.1'],
    [`${GOOD}\n\ndedupe: exact\n`, 7, 'dedupe'],
    [`${GOOD}dedup: exact\ndedup: none\n`, 6, '(syntax)'],
    ['sources: [facebook]\nkinds: [post\nvisibility: [public]\n', 3, '(syntax)'],
    ['sources: [facebook]\nkinds: [post]\nvisibility: [public]\njurisdictions: [DE, EL]\n', 4, 'jurisdictions.1'],
    // An empty list compiles to `NOT IN (NULL)`, which is never true: it would exclude nothing instead of everything.
    ['sources: []\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n', 1, 'sources'],
    ['sources: [facebook]\nkinds: []\nvisibility: [public]\njurisdictions: [EU]\n', 2, 'kinds'],
    ['sources: [facebook]\nkinds: [post]\nvisibility: []\njurisdictions: [EU]\n', 3, 'visibility'],
    ['sources: [facebook]\nkinds: [post]\nvisibility: [public]\njurisdictions: []\n', 4, 'jurisdictions'],
    [`${GOOD}min_age: -1\n`, 5, 'min_age'],
    // A NUL would end the compiled SQL inside a string literal: the build failed with an engine parser error.
    ['sources: [facebook]\nkinds: ["post\\0"]\nvisibility: [public]\njurisdictions: [EU]\n', 2, 'kinds.0'],
  ])('names the file, line and field of a mistake (%#)', (text, line, field) => {
    try {
      parsePolicy(text, 'policies/p.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).code).toBe('E_POLICY');
      expect((e as ConfigError).line).toBe(line);
      expect((e as ConfigError).field).toBe(field);
      expect((e as Error).message).toMatch(/^policies\/p\.yaml:\d+: /);
    }
  });
  it('says that a missing field is required, not that it "received undefined"', () => {
    expect(() => parsePolicy('kinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n', 'p.yaml')).toThrow(
      'p.yaml:1: sources: is required',
    );
  });

  it('says that a list written without brackets must be one, with the list to write', () => {
    expect(() =>
      parsePolicy('sources: facebook, instagram\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n', 'p.yaml'),
    ).toThrow('p.yaml:1: sources: must be a list in brackets, e.g. [facebook, instagram]');
  });

  it('names the file of a document whose aliases would expand without end', () => {
    const bomb = ['a0: &a0 [x, x]'];
    // Each level names the one before ten times: 10^11 items once expanded.
    for (let i = 1; i < 12; i++) {
      const refs = Array(10).fill(`*a${i - 1}`);
      bomb.push(`a${i}: &a${i} [${refs.join(', ')}]`);
    }
    bomb.push('sources: [facebook]', 'kinds: *a11', 'visibility: [public]', 'jurisdictions: [EU]');
    expect(() => parsePolicy(bomb.join('\n'), 'policies/p.yaml')).toThrow(
      expect.objectContaining({ code: 'E_POLICY', message: expect.stringMatching(/^policies\/p\.yaml:\d+: /) }),
    );
  });
});

describe('compileReasonSql', () => {
  it('puts e2ee and objection first whatever the policy, and participant_objected only under drop', () => {
    const sql = compileReasonSql(parsePolicy(GOOD, 'p.yaml'));
    expect(sql.indexOf("'e2ee'")).toBeLessThan(sql.indexOf("'objection'"));
    expect(sql.indexOf("'objection'")).toBeLessThan(sql.indexOf("'source'"));
    expect(sql.indexOf("'minor'")).toBeLessThan(sql.indexOf("'age_unknown'"));
    expect(sql).not.toContain('participant_objected');
    const drop = parsePolicy(`${GOOD}participants: drop\n`, 'p.yaml');
    expect(compileReasonSql(drop)).toContain("'participant_objected'");
    expect(reasonsOf(drop)).toContain('participant_objected');
  });

  it('quotes list values so that a quote in a source name cannot break out', () => {
    const p = parsePolicy('sources: ["it\'s"]\nkinds: [post]\nvisibility: [public]\njurisdictions: [DE]\n', 'p.yaml');
    expect(compileReasonSql(p)).toContain("'it''s'");
  });
});

describe('expandJurisdictions', () => {
  it('expands EU and EEA to member states', () => {
    expect(expandJurisdictions(['EU'])).toHaveLength(27);
    expect(expandJurisdictions(['EEA'])).toEqual(expect.arrayContaining(['NO', 'IS', 'LI', 'DE']));
    expect(expandJurisdictions(['EU', 'CH'])).toContain('CH');
    expect(expandJurisdictions(['EU'])).not.toContain('CH');
  });
});

describe('withinProgramme', () => {
  const policy = (j: string) =>
    parsePolicy(`sources: [facebook]\nkinds: [post]\nvisibility: [public]\njurisdictions: ${j}\n`, 'p.yaml');
  it("narrows the policy's countries to the programme's and names the ones it drops", () => {
    expect(withinProgramme(policy('[EU]'), ['DE']).policy.jurisdictions).toEqual(['DE']);
    expect(withinProgramme(policy('[EU]'), ['DE']).dropped).toHaveLength(26);
    expect(withinProgramme(policy('[EEA]'), ['EU'])).toMatchObject({
      policy: { jurisdictions: ['EU'] },
      dropped: ['IS', 'LI', 'NO'],
    });
    expect(withinProgramme(policy('[DE, CH]'), ['EU']).policy.jurisdictions).toEqual(['DE']);
    expect(withinProgramme(policy('[AT]'), ['DE']).policy.jurisdictions).toEqual([]);
  });
  it('returns the policy as it is when the programme covers it', () => {
    const p = policy('[EU]');
    expect(withinProgramme(p, ['EEA'])).toEqual({ policy: p, dropped: [] });
  });
});
