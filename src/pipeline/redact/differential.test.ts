/**
 * Differential fuzzing of the two redactors: the JS reference (createRedactor, `dissent redact`) and the SQL path
 * (redactInDuckDB and knownNameChanges, the build) must give the same output for every text. A seeded generator makes
 * names and texts that stress where they could part; a fixed set of seeds runs here, more with DISSENT_FUZZ_SEEDS.
 */
import { describe, expect, it } from 'vitest';
import { useDuckDB, viaDuckDB as viaDuckDBOn } from './_test-duckdb.ts';
import { Gen as BaseGen } from './_test-gen.ts';
import { createRedactor } from './redactor.ts';
import { ALL_PII_TYPES, type PiiType } from './types.ts';

class Gen extends BaseGen {
  /** Whether names are made of random syllables too, for thousands of distinct names. */
  many = false;
}

const FIRST = ['Anna', 'Jan', 'Zoë', 'Jürgen', 'Léa', 'Ole', 'Ida', 'Max', 'Ana', 'Annabel', 'Kai', 'Sarah', 'Liam'];
const LAST = ['Schmidt', 'Weiß', 'Müller', 'Öz', 'Krause', 'Berg', 'Bergmann', 'Vogel', 'Ng', 'Nuñez', 'Łukasz'];
const OTHER_SCRIPT = [
  'Олег',
  'Петров',
  'Οδυσσέας',
  'Ελύτης',
  'Ἀλέξανδρος',
  '中文',
  'محمد',
  'Ёлка',
  'ǅemal',
  'ΣΊΣΥΦΟΣ',
  'İlkay',
  'ŉa',
  'ﬁna',
  'Straße',
];
const APOS = ["'", '’', '´'];
const SPACES = [' ', ' ', ' ', '  ', '\t', '\u00A0', '\u202F', ' \u00A0'];
const FILLER = ['und', 'der', 'ist', 'Dies', 'Die', 'BERLIN', 'sagt', 'mit', 'an', 's', 'schreibt:', 'Hund', 'x', '2'];
// Private-use characters the SQL path uses (or once used) as marks, which a text may hold already.
const MARKS = ['\uE000', '\uE001', '\uE002', '\uE003'];
const PUNCT = [...MARKS, ...'.,:;!?()"„“«»-–/#@_·…'];
const PII = [
  'anna.schmidt@gmx.de',
  'a@b.de',
  'anna (at) gmx.de',
  '0170 1234567',
  '+49 30 1234567',
  '030/1234567',
  'DE89 3704 0044 0532 0130 00',
  'de89370400440532013000',
  '4111 1111 1111 1111',
  '4111\u00A01111\u00A01111\u00A01111',
  '192.168.0.1',
  'fe80::1',
  '10.66.66.2/24',
  '@anna_s',
  '@Anna',
  'x.com/anna_s',
  'wa.me/491701234567',
  '[email]',
  '[name]',
];

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sä', 'to', 'vi', 'ße', 'zo', 'an', 'el', 'be', 'ri'];

/** A made-up word of two to four syllables, capitalised. */
function syllables(g: Gen): string {
  const w = Array.from({ length: 2 + g.int(3) }, () => g.pick(SYLLABLES)).join('');
  return w[0]!.toUpperCase() + w.slice(1);
}

/**
 * A word of a name: mostly Latin, sometimes with decomposed accents, another script, an apostrophe, a hyphen or a dot.
 * With `many`, of made-up words that rarely recur: names that overlap in a text (the last word of one the first of
 * another) part the two engines once more names are found than one SQL pattern holds (see knownNameChanges).
 */
function nameWord(g: Gen): string {
  const first = (): string => (g.many ? syllables(g) : g.pick(FIRST));
  const last = (): string => (g.many ? syllables(g) : g.pick(LAST));
  const r = g.next();
  let w: string;
  if (r < 0.35) w = first();
  else if (r < 0.7) w = last();
  else if (r < 0.8) w = g.many ? syllables(g) : g.pick(OTHER_SCRIPT);
  else if (r < 0.87) w = `${g.pick(['O', 'D', 'd'])}${g.pick(APOS)}${last()}`;
  else if (r < 0.92 && !g.many) w = `${g.pick(['Dr', 'St', 'J', 'A'])}.`;
  else w = `${first()}-${first()}`;
  if (g.chance(0.15)) w = w.normalize('NFD');
  return w;
}

/** A display name as an account may have it: one to three words, sometimes decorated. */
function makeName(g: Gen): string {
  const n = 1 + g.int(3);
  let name = Array.from({ length: n }, () => nameWord(g)).join(g.chance(0.9) ? ' ' : g.pick(SPACES));
  if (g.chance(0.05)) name = `${name} (Berlin)`;
  if (g.chance(0.05)) name = `✨ ${name} 🌸`;
  if (g.chance(0.03)) name = name.toUpperCase();
  return name;
}

