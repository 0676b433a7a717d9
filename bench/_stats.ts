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

/**
 * Responses with status 201 in an autocannon result: a new objection. A 200 is the receipt of an objection that was
 * already there (a repeated subject), so it must not count as one filed.
 */
export function createdCount(result: {
  readonly statusCodeStats?: { readonly [status: `${number}`]: { count?: number } } | undefined;
}): number {
  return result.statusCodeStats?.['201']?.count ?? 0;
}
