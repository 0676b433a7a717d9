const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes Meta's export encoding, where each UTF-8 byte is written as its own `\u00XX` escape (so `ä` arrives as
 * `Ã¤`). A string is repaired only when every code point is at most 0xFF and the bytes form valid UTF-8 with at least
 * one multi-byte sequence; anything else was correct already and is returned untouched.
 * @example repairMojibake('Gr\u00c3\u00bc\u00c3\u009fe') // 'Grüße'
 */
export function repairMojibake(text: string): string {
  let high = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return text;
    if (c >= 0x80) high = true;
  }
  if (!high) return text;
  try {
    return strictUtf8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}
