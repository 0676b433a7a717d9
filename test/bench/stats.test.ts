import { expect, it } from 'vitest';
import { createdCount } from '../../bench/_stats.ts';

it('bench:intake counts only 201 Created as new objections, not the 200 of a subject that had objected already', () => {
  // What autocannon reported for a run whose subjects repeated those of the warm-up (--persons 2500): 2,475 2xx, but
  // the server created only 500 objections.
  const result = {
    '2xx': 2475,
    statusCodeStats: { '200': { count: 1975 }, '201': { count: 500 }, '404': { count: 6231 } },
  };
  expect(createdCount(result)).toBe(500);
  expect(createdCount({ statusCodeStats: { '200': { count: 3 } } })).toBe(0);
});
