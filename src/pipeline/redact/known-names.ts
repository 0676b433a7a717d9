/**
 * Known names (display names of accounts) at scale. A regex alternation of 200k names is out of the
 * question, so both engines do the same three steps: split the text into word tokens, look the tokens up among the
 * names' first tokens, and replace only the names that then occur in the text, with an alternation of those names
 * (longest first) bounded by non-token characters.
 */
import { GROUP_SPACE, WORD } from './patterns.ts';
import { PLACEHOLDER } from './types.ts';

/** A word token: what a name's first token is compared with. Same string in RE2 and JS. */
export const TOKEN_SOURCE = `[${WORD}_]+`;

/** A usable name: starts with a letter or digit, ends with a word character, no regex-special characters but `.`. */
export const NAME_VALID_SOURCE = `^[${WORD}](?:[${WORD}_'’. -]*[${WORD}_])?$`;

/**
 * A name of two or more words (`Anna Schmidt`, `Hans-Peter`), with letters whose upper and lower case JavaScript and
 * DuckDB map alike, one for one (Latin without ß, İ and ŉ; Cyrillic; not Greek, whose final sigma the engines lower
 * differently): such a name is also found in upper case (`ANNA SCHMIDT`). Not in lower case: display names made of
 * ordinary words (`Das Team`, `Sonne Mond`) would take those words in running text. A one-word name is not found in
 * another case at all: `Die` or `Berlin` as display names would take every `DIE` and `BERLIN`.
 */
const CASE_SAFE = `0-9_A-Za-z\u00C0-\u00D6\u00D8-\u00DE\u00E0-\u00F6\u00F8-\u00FF\u0100-\u012F\u0131-\u0148\u014A-\u017F\u0300-\u036F\u0400-\u052F`;
export const CASE_VARIANT_SOURCE = `^[${CASE_SAFE}]+[ '’.-][${CASE_SAFE} '’.-]*$`;

/**
 * The apostrophes a name may be written with: a display name typed as `Sarah O'Connor` is written `Sarah O’Connor` by a
 * phone's smart punctuation and `Sarah O´Connor` with a German keyboard's accent key, and the other way round. A name
 * with an apostrophe is found with each of them.
 */
export const APOSTROPHES = ["'", '’', '´'] as const;
/** The apostrophes a usable name may hold (see NAME_VALID_SOURCE), which the variants replace. */
export const NAME_APOSTROPHE_SOURCE = "['’]";
const NAME_APOSTROPHE = new RegExp(NAME_APOSTROPHE_SOURCE, 'gu');

/** `name` and, when it holds an apostrophe, the same name with each of APOSTROPHES in its place. */
function apostropheVariants(name: string): string[] {
  const variants = APOSTROPHES.map((a) => name.replace(NAME_APOSTROPHE, a));
  return variants.every((v) => v === name) ? [name] : [name, ...variants];
}

/** A name of more than one word token: one with anything but a token character in it. */
const MULTI_WORD = new RegExp(`[^${WORD}_]`, 'u');

