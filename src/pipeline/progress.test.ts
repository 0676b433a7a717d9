import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress.ts';

/** A terminal that keeps what was written to it, with a clock the test moves. */
function terminal(opts: { isTTY: boolean; columns?: number }) {
  const out: string[] = [];
  let t = 1_000;
  const stream = { ...opts, write: (text: string) => out.push(text) };
  return {
    out,
    bar: createProgressBar(stream, () => t),
    at(ms: number) {
      t = 1_000 + ms;
    },
  };
}

describe('the build progress bar', () => {
  it('shows records, MB/s from the start of the read, and an ETA, at full width when the terminal reports none', () => {
    const term = terminal({ isTTY: true, columns: 0 });
    term.bar.update({ stage: 'read' });
    term.at(2_000);
    term.bar.update({ stage: 'read', done: 100e6, total: 200e6, unit: 'bytes', records: 300_000 });
    const line = term.out.at(-1) ?? '';
    expect(line).toContain(' 50%');
    expect(line).toContain('300,000 records');
    // 100 MB in the 2 s since the read began (not since this first figure), and 100 MB to go at that rate.
    expect(line).toContain('50.0 MB/s');
    expect(line).toContain('ETA 2 s');
    expect(line.length).toBe(1 + 79);
    // At 80 columns the bar narrows so that the sizes fit too, even of a 10 GB input.
    term.at(3_000);
    term.bar.update({ stage: 'read', done: 5_000e6, total: 10_000e6, unit: 'bytes', records: 12_345_678 });
    expect(term.out.at(-1)).toMatch(/^\rread █+░+ {2}50% {2}12,345,678 records .* 5000\.0\/10000\.0 MB$/);
    // A wide terminal shows the sizes too, after them.
    const wide = terminal({ isTTY: true, columns: 120 });
    wide.bar.update({ stage: 'read' });
    wide.at(2_000);
    wide.bar.update({ stage: 'read', done: 100e6, total: 200e6, unit: 'bytes', records: 300_000 });
    expect(wide.out.at(-1)).toMatch(/50\.0 MB\/s {2}ETA 2 s {2}100\.0\/200\.0 MB/);
  });

  it('writes nothing when the output is not a terminal', () => {
    const term = terminal({ isTTY: false });
    term.bar.update({ stage: 'read' });
    term.bar.update({ stage: 'read', done: 1, total: 2, unit: 'bytes', records: 1 });
    term.bar.done();
    expect(term.out).toEqual([]);
  });
});
