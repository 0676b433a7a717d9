import { RefusedError } from '../shared/errors.ts';

// Bidirectional and narrow-space marks that iOS exports put around dates and names.
const MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const SPACES = /[\u202f\u00a0\u2007]/g;
const TIME = String.raw`\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?: ?[aApP]\.? ?[mM]\.?)?`;
const DATE = String.raw`\d{1,4}[./-]\d{1,2}[./-]\d{1,4}`;
/** Android: `31/12/2020, 21:41 - Name: text` (also `31.12.20, 21:41 - ` and US `12/31/20, 9:41 PM - `). */
const ANDROID = new RegExp(String.raw`^${DATE},? ${TIME} [-–] \S`);
/** iOS: `[31.12.20, 21:41:05] Name: text`. */
const IOS = new RegExp(String.raw`^\[${DATE},? ${TIME}\] \S`);
/** The end-to-end-encryption notice WhatsApp puts at the top of every chat, in the languages it is exported in. */
const E2EE_NOTICE =
  /end-to-end|ende-zu-ende|de bout en bout|de extremo a extremo|de ponta a ponta|crittografat|uçtan uca|сквозн|端到端|エンドツーエンド|종단간|شفير تام|מוצפנות|szyfrowane/i;

/** True for file names WhatsApp gives its chat exports (`_chat.txt`, `WhatsApp Chat with X.txt`, German too). */
export function isWhatsAppFileName(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === '_chat.txt' || /^WhatsApp[ -]Chat/i.test(name);
}

/**
 * Recognises a WhatsApp chat export by its first lines: Android or iOS line formats (with the U+200E/U+202F marks
 * removed), or a line in that format carrying the end-to-end-encryption notice in any common language.
 */
export function looksLikeWhatsApp(head: string): boolean {
  const lines = head
    .replace(MARKS, '')
    .replace(SPACES, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 40);
  let hits = 0;
  for (const line of lines) {
    if (!ANDROID.test(line) && !IOS.test(line)) continue;
    hits++;
    if (E2EE_NOTICE.test(line)) return true;
  }
  return hits >= 2 || (hits === 1 && lines.length === 1);
}

/** The error every WhatsApp input ends in: its chats are end-to-end encrypted and are never read. */
export function refuseWhatsApp(detectedInside?: string): RefusedError {
  const found = detectedInside ? `the ${detectedInside} input contains a WhatsApp chat export. ` : '';
  const fix = detectedInside ? ' Remove the chat export from the input and run again.' : '';
  return new RefusedError(
    `${found}WhatsApp chats are end-to-end encrypted, refused: dissent never reads or keeps their messages.${fix}`,
    'E_E2EE',
  );
}
