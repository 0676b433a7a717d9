// The sequence length a lead byte starts in UTF-8 (0 for a byte that cannot start one: ASCII, a continuation byte,
// the overlong leads 0xC0/0xC1, and 0xF5 and above).
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const LEAD = /[\u00c2-\u00f4]/;
const MIN_CODE_POINT = [0, 0, 0x80, 0x800, 0x10000];

// The code point that the `n` characters at `i` spell as UTF-8 bytes, or -1 when they are not one valid, shortest-form
// sequence. A 2-byte sequence led by 0xDF ("ß") would decode to NKo (U+07C0-U+07FF); German puts ß before », «, ², ³
// and ° far more often than anyone writes NKo, so that one is left alone.
function decodeAt(text: string, i: number, n: number): number {
  if (i + n > text.length) return -1;
  const lead = text.charCodeAt(i);
  if (n === 2 && lead === 0xdf) return -1;
  let cp = lead & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const c = text.charCodeAt(i + k);
    if (c < 0x80 || c > 0xbf) return -1;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < (MIN_CODE_POINT[n] as number) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  return cp;
}

/**
 * Undoes Meta's export encoding, where each UTF-8 byte is written as its own `\u00XX` escape (so `ä` arrives as
 * `Ã¤`), sequence by sequence: every run of characters up to 0xFF that spells one valid multi-byte UTF-8 sequence is
 * decoded, and everything else (ASCII, correct characters, a stray or cut-off byte) is kept as it is. So a string that
 * mixes correct text with mojibake is repaired where it is broken, and correct Latin-1 text is left alone unless a
 * letter happens to be followed by exactly the symbols that would make it a sequence (`ß` never counts; see decodeAt).
 * @example repairMojibake('Gr\u00c3\u00bc\u00c3\u009fe') // 'Grüße'
 */
export function repairMojibake(text: string): string {
  if (!LEAD.test(text)) return text;
  let out = '';
  let kept = 0;
  for (let i = 0; i < text.length; ) {
    const n = sequenceLength(text.charCodeAt(i));
    const cp = n === 0 ? -1 : decodeAt(text, i, n);
    if (cp === -1) {
      i++;
      continue;
    }
    out += text.slice(kept, i) + String.fromCodePoint(cp);
    i += n;
    kept = i;
  }
  return kept === 0 ? text : out + text.slice(kept);
}
