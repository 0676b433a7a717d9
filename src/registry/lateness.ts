import type { Programme } from '../config/config.ts';

/** Programmes an objection to `programme` covers today: one, or all for `*`. */
export function coveredProgrammes(programme: string, programmes: readonly Programme[]): Programme[] {
  return programme === '*' ? [...programmes] : programmes.filter((p) => p.id === programme);
}

/**
 * Whether an objection submitted at `submittedAt` is late for each programme it covers. Lateness is never stored:
 * it follows from the submission time and each programme's deadline.
 */
export function lateness(
  programme: string,
  submittedAt: string,
  programmes: readonly Programme[],
): Record<string, boolean> {
  const t = Date.parse(submittedAt);
  return Object.fromEntries(coveredProgrammes(programme, programmes).map((p) => [p.id, t > p.deadline.getTime()]));
}
