import type { AccountRow } from '../registry/types.ts';
import { pick, seededRandom } from './random.ts';

const FIRST = [
  'Anna',
  'Lukas',
  'Mia',
  'Leon',
  'Emma',
  'Finn',
  'Hannah',
  'Jonas',
  'Lea',
  'Elias',
  'Sophie',
  'Paul',
  'Marie',
  'Felix',
  'Lena',
  'Maximilian',
  'Laura',
  'Noah',
  'Johanna',
  'Ben',
  'Clara',
  'Jan',
  'Katharina',
  'Tobias',
  'Sabine',
  'Jürgen',
  'Ursula',
  'Dieter',
  'Monika',
  'Klaus',
  'Petra',
  'Stefan',
  'Birgit',
  'Thomas',
  'Ayşe',
  'Mehmet',
  'Özlem',
  'Zoë',
  'Björn',
  'Käthe',
] as const;
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Krüger',
  'Hofmann',
  'Hartmann',
  'Lange',
  'Schmitt',
  'Werner',
  'Krause',
  'Meier',
  'Lehmann',
  'Yılmaz',
  'Kaya',
  'Öztürk',
  'Nowak',
  'Kowalski',
  'Groß',
  'Weiß',
] as const;
/** Mostly German users, some elsewhere in the EU, some outside it (CH, GB, US, TR). */
const COUNTRIES = ['DE', 'DE', 'DE', 'DE', 'DE', 'DE', 'AT', 'FR', 'NL', 'PL', 'IT', 'CH', 'GB', 'US', 'TR'] as const;
const MAIL = ['web.de', 'gmx.de', 't-online.de', 'posteo.de', 'mailbox.org', 'gmail.com'] as const;

function ascii(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue')
    .replaceAll('ß', 'ss')
    .normalize('NFD')
    .replace(/[^a-z]/g, '');
}

/** Options for a generated identity graph. */
export interface IdentityGraphOptions {
  readonly persons: number;
  readonly seed?: number;
  /** Birth dates are drawn relative to this day, so that some persons are minors on it. */
  readonly today?: Date;
}

/**
 * Generates a realistic German identity graph: persons with a facebook account, most also with a linked instagram
 * account, birth dates with about 8% minors and 3% unknown, and countries inside and outside the EU.
 */
export function* generateIdentityGraph(opts: IdentityGraphOptions): Generator<AccountRow> {
  const rand = seededRandom(opts.seed ?? 2025);
  const today = opts.today ?? new Date('2025-05-27T00:00:00Z');
  for (let i = 1; i <= opts.persons; i++) {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const person = `p:${i}`;
    const roll = rand();
    const age = roll < 0.08 ? 13 + Math.floor(rand() * 5) : 18 + Math.floor(rand() * 62);
    const birth = new Date(today.getTime() - (age * 365.25 + rand() * 360) * 86_400_000);
    const birthDate = roll > 0.97 ? null : birth.toISOString().slice(0, 10);
    const country = pick(rand, COUNTRIES);
    const base = `${ascii(first)}.${ascii(last)}${i}`;
    const email = `${base}@${pick(rand, MAIL)}`;
    const common = { person, birth_date: birthDate, country, email };
    yield {
      account: `fb:a:${i}`,
      source: 'facebook',
      handle: base,
      display_name: `${first} ${last}`,
      ...common,
    };
    if (rand() < 0.7) {
      yield {
        account: `ig:a:${i}`,
        source: 'instagram',
        handle: `${ascii(first)}_${ascii(last)}_${i}`,
        display_name: rand() < 0.5 ? `${first} ${last}` : `${first} ${last[0]}.`,
        ...common,
      };
    }
  }
}