/** Placeholders are lower-case words that known_name runs over; a "name" equal to one would rewrite them. */
export const RESERVED_NAMES = ['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'name', 'person'] as const;
const RESERVED = new Set<string>(RESERVED_NAMES);

/**
 * What a display name may carry around the name itself, which is taken off before it is matched: a bracketed part at
 * the end (`Tom Berger (Berlin)`), and symbols or punctuation at either end (`Lena Vogel 🌸`, `✨ Lena`). Same strings
 * in RE2 and JS; the name must then pass NAME_VALID_SOURCE.
 */
export const NAME_SUFFIX_SOURCE = String.raw`(?:[ \t]*[(\[{][^)\]}]*[)\]}])+[ \t]*$`;
export const NAME_DECORATION_SOURCE = String.raw`^[^${WORD}_(\[{]+|[^${WORD}_)\]}]+$`;

const NAME_VALID = new RegExp(NAME_VALID_SOURCE, 'u');
const CASE_VARIANT = new RegExp(CASE_VARIANT_SOURCE, 'u');
const NAME_SUFFIX = new RegExp(NAME_SUFFIX_SOURCE, 'u');
const NAME_DECORATION = new RegExp(NAME_DECORATION_SOURCE, 'gu');

/**
 * The spaces that may stand between the words of a name (as a class body): a typo's double space, a tab, or the
 * NO-BREAK SPACE a phone's keyboard or a word processor puts between a first and a last name. A name is stored with
 * one plain space there and found with any run of these.
 */
export const NAME_SPACE = `\t${GROUP_SPACE}`;
/** A run of NAME_SPACE characters at the start or end of a name (same string in RE2 and JS). */
export const NAME_SPACE_EDGES_SOURCE = `^[${NAME_SPACE}]+|[${NAME_SPACE}]+$`;
/** A run of NAME_SPACE characters inside a name (same string in RE2 and JS). */
export const NAME_SPACE_RUN_SOURCE = `[${NAME_SPACE}]+`;
const NAME_SPACE_EDGES = new RegExp(NAME_SPACE_EDGES_SOURCE, 'gu');
const NAME_SPACE_RUN = new RegExp(NAME_SPACE_RUN_SOURCE, 'gu');
const TOKEN_ALL = new RegExp(TOKEN_SOURCE, 'gu');

/**
 * Takes off decorations at either end and bracketed suffixes, collapses spaces (NAME_SPACE) and trims; returns null for a
 * name that cannot be matched safely (see NAME_VALID_SOURCE).
 */
export function normalizeName(raw: string): string | null {
  const name = raw
    .replace(NAME_DECORATION, '')
    .replace(NAME_SUFFIX, '')
    .replace(NAME_DECORATION, '')
    .replace(NAME_SPACE_EDGES, '')
    .replace(NAME_SPACE_RUN, ' ');
  if ([...name].length < 2 || RESERVED.has(name) || !NAME_VALID.test(name)) return null;
  return name;
}

/**
 * The key a normalised name is looked up by: its first two word tokens joined by a space, or its only token. Two
 * tokens, because a common first name alone would pull thousands of full names into every row that mentions it.
 */
export function lookupKey(name: string): string {
  return (name.match(TOKEN_ALL) ?? [name]).slice(0, 2).join(' ');
}

/**
 * The regex source of one name: only `.` needs escaping after NAME_VALID_SOURCE, and each space stands for any run of
 * NAME_SPACE (`Anna  Schmidt`, `Anna\u00A0Schmidt`).
 */
export function escapeName(name: string): string {
  return name.replaceAll('.', '\\.').replaceAll(' ', NAME_SPACE_RUN_SOURCE);
}

/**
 * What may border a name: any character that is not a token character (see TOKEN_SOURCE), or the start or end of
 * the text, so that a name is only ever replaced as whole words, whatever punctuation, symbol or other script stands
 * next to it.
 */
export const NAME_BORDER = `[^${WORD}_]`;

/**
 * A name of two or more words may carry a German genitive s (`Anna Schmidts Hund`); a one-word name may not, as `Dies`
 * is not the genitive of a display name `Die`. Those names come first: no one-word name is longer than a name of more
 * words that it begins.
 */
function nameAlternatives(escapedNamesLongestFirst: readonly string[], multiWord: readonly boolean[]): string {
  const multi = escapedNamesLongestFirst.filter((_, i) => multiWord[i]);
  const single = escapedNamesLongestFirst.filter((_, i) => !multiWord[i]);
  return [...(multi.length > 0 ? [`(?:${multi.join('|')})s?`] : []), ...single].join('|');
}

/**
 * The JS pattern that replaces the given names (longest first, so that a longer name wins over its own prefix at the
 * same position), as whole words: group 1 is the left border, kept; the right border is looked at, not taken, so that
 * it can be the left border of a name right after (`Anna Ben Carl Dorn` with the names Anna, Carl and Ben Carl Dorn:
 * a taken border made the search go on inside Ben Carl Dorn and replace Carl alone).
 */
export function namesPattern(namesLongestFirst: readonly string[]): string {
  const alts = nameAlternatives(
    namesLongestFirst.map((n) => escapeName(n)),
    namesLongestFirst.map((n) => MULTI_WORD.test(n)),
  );
  return `(^|${NAME_BORDER})(?:${alts})(?=${NAME_BORDER}|$)`;
}

/** Replacement for namesPattern. */
export const NAMES_REPLACEMENT_JS = `$1${PLACEHOLDER.known_name}`;

/** Orders names so that a longer name wins over its own prefix at the same position. */
function byLengthDesc(a: string, b: string): number {
  return b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** An index of known names by lookupKey, with the per-text replacement. */
export class KnownNames {
  readonly #byFirst = new Map<string, string[]>();
  readonly #compiled = new Map<string, RegExp>();

  constructor(names: Iterable<string>) {
    const seen = new Set<string>();
    // Each name as given and in NFC: a name stored with decomposed accents is found in text with composed ones.
    for (const raw of [...names].flatMap((n) => (n.normalize('NFC') === n ? [n] : [n, n.normalize('NFC')]))) {
      const name = normalizeName(raw);
      if (name === null) continue;
      const cased = CASE_VARIANT.test(name) ? [name, name.toUpperCase()] : [name];
      for (const v of cased.flatMap(apostropheVariants)) {
        if (seen.has(v)) continue;
        seen.add(v);
        const key = lookupKey(v);
        const list = this.#byFirst.get(key);
        if (list) list.push(v);
        else this.#byFirst.set(key, [v]);
      }
    }
  }

  /**
   * KnownNames over names already normalised and expanded, each case and apostrophe variant given as a name of its
   * own (as the SQL path's name table holds them): finds in a text exactly what a KnownNames over the names they came
   * from finds, among these variants.
   */
  static ofVariants(variants: Iterable<string>): KnownNames {
    const known = new KnownNames([]);
    for (const v of new Set(variants)) {
      const key = lookupKey(v);
      const list = known.#byFirst.get(key);
      if (list) list.push(v);
      else known.#byFirst.set(key, [v]);
    }
    return known;
  }

  /** Number of usable names. */
  get size(): number {
    let n = 0;
    for (const list of this.#byFirst.values()) n += list.length;
    return n;
  }

  /** Replaces every known name in `text` by the placeholder. */
  redact(text: string): string {
    // Keys present in the text: every token, and every pair of adjacent tokens (what lies between them in the text is
    // what lies between them in a name found there, since neither contains token characters).
    // A two-word name in the genitive (`Anna Schmidts`) is found by its key without the s.
    const found = new Set<string>();
    const tokens = text.match(TOKEN_ALL) ?? [];
    // A name is stored with plain spaces; the text may have any run of NAME_SPACE between its words.
    let spaced: string | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const next = tokens[i + 1];
      const keys =
        next === undefined
          ? [tokens[i]!]
          : [tokens[i]!, `${tokens[i]} ${next}`, ...(next.endsWith('s') ? [`${tokens[i]} ${next.slice(0, -1)}`] : [])];
      for (const key of keys) {
        for (const name of this.#byFirst.get(key) ?? []) {
          spaced ??= text.replace(NAME_SPACE_RUN, ' ');
          if (spaced.includes(name)) found.add(name);
        }
      }
    }
    if (found.size === 0) return text;
    const source = namesPattern([...found].sort(byLengthDesc));
    let re = this.#compiled.get(source);
    if (!re) {
      if (this.#compiled.size > 10_000) this.#compiled.clear();
      re = new RegExp(source, 'gu');
      this.#compiled.set(source, re);
    }
    return text.replace(re, NAMES_REPLACEMENT_JS);
  }
}
