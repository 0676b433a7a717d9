/**
 * Known names (display names and handles of accounts) at scale. A regex alternation of 200k names is out of the
 * question, so both engines do the same three steps: split the text into word tokens, look the tokens up among the
 * names' first tokens, and replace only the names that then occur in the text, with a small per-text alternation
 * (longest name first) bounded by non-word characters.
 */
import { WORD } from './patterns.ts';
import { PLACEHOLDER } from './types.ts';

/** A word token: what a name's first token is compared with. Same string in RE2 and JS. */
export const TOKEN_SOURCE = String.raw`[${WORD}_]+`;

/** A usable name: starts with a letter or digit, ends with a word character, no regex-special characters but `.`. */
export const NAME_VALID_SOURCE = String.raw`^[\p{L}\p{N}](?:[${WORD}_'’. -]*[${WORD}_])?$`;

// Placeholders are lower-case words that known_name runs over; a "name" equal to one would rewrite them.
const RESERVED = new Set(['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'name', 'person']);

const NAME_VALID = new RegExp(NAME_VALID_SOURCE, 'u');
const TOKEN = new RegExp(TOKEN_SOURCE, 'u');

/** Collapses spaces and tabs and trims; returns null for a name that cannot be matched safely (see NAME_VALID_SOURCE). */
export function normalizeName(raw: string): string | null {
  const name = raw.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[ \t]+/g, ' ');
  if ([...name].length < 2 || RESERVED.has(name) || !NAME_VALID.test(name)) return null;
  return name;
}

/** The first word token of a normalised name, the key it is looked up by. */
export function firstToken(name: string): string {
  return TOKEN.exec(name)?.[0] ?? name;
}

/** The regex source of one name: only `.` needs escaping after NAME_VALID_SOURCE. */
export function escapeName(name: string): string {
  return name.replaceAll('.', '\\.');
}

/** Builds the per-text pattern from the names found in it; group 1 and 3 are the boundary characters kept. */
export function namesPattern(escapedNamesLongestFirst: readonly string[]): string {
  return String.raw`(^|[^${WORD}_])(?:${escapedNamesLongestFirst.join('|')})([^${WORD}_]|$)`;
}

/** Replacement for namesPattern in JS syntax. */
export const NAMES_REPLACEMENT_JS = `$1${PLACEHOLDER.known_name}$2`;
/** Replacement for namesPattern in RE2 syntax. */
export const NAMES_REPLACEMENT_RE2 = String.raw`\1${PLACEHOLDER.known_name}\2`;

/** Orders names so that a longer name wins over its own prefix at the same position. */
export function byLengthDesc(a: string, b: string): number {
  return b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** An index of known names by first token, with the per-text replacement. */
export class KnownNames {
  readonly #byFirst = new Map<string, string[]>();
  readonly #compiled = new Map<string, RegExp>();

  constructor(names: Iterable<string>) {
    const seen = new Set<string>();
    for (const raw of names) {
      const name = normalizeName(raw);
      if (name === null || seen.has(name)) continue;
      seen.add(name);
      const key = firstToken(name);
      const list = this.#byFirst.get(key);
      if (list) list.push(name);
      else this.#byFirst.set(key, [name]);
    }
  }

  /** Number of usable names. */
  get size(): number {
    let n = 0;
    for (const list of this.#byFirst.values()) n += list.length;
    return n;
  }

  /** Replaces every known name in `text` by the placeholder (two passes, because a match consumes its right border). */
  redact(text: string): string {
    const found = new Set<string>();
    for (const m of text.matchAll(new RegExp(TOKEN_SOURCE, 'gu'))) {
      for (const name of this.#byFirst.get(m[0]) ?? []) if (text.includes(name)) found.add(name);
    }
    if (found.size === 0) return text;
    const source = namesPattern([...found].sort(byLengthDesc).map(escapeName));
    let re = this.#compiled.get(source);
    if (!re) {
      if (this.#compiled.size > 10_000) this.#compiled.clear();
      re = new RegExp(source, 'gu');
      this.#compiled.set(source, re);
    }
    return text.replace(re, NAMES_REPLACEMENT_JS).replace(re, NAMES_REPLACEMENT_JS);
  }
}
