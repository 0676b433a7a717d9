import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type Json } from './canonical-json.ts';
import { decodeEvent, encodeEvent, type LogEvent, subjectCommitment } from './event.ts';

const EVENT: LogEvent = {
  v: 1,
  type: 'objection',
  id: 'obj_01',
  programme: '*',
  scope: 'person',
  subject_commitment: 'a'.repeat(64),
  submitted_at: '2025-05-26T21:59:59Z',
  effective_at: '2025-05-26T22:00:00.123Z',
};

describe('encodeEvent', () => {
  it('writes exactly the canonical JSON of any event', () => {
    const event: fc.Arbitrary<LogEvent> = fc.record({
      v: fc.constant(1 as const),
      type: fc.constantFrom('objection' as const, 'withdrawal' as const),
      id: fc.string(),
      programme: fc.string({ unit: 'binary' }),
      scope: fc.constantFrom('person' as const, 'account' as const),
      subject_commitment: fc.string(),
      submitted_at: fc.string({ unit: 'grapheme' }),
      effective_at: fc.string(),
    });
    fc.assert(
      fc.property(event, (e) => {
        expect(encodeEvent(e)).toBe(canonicalJson({ ...e }));
      }),
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
  });

  it('refuses numbers that other languages might print differently', () => {
    for (const n of [1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => canonicalJson({ n })).toThrow(TypeError);
    }
  });

  it('is valid JSON for the same value, and a fixed point', () => {
    const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.maxSafeInteger(),
        fc.string(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).toEqual(v);
        expect(canonicalJson(JSON.parse(text) as Json)).toBe(text);
      }),
    );
  });
});

describe('log events', () => {
  it('commits to the subject as sha256("dissent-subject-v1\\n" + salt + "\\n" + subject)', () => {
    const want = createHash('sha256').update('dissent-subject-v1\nsalt123\nperson:42', 'utf8').digest('hex');
    expect(subjectCommitment('salt123', 'person:42')).toBe(want);
    expect(subjectCommitment('salt124', 'person:42')).not.toBe(want);
    // The newline separator keeps "ab"+"c" and "a"+"bc" apart.
    expect(subjectCommitment('ab', 'c')).not.toBe(subjectCommitment('a', 'bc'));
  });

  it('encodes as canonical JSON and decodes back to the same event', () => {
    const leaf = encodeEvent(EVENT);
    expect(leaf.startsWith('{"effective_at":')).toBe(true);
    expect(leaf).not.toContain(' ');
    expect(decodeEvent(leaf)).toEqual(EVENT);
    expect(decodeEvent(encodeEvent({ ...EVENT, type: 'withdrawal', scope: 'account' }))?.type).toBe('withdrawal');
  });

  it('refuses leaves that are not canonical dissent events', () => {
    const leaf = encodeEvent(EVENT);
    const obj = JSON.parse(leaf) as Record<string, unknown>;
    const variants: string[] = [
      'not json',
      '[]',
      'null',
      JSON.stringify(obj, null, 1), // whitespace
      JSON.stringify(Object.fromEntries(Object.entries(obj).reverse())), // key order
      canonicalJson({ ...obj, extra: 1 } as Json),
      canonicalJson({ ...obj, v: 2 } as Json),
      canonicalJson({ ...obj, type: 'other' } as Json),
      canonicalJson({ ...obj, scope: 'everyone' } as Json),
      canonicalJson({ ...obj, subject_commitment: 'A'.repeat(64) } as Json),
      canonicalJson({ ...obj, subject_commitment: 'a'.repeat(63) } as Json),
      canonicalJson({ ...obj, submitted_at: '2025-05-26 21:59:59' } as Json),
      canonicalJson({ ...obj, effective_at: '2025-05-26T22:00:00+02:00' } as Json),
      canonicalJson({ ...obj, id: 7 } as Json),
      leaf.replace('"obj_01"', '"obj\\u005f01"'), // same value, escaped differently
    ];
    for (const v of variants) expect(decodeEvent(v), v).toBeUndefined();
  });
});
