/**
 * Differential fuzzing of known_name alone, aimed at how knownNameChanges splits the rows: most by plain substring
 * replacement in SQL (names that share no word, only single plain spaces, no marks), the others by KnownNames in JS,
 * in batches. Names are drawn from a few words, so that they share words, begin one another, repeat a word or end in
 * a word another one has in the genitive; texts write them in every way the redactors must treat alike. More seeds
 * with DISSENT_FUZZ_SEEDS.
 */
import { describe, expect, it } from 'vitest';
import { useDuckDB, viaDuckDB } from './_test-duckdb.ts';
import { Gen } from './_test-gen.ts';
import { createRedactor } from './redactor.ts';
import type { PiiType } from './types.ts';

/**
 * Few words, with genitive pairs (Ben, Bens), words ending in s, a word that begins another (Ann, Anna: a name such as
 * "Anna Ann" begins with its own end), digits, underscores, accents and other scripts.
 */
const WORDS = [
  'Anna',
  'Annas',
  'Ann',
  'Ben',
  'Bens',
  'Carl',
  'Ha',
  'Jens',
  'Schmidt',
  'Schmidts',
  'Zoë',
  'Jürgen',
  'Łukasz',
  'Ὀδυσσεύς',
  'Οδυσσέας',
  'Олег',
  'Петров',
  'Ёлка',
  'Max2',
  'Kai_B',
  'O',
  'D',
  'Dr',
  'St',
];
/** What stands between the words of a name as stored. */
const NAME_SEPARATORS = [' ', ' ', ' ', ' ', '-', "'", '’', '. ', '.'];
/** Spaces a text may write between a name's words; odd ones send a row to KnownNames. */
const ODD_SPACES = ['  ', '\t', '\u00A0', '\u202F', ' \u00A0'];
const APOS = ["'", '’', '´'];
const PUNCT = [...'.,:;!?()"„“«»-–/#@·…→§×'];
const PII = ['anna.schmidt@gmx.de', 'a@b.de', '@anna_s', '@Anna', '0170 1234567', '+49 30 1234567', '[name]'];
const MARKS = ['\uE002', '\uE003'];

function makeName(g: Gen, words: readonly string[]): string {
  const n = 1 + g.int(3);
  let name = g.pick(words);
  for (let i = 1; i < n; i++)
    name += g.pick(NAME_SEPARATORS) + (g.chance(0.15) ? name.split(/[^\p{L}\p{N}_]+/u).at(-1) : g.pick(words));
  if (g.chance(0.1)) name = name.normalize('NFD');
  if (g.chance(0.05)) name = name.toUpperCase();
  if (g.chance(0.03)) name = `✨ ${name} (Kiel)`;
  return name;
}

