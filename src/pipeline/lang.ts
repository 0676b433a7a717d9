const DE = [
  'der',
  'die',
  'das',
  'und',
  'ist',
  'nicht',
  'ich',
  'du',
  'wir',
  'sie',
  'mit',
  'auf',
  'ein',
  'eine',
  'den',
  'dem',
  'zu',
  'von',
  'auch',
  'es',
  'aber',
  'noch',
  'wie',
  'hat',
  'wer',
  'sich',
];
const EN = [
  'the',
  'and',
  'is',
  'not',
  'you',
  'we',
  'with',
  'on',
  'an',
  'of',
  'to',
  'in',
  'it',
  'but',
  'this',
  'that',
  'are',
  'was',
  'have',
  'for',
  'does',
  'just',
  'my',
];

/**
 * How much of a text its language is guessed from: a record's beginning says it as well as the whole, and the list of
 * every function word of a 100 KB chat (some 20,000 strings), for each of the 2,048 rows the engine works on at a
 * time, ran the build out of its memory.
 */
export const LANG_SAMPLE_CHARS = 4096;

/** An SQL expression listing the German and English function words of a text's beginning (one regexp pass). */
export function langWordsSql(text: string): string {
  return `regexp_extract_all(lower(left(${text}, ${LANG_SAMPLE_CHARS})), '\\b(?:${[...DE, ...EN].join('|')})\\b')`;
}

/**
 * An SQL expression guessing the language from the words of langWordsSql: `de`, `en` or `und` (undetermined). Good
 * enough to let training filter by language; not a full language identifier.
 */
export function langFromWordsSql(words: string): string {
  const de = `len(list_filter(${words}, x -> x IN (${DE.map((w) => `'${w}'`).join(', ')})))`;
  return `CASE WHEN len(${words}) = 0 THEN 'und' WHEN ${de} * 2 >= len(${words}) THEN 'de' ELSE 'en' END`;
}
