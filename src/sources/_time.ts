// Epoch values below this are seconds, above it milliseconds: 1e11 s is the year 5138, 1e11 ms is March 1973.
const MS_THRESHOLD = 1e11;
// The build reads created_at from 1970 up to the end of 2099 (an age judged at a later "date" would let a minor's post
// through), so a converter quarantines anything later itself, as bad_timestamp, named by the file inside the export.
const MAX_MS = Date.UTC(2100, 0, 1);

function format(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** Converts epoch seconds or milliseconds (fractions allowed) to ISO UTC; null when it is not a plausible time. */
export function epochToIso(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  const ms = value < MS_THRESHOLD ? Math.round(value * 1000) : Math.round(value);
  return ms < MAX_MS ? format(ms) : null;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Normalises an ISO 8601 time that names its zone to ISO UTC; null for anything else (a zoneless time is ambiguous). */
export function isoToIso(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_WITH_ZONE.test(value.trim())) return null;
  const ms = Date.parse(value.trim().replace(' ', 'T'));
  if (!(Number.isFinite(ms) && ms > 0 && ms < MAX_MS)) return null;
  // Date.parse rolls an impossible date or hour over (30 February is 1 March, 24:00 the next day): such a value is
  // not a time the platform wrote, so it is refused rather than moved.
  const [y = 0, mo = 0, d = 0, h = 0] =
    value
      .trim()
      .match(/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})/i)
      ?.slice(1)
      .map(Number) ?? [];
  const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= lastDay && h <= 23)) return null;
  return format(ms);
}
