import { describe, expect, it } from 'vitest';
import { epochToIso, isoToIso } from './_time.ts';

describe('time conversion', () => {
  it('reads epoch seconds and milliseconds as the same instant', () => {
    expect(epochToIso(1714564800)).toBe('2024-05-01T12:00:00Z');
    expect(epochToIso(1714564800000)).toBe('2024-05-01T12:00:00Z');
    expect(epochToIso(1714564800123)).toBe('2024-05-01T12:00:00.123Z');
    expect(epochToIso(1714564801.123456)).toBe('2024-05-01T12:00:01.123Z');
  });

  it('rejects implausible values', () => {
    // 99999999999999 ms is the year 5138: past what a build reads (1970 to 2099), so refused here already.
    for (const v of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1714564800', null, 1e17, 99999999999999]) {
      expect(epochToIso(v)).toBeNull();
    }
    expect(epochToIso(Date.UTC(2099, 11, 31, 23, 59, 59))).toBe('2099-12-31T23:59:59Z');
    expect(isoToIso('2100-01-01T00:00:00Z')).toBeNull();
    expect(epochToIso(Date.UTC(2100, 0, 1))).toBeNull();
  });

  it('normalises ISO times with a zone to UTC and refuses zoneless ones', () => {
    expect(isoToIso('2024-05-01T14:00:00+02:00')).toBe('2024-05-01T12:00:00Z');
    expect(isoToIso('2024-03-01T09:00:00.123456Z')).toBe('2024-03-01T09:00:00.123Z');
    expect(isoToIso('2024-05-01T12:00:00')).toBeNull();
    expect(isoToIso('yesterday')).toBeNull();
  });

  it('refuses an impossible date or hour instead of rolling it over', () => {
    for (const v of [
      '2024-02-30T10:00:00Z',
      '2023-02-29T10:00:00Z',
      '2024-04-31T10:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-13-01T10:00:00Z',
    ]) {
      expect(isoToIso(v), v).toBeNull();
    }
    expect(isoToIso('2024-02-29T23:30:00-01:00')).toBe('2024-03-01T00:30:00Z');
    expect(isoToIso('2024-12-31T23:59:59+00:00')).toBe('2024-12-31T23:59:59Z');
  });
});
