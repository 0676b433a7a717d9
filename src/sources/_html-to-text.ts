const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  zwj: '\u200d',
  zwnj: '\u200c',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
  para: '¶',
  sect: '§',
  times: '×',
  divide: '÷',
  plusmn: '±',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  micro: 'µ',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  ntilde: 'ñ',
  ccedil: 'ç',
  Eacute: 'É',
  oslash: 'ø',
  aring: 'å',
  aelig: 'æ',
};

// Tags that end a paragraph; Mastodon wraps each paragraph in <p>.
const BLOCK = new Set([
  'p',
  'div',
  'blockquote',
  'pre',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'table',
  'tr',
]);
const HIDDEN = new Set(['script', 'style', 'template']);
const PARAGRAPH = '\u0000';

function codePoint(n: number): string {
  const ok = Number.isInteger(n) && n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff);
  return ok ? String.fromCodePoint(n) : '\ufffd';
}

/** Decodes HTML character references: named ones dissent knows, and every decimal or hex numeric one. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,8}|#\d{1,9}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole;
    const hex = ref[1] === 'x' || ref[1] === 'X';
    return codePoint(Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10));
  });
}

/**
 * Turns the small HTML of a Mastodon status into plain text: paragraphs become blank lines, `<br>` a newline, tags
 * are dropped but their text (link text included) is kept, and entities are decoded.
 * @example htmlToText('<p>Hallo &amp; <a href="x">Welt</a></p><p>a<br>b</p>') // 'Hallo & Welt\n\na\nb'
 */
export function htmlToText(html: string): string {
  let out = '';
  let hiddenDepth = 0;
  // An unquoted `<` ends a tag's attributes: a tag that runs on over another `<` was searched to the end of the text
  // from every `<` in it, so that a status of `<a<a<a…` took time in the square of its length (minutes for 2 MB).
  const token = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b(?:[^<>"']|"[^"]*"|'[^']*')*>|[^<]+|</g;
  for (const m of html.matchAll(token)) {
    const [whole, closing, rawTag] = m;
    if (whole.startsWith('<!--')) continue;
    if (rawTag === undefined) {
      if (hiddenDepth === 0) out += decodeEntities(whole.replace(/[ \t\r\n\f]+/g, ' '));
      continue;
    }
    const tag = rawTag.toLowerCase();
    if (HIDDEN.has(tag)) {
      hiddenDepth = Math.max(0, hiddenDepth + (closing ? -1 : 1));
    } else if (tag === 'br') {
      out += '\n';
    } else if (BLOCK.has(tag)) {
      out += PARAGRAPH;
    }
  }
  // Each run of blanks is matched once, from its start: a pattern that begins with `[ \n]*` and fails after it (as
  // `[ \n]*\u0000` does in a run without a paragraph, or `[ \n]+$` in one inside the text) is tried again from every
  // position of the run, which took minutes for a status of many `<br>`.
  return trimBlanks(
    out
      .replace(/\u00a0/g, ' ')
      .replace(/ {2,}/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/[ \n\u0000]+/g, (run) => (run.includes(PARAGRAPH) ? '\n\n' : run)),
  );
}

/** `text` without the spaces and newlines at its start and end. */
function trimBlanks(text: string): string {
  const blank = (i: number) => text[i] === ' ' || text[i] === '\n';
  let start = 0;
  let end = text.length;
  while (start < end && blank(start)) start++;
  while (end > start && blank(end - 1)) end--;
  return text.slice(start, end);
}
