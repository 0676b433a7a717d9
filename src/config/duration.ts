/**
 * Parses a duration such as `72h`, `30m`, `5s`, `3d` or `1h30m` into milliseconds; undefined when malformed.
 * @example parseDuration('72h') // 259200000
 */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.trim().matchAll(re)) {
    const n = Number(m[1]);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    total += n * unit;
    matched += m[0].length;
  }
  return matched > 0 && matched === text.trim().length ? Math.round(total) : undefined;
}
