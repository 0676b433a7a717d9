/** Percentile (0..100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Peak resident set size of this process in MB (VmHWM), or NaN where /proc is missing. */
export async function peakRssMb(): Promise<number> {
  try {
    const { readFileSync } = await import('node:fs');
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Times an async function in milliseconds with the high-resolution clock. */
export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The status counts of an autocannon result. */
interface StatusCounts {
  readonly statusCodeStats?: { readonly [status: `${number}`]: { count?: number } } | undefined;
}

/** What counts as a good answer on each measured route. */
export const GOOD_STATUS = {
  health: (status: string) => status.startsWith('2'),
  // Only a 201 is a new objection: a 200 is the receipt of an objection that was already there (a repeated subject).
  objections: (status: string) => status === '201',
} as const;

/** Responses whose status `good` accepts. */
export function goodCount(result: StatusCounts, good: (status: string) => boolean): number {
  return Object.entries(result.statusCodeStats ?? {}).reduce((n, [s, v]) => n + (good(s) ? (v.count ?? 0) : 0), 0);
}

/** Responses whose status `good` refuses, by status: what a run's failures were. */
export function badStatuses(result: StatusCounts, good: (status: string) => boolean): [string, number][] {
  return Object.entries(result.statusCodeStats ?? {})
    .filter(([s]) => !good(s))
    .map(([s, v]) => [s, v.count ?? 0]);
}