/** A list of names, with prefixes of one another (Anna, Anna Schmidt, Anna Schmidt Berg). */
function makeNames(g: Gen, count: number): string[] {
  const names: string[] = [];
  while (names.length < count) {
    const name = makeName(g);
    names.push(name);
    const words = name.split(' ');
    if (words.length > 1 && g.chance(0.3)) names.push(words.slice(0, words.length - 1).join(' '));
    if (g.chance(0.1)) names.push(`${name} ${nameWord(g)}`);
  }
  return names;
}

/** A name as a text may write it: other spaces, case, apostrophe, genitive, composed or not, glued to a word. */
function writeName(g: Gen, name: string): string {
  let w = name.replace(/ (?:\(Berlin\))?|✨ | 🌸/g, (m) => (m === ' ' ? g.pick(SPACES) : m));
  if (g.chance(0.2)) w = w.toUpperCase();
  if (g.chance(0.1)) w = w.toLowerCase();
  if (g.chance(0.2)) w = w.replace(/['’´]/g, () => g.pick(APOS));
  if (g.chance(0.2)) w = `${w}${g.pick(['s', 's', '’s', "'s", 'S'])}`;
  if (g.chance(0.1)) w = w.normalize(g.chance(0.5) ? 'NFC' : 'NFD');
  if (g.chance(0.05)) w = `${w}${g.pick(['berg', 'a', '_x', '2', 'ß'])}`;
  if (g.chance(0.05)) w = `${g.pick(['x', '2', '_', 'Ü'])}${w}`;
  return w;
}

function makeText(g: Gen, names: readonly string[]): string {
  const parts: string[] = [];
  const n = g.int(g.many ? 40 : 14);
  for (let i = 0; i < n; i++) {
    const r = g.next();
    if (r < 0.4) parts.push(writeName(g, g.pick(names)));
    else if (r < 0.55) parts.push(g.pick(FILLER));
    else if (r < 0.7) parts.push(g.pick(PUNCT));
    else if (r < 0.8) parts.push(g.pick(PII));
    else if (r < 0.85) parts.push(nameWord(g));
    else parts.push(g.pick(SPACES));
    // Next to one another, or with a separator.
    if (g.chance(0.7)) parts.push(g.chance(0.7) ? ' ' : g.pick([...SPACES, ...PUNCT, '\n', '', '']));
  }
  let text = parts.join('');
  // Long texts take another path in knownNameChanges.
  if (g.chance(0.08)) text = `${text} ${'lorem ipsum '.repeat(350 + g.int(50))}${text}`;
  return text;
}

const db = useDuckDB();
const viaDuckDB = async (texts: readonly string[], types: readonly PiiType[], names: readonly string[]) =>
  (await viaDuckDBOn(db.conn, texts, types, names)).texts;

/** One seed's batch: its names, its texts, and the texts where the two redactors part, with what each made of them. */
async function run(seed: number, textCount: number, nameCount: number) {
  const g = new Gen(seed);
  g.many = nameCount > 500;
  const names = makeNames(g, nameCount);
  const texts = Array.from({ length: textCount }, () => makeText(g, names));
  const types: PiiType[] = g.chance(0.5) ? [...ALL_PII_TYPES] : ['known_name'];
  const js = createRedactor({ types, knownNames: names });
  const sql = await viaDuckDB(texts, types, names);
  const differences = texts
    .map((text, i) => ({ seed, types, text, js: js.redact(text), sql: sql[i] }))
    .filter((d) => d.js !== d.sql);
  return { names, texts, sql, differences };
}

/** Seeds 1..SEEDS, each 400 texts over 60 names; DISSENT_FUZZ_SEEDS=1000 for a longer search. */
const SEEDS = Number(process.env.DISSENT_FUZZ_SEEDS ?? 40);
/** Seeds with thousands of names, more than one SQL pattern holds (see knownNameChanges). */
const MANY_SEEDS = Number(process.env.DISSENT_FUZZ_MANY ?? 2);

describe('the JS redactor and the SQL path', () => {
  it('give the same output on seeded random texts and names', async () => {
    const differences = [];
    let changed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await run(seed, 400, 60);
      differences.push(...r.differences);
      changed += r.sql.filter((t, i) => t !== r.texts[i]).length;
    }
    expect(differences.slice(0, 5)).toEqual([]);
    // The generator does reach the redactors: most texts hold a name or other PII.
    expect(changed).toBeGreaterThan(SEEDS * 200);
  });

  it('give the same output with more than 2,000 distinct names found', async () => {
    for (let seed = 1001; seed <= 1000 + MANY_SEEDS; seed++) {
      const r = await run(seed, 1000, 4000);
      expect(r.differences.slice(0, 5)).toEqual([]);
      const all = r.texts.join('\n');
      expect(r.names.filter((n) => all.includes(n)).length).toBeGreaterThan(2000);
    }
  });
});
