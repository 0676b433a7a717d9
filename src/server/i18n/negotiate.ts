import { de } from './de.ts';
import { en, type Messages } from './en.ts';

/** The portal's languages. */
export const LANGS = ['de', 'en'] as const;

/** A portal language. */
export type Lang = (typeof LANGS)[number];

/** The message catalogue of a language. */
export function messagesFor(lang: Lang): Messages {
  return lang === 'de' ? de : en;
}

function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/**
 * Picks the language: an explicit choice (query, then cookie) wins; otherwise the best `Accept-Language` match by
 * quality; German when nothing matches, since the portal serves a German-speaking public first.
 */
export function negotiateLang(acceptLanguage: string | undefined, ...explicit: unknown[]): Lang {
  for (const e of explicit) if (isLang(e)) return e;
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const primary = tag?.split('-')[0];
    if (!isLang(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang: primary, q };
  }
  return best?.lang ?? 'de';
}

/** A duration such as "72 hours" or "3 Tagen", in the largest unit that divides it. */
export function formatDuration(ms: number, lang: Lang): string {
  const u = messagesFor(lang).units;
  const steps: [number, readonly string[]][] = [
    [86_400_000, u.day],
    [3_600_000, u.hour],
    [60_000, u.minute],
    [1000, u.second],
  ];
  for (const [size, names] of steps) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${n === 1 ? names[0] : names[1]}`;
    }
  }
  const n = Math.max(1, Math.round(ms / 1000));
  return `${n} ${n === 1 ? u.second[0] : u.second[1]}`;
}

/** A date and time to the minute in the operator's time zone, with the zone named. */
export function formatTime(when: Date | string, lang: Lang, timeZone: string): string {
  return (
    new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone,
    }).format(typeof when === 'string' ? new Date(when) : when) + ` (${zoneName(when, lang, timeZone)})`
  );
}

function zoneName(when: Date | string, lang: Lang, timeZone: string): string {
  const parts = new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone,
    timeZoneName: 'short',
  }).formatToParts(typeof when === 'string' ? new Date(when) : when);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}
