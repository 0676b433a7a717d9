import { expect, it } from 'vitest';
import { badStatuses, GOOD_STATUS, goodCount } from '../../bench/_stats.ts';

it('bench:intake counts only 201 Created as new objections, not the 200 of a subject that had objected already', () => {
  // What autocannon reported for a run whose subjects repeated those of the warm-up (--persons 2500): 2,475 2xx, but
  // the server created only 500 objections.
  const result = { statusCodeStats: { '200': { count: 1975 }, '201': { count: 500 }, '404': { count: 6231 } } };
  expect(goodCount(result, GOOD_STATUS.objections)).toBe(500);
  expect(badStatuses(result, GOOD_STATUS.objections)).toEqual([
    ['200', 1975],
    ['404', 6231],
  ]);
  expect(goodCount({ statusCodeStats: { '200': { count: 3 } } }, GOOD_STATUS.objections)).toBe(0);
});

it('bench:intake counts every 2xx of /healthz as good, so that its answers are not shown as failures', () => {
  // A 200 is all /healthz answers: counting it "not a 201" showed 67,473 failures a round where there were none.
  const health = { statusCodeStats: { '200': { count: 67473 } } };
  expect(goodCount(health, GOOD_STATUS.health)).toBe(67473);
  expect(badStatuses(health, GOOD_STATUS.health)).toEqual([]);
  expect(badStatuses({ statusCodeStats: { '200': { count: 5 }, '429': { count: 2 } } }, GOOD_STATUS.health)).toEqual([
    ['429', 2],
  ]);
});