/** A name as a text writes it: with odd spaces, in upper case, another apostrophe, a genitive, NFC or NFD, glued. */
function writeName(g: Gen, name: string, odd: boolean): string {
  let w = name.replace(/ \(Kiel\)|✨ /g, '');
  if (odd) w = w.replace(/ /g, () => (g.chance(0.5) ? g.pick(ODD_SPACES) : ' '));
  if (g.chance(0.15)) w = w.toUpperCase();
  if (g.chance(0.2)) w = w.replace(/['’´]/g, () => g.pick(APOS));
  if (g.chance(0.25)) w += g.pick(['s', 's', '’s', "'s", 'S']);
  if (g.chance(0.1)) w = w.normalize(g.chance(0.5) ? 'NFC' : 'NFD');
  if (g.chance(0.04)) w += g.pick(['berg', '2', '_x', 'ß', 'α']);
  if (g.chance(0.04)) w = g.pick(['x', '2', '_', 'Ü', 'я']) + w;
  return w;
}

/** A text: names next to one another or to punctuation and other PII, sometimes over 4,096 bytes or with marks. */
function makeText(g: Gen, names: readonly string[]): string {
  const odd = g.chance(0.15);
  const parts: string[] = [];
  const n = 1 + g.int(10);
  for (let i = 0; i < n; i++) {
    const r = g.next();
    if (r < 0.55) {
      const name = g.pick(names);
      // Its own first word before it ("Anna Anna Ann"): where a name can occur twice over one another.
      if (g.chance(0.1)) parts.push(`${name.split(/[^\p{L}\p{N}_]+/u)[0]} `);
      parts.push(writeName(g, name, odd));
    } else if (r < 0.7) parts.push(g.pick(WORDS));
    else if (r < 0.8) parts.push(g.pick(PUNCT));
    else if (r < 0.9) parts.push(g.pick(PII));
    else parts.push(g.pick(['und', 'sagt', 's', 'Hund', 'x', '2']));
    const r2 = g.next();
    if (r2 < 0.6) parts.push(' ');
    else if (r2 < 0.7) parts.push(odd ? g.pick(ODD_SPACES) : ' ');
    else if (r2 < 0.9) parts.push(g.pick(PUNCT));
    else if (r2 < 0.95) parts.push('\n');
    // else nothing: glued to what follows
  }
  let text = parts.join('');
  if (g.chance(0.02)) text = g.pick(MARKS) + text;
  if (g.chance(0.05)) text = `${text} ${'lorem ipsum '.repeat(350)}${text}`;
  return text;
}

const db = useDuckDB();

/** The texts where the two redactors part, with what each made of them, and how many texts they changed. */
async function differences(texts: readonly string[], names: readonly string[], types: readonly PiiType[]) {
  const js = createRedactor({ types, knownNames: names });
  const { texts: sql } = await viaDuckDB(db.conn, texts, types, names);
  const both = texts.map((text, i) => ({ text, js: js.redact(text), sql: sql[i] }));
  return { differing: both.filter((d) => d.js !== d.sql), changed: both.filter((d) => d.sql !== d.text).length };
}

const SEEDS = Number(process.env.DISSENT_FUZZ_SEEDS ?? 30);

describe('known_name in the build and in dissent redact', () => {
  it(
    'agree on names that share words, begin one another or overlap through a genitive',
    async () => {
      const found = [];
      let changed = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const g = new Gen(seed);
        const names = Array.from({ length: 4 + g.int(12) }, () => makeName(g, WORDS));
        const texts = Array.from({ length: 200 }, () => makeText(g, names));
        const types: PiiType[] = g.chance(0.3) ? ['email', 'handle', 'phone', 'known_name'] : ['known_name'];
        const r = await differences(texts, names, types);
        found.push(...r.differing.map((d) => ({ seed, names, ...d })));
        changed += r.changed;
      }
      expect(found.slice(0, 3)).toEqual([]);
      // The generator does reach the redactor: most texts hold a name.
      expect(changed).toBeGreaterThan(SEEDS * 100);
    },
    60_000 + SEEDS * 500,
  );

  it('agree with thousands of rows for KnownNames and thousands of distinct names found', async () => {
    const g = new Gen(4242);
    // Made-up words: 3,000 names, most of which a text holds; each text holds several, and many share a word.
    const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sä', 'to', 'vi', 'ze', 'an', 'el', 'bo'];
    const word = () => {
      const w = Array.from({ length: 3 + g.int(2) }, () => g.pick(syllables)).join('');
      return w[0]!.toUpperCase() + w.slice(1);
    };
    const pool = Array.from({ length: 1500 }, word);
    const names = Array.from({ length: 3000 }, () => makeName(g, pool));
    const texts = Array.from({ length: 6000 }, () => makeText(g, names));
    // Over 4,000 of these rows go to KnownNames (odd spaces, names that share a word), in three batches.
    expect((await differences(texts, names, ['known_name'])).differing).toEqual([]);
    const all = texts.join('\n');
    expect(names.filter((n) => all.includes(n)).length).toBeGreaterThan(2000);
  });
});
