/**
 * Candidate patterns, one per regex-found PII type. Every string here is valid, and means the same, in RE2 (DuckDB)
 * and in JavaScript with the `u` flag: no lookaround, no backreferences, `\b` and `\d` are ASCII in both, explicit
 * letter ranges (LETTER) instead of `\w` or `\p{…}`, and no `.` or `\s` (their meaning differs between the
 * engines). Because RE2 has no lookbehind, a pattern that needs "not preceded by X" consumes that one character as
 * `lead`; the checker puts it back. A pattern only finds candidates; `checks.ts` decides what is really PII.
 */
import type { PiiType } from './types.ts';

/** A regex-found PII type: `lead` is the consumed left context, `body` the candidate itself. */
export interface CandidatePattern {
  type: Exclude<PiiType, 'known_name'>;
  lead: string;
  body: string;
}

/**
 * Letters of the Latin, Greek (polytonic too) and Cyrillic scripts (with combining accents): what counts as a letter. Explicit ranges,
 * not `\p{L}`: RE2 builds its DFA over UTF-8 bytes, and a pattern with several all-script classes blows the DFA's
 * memory and falls back to a ~15x slower NFA. Text in other scripts is treated like punctuation.
 */
export const LETTER =
  'A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0300-\u036F\u0370-\u03FF\u0400-\u052F\u1E00-\u1FFF';

/** Letters and digits: what counts as part of a word (as a class body, without brackets). */
export const WORD = `0-9${LETTER}`;

/**
 * The spaces that may stand between the digit groups of a number (as a class body): a word processor or a phone's
 * keyboard puts a NO-BREAK SPACE or a NARROW NO-BREAK SPACE there to keep a number on one line.
 */
export const GROUP_SPACE = ' \u00A0\u202F';

const EMAIL_LOCAL = `[${WORD}._%+-]+`;
const EMAIL_LABEL = `[${WORD}-]+`;
const EMAIL_DOMAIN = String.raw`${EMAIL_LABEL}(?:\.${EMAIL_LABEL})*\.[${LETTER}]{2,}`;
// A space on both sides of the @ too ("name @ domain.de"), but "Tickets @ eventim.de" or "more @ heise.de" is a word
// and a site: spaced, only a name shaped like a mailbox's (a dot, underscore, plus or digit in it) or any name at a
// mailbox provider. The pattern itself says so, rather than a check: a rejected candidate "Kontakt @ anna.schmidt"
// would swallow the start of the address "anna.schmidt@gmx.de".
// Letters up to the first dot, underscore, plus or digit, so that the pattern splits a long word one way only.
const MAILBOX_NAME = `[${LETTER}%-]*[._+0-9][${WORD}._%+-]*`;
const MAIL_PROVIDERS =
  'gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de arcor.de posteo.de mailbox.org mail.de gmail.com googlemail.com outlook.com outlook.de hotmail.com hotmail.de live.com live.de yahoo.com yahoo.de icloud.com me.com aol.com proton.me protonmail.com protonmail.me proton.com'.split(
    ' ',
  );
/** `domain` as a pattern in any case (GMX.DE, Gmx.de, as a phone's keyboard or caps lock writes it). */
const anyCase = (domain: string): string =>
  domain.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`).replaceAll('.', String.raw`\.`);
const MAILBOX_PROVIDER = String.raw`(?:${MAIL_PROVIDERS.map(anyCase).join('|')})\b`;
const EMAIL_SPACED = `${MAILBOX_NAME} @ ${EMAIL_DOMAIN}|${EMAIL_LOCAL} @ ${MAILBOX_PROVIDER}`;
const EMAIL_PLAIN = `${EMAIL_LOCAL}@${EMAIL_DOMAIN}|${EMAIL_SPACED}`;
// "name [at] domain [dot] de", "name(at)domain.de": people hide addresses from scrapers, but the address is still
// theirs. Nobody writes "(at)" in front of a domain but to spell an address; "(AT)" before a plain domain is Austria
// ("Muster GmbH (AT) www.muster.at"), unless the name before it is shaped like a mailbox's or the domain is a mail
// provider's, as with a spaced @ ("anna.schmidt (AT) web.de", "ANNA (AT) GMX.DE").
// Any of the brackets people put around the word: (at) [at] {at} <at>.
const OPEN_BRACKET = String.raw`[\[({<]`;
const CLOSE_BRACKET = String.raw`[\])}>]`;
const EMAIL_OBFUSCATED = `${EMAIL_LOCAL} ?(?:${OPEN_BRACKET}(?:at|AT)${CLOSE_BRACKET} ?${EMAIL_LABEL}(?: ?${OPEN_BRACKET}(?:dot|DOT|punkt)${CLOSE_BRACKET} ?${EMAIL_LABEL})+|${OPEN_BRACKET}(?:at|AT)${CLOSE_BRACKET} ?${MAILBOX_PROVIDER}|${OPEN_BRACKET}at${CLOSE_BRACKET} ?${EMAIL_DOMAIN})|${MAILBOX_NAME} ?${OPEN_BRACKET}AT${CLOSE_BRACKET} ?${EMAIL_DOMAIN}`;
/** The word that spells a dot in an address: "gmx dot de", "gmx punkt de". */
export const DOT_WORD = '(?:dot|DOT|punkt|Punkt|PUNKT)';
// With every part spelt out in words ("anna at gmx dot de", "anna dot schmidt at gmail dot com"): "at" is a common
// English word, so only before a mail provider's domain spelt out whole ("look at this dot com" and "at the dot com
// peak" stay), and checks.ts keeps the pronouns and verbs that stand before "at" ("reach me at gmail dot com").
// Not me.com, live.com or mail.de, whose first word is an ordinary one.
const SPELLED_PROVIDER = `(?:${MAIL_PROVIDERS.filter((d) => !/^(?:me|live|mail)\./.test(d))
  .map((d) => d.split('.').map(anyCase).join(` ${DOT_WORD} `))
  .join('|')})\\b`;
const EMAIL_SPELLED = `${EMAIL_LOCAL}(?: ${DOT_WORD} ${EMAIL_LOCAL}){0,3} (?:at|AT) ${SPELLED_PROVIDER}`;

/**
 * The dashes that may join the groups of a phone number (as a class body): a hyphen, or the EN DASH that a word
 * processor or a phone's keyboard makes of a spaced hyphen ("0170 – 1234567"). checks.ts reads an en dash as a hyphen.
 */
export const PHONE_DASH = '\\-\u2013';

// Between phone digit groups: one space, or one of - – / . with optional spaces around it.
const PHONE_SEP = `(?:[${GROUP_SPACE}]?[${PHONE_DASH}/.][${GROUP_SPACE}]?|[${GROUP_SPACE}])`;
const PHONE_GROUPS = String.raw`(?:${PHONE_SEP}?(?:\(\d{1,5}\)|\d{1,8})){1,6}`;
// The country code may stand in brackets: (+49) 170 1234567, (0049) 170 1234567.
const PHONE_INTL = String.raw`(?:\(?\+|\(?00)[1-9]\d{0,3}\)?(?:${PHONE_SEP}?\(0\))?${PHONE_GROUPS}`;
// A one-digit area or mobile prefix too, as in France and the Netherlands: 06 12 34 56 78, 06-12345678.
const PHONE_NATIONAL = String.raw`(?:\(0\)\d{2,5}|\(0[1-9]\d{1,4}\)|0[${GROUP_SPACE}]?[1-9]\d{0,4})${PHONE_GROUPS}`;
// North American layouts, which carry no leading + or 0: (555) 123-4567, 555-123-4567, 1-800-555-0199, 415.555.2671,
// and 415 555 2671, three bare groups, only where they are a valid North American number (area code and exchange
// start with 2-9; a count's thousands come in threes); a reference number after its label stays (see REFERENCE_LABEL).
// The long-distance 1 may also come before the dotted, bracketed and spaced layouts (1.800.555.0199,
// 1 (800) 555-0199, 1 800 555 0199), there too with an area code and exchange that start with 2-9.
const NANP_AREA = String.raw`[2-9]\d{2}`;
const PHONE_NANP_1 = String.raw`1\.${NANP_AREA}\.${NANP_AREA}\.|1[${GROUP_SPACE}]\(${NANP_AREA}\)[${GROUP_SPACE}]?\d{3}[-.${GROUP_SPACE}]|1[${GROUP_SPACE}]${NANP_AREA}[-${GROUP_SPACE}]${NANP_AREA}[-${GROUP_SPACE}]`;
const PHONE_NANP = String.raw`(?:${PHONE_NANP_1}|(?:1-\d{3}-|\(\d{3}\)[${GROUP_SPACE}]?|\d{3}-)\d{3}[-.${GROUP_SPACE}]|\d{3}\.\d{3}\.|[2-9]\d{2}[${GROUP_SPACE}][2-9]\d{2}[${GROUP_SPACE}])\d{4}`;

/** What stands before the number in a WhatsApp chat link: `wa.me/`, or a send link's `phone=` parameter. */
const WHATSAPP_QUERY = String.raw`send/?\?(?:[${WORD}_=%.+-]*&)?phone=`;
const WHATSAPP_LINK = String.raw`\b(?:wa\.me/|(?:(?:api|web)\.)?whatsapp\.com/${WHATSAPP_QUERY}|whatsapp://${WHATSAPP_QUERY})`;

/**
 * A profile link that names the account without an @ (twitter.com/anna_s, x.com/anna_s, instagram.com/anna.s,
 * facebook.com/anna.schmidt.123, t.me/anna_s, linkedin.com/in/anna-schmidt): the host (with www., m. or a language
 * subdomain) and the slash, after a character that cannot be in a host.
 */
export const PROFILE_HOST = `(?:(?:www|m|mobile|[a-z]{2}(?:-[a-z]{2})?)\\.)?(?:${['twitter.com', 'x.com', 'instagram.com', 'facebook.com', 'fb.com', 't.me', 'telegram.me'].map(anyCase).join('|')}|${anyCase('linkedin.com')}/in)/`;

/**
 * What may stand between the groups of an IBAN: a space (see GROUP_SPACE), a hyphen, or a line break, where a post
 * or a chat message wraps a long account number ("IBAN: DE89 3704 0044\n0532 0130 00").
 */
export const IBAN_SEP = `(?:[${GROUP_SPACE}-]|\r?\n)`;

/** Words after which five-digit numbers are postcodes: "PLZ 01067 - 14199", "Postleitzahlen: 01067". */
export const POSTCODE_LABEL = String.raw`\b(?:PLZ|[Pp]ostleitzahl(?:en)?|[Pp]ostcodes?|ZIP(?: [Cc]odes?)?|[Zz]ip [Cc]odes?)[: ]+`;

/**
 * Words after which a number is an order, invoice, tracking or other reference number, not one to dial: "Auftrag
 * 0123-456789", "Rechnungsnr. 0815-4711", "Order no. 0123 456789", "Artikelnummer 0123456789012". Whole words only, so
 * that "Kundenservice 0800 1234567" or "Ticket-Hotline 01806 570070" stay phone numbers.
 */
export const REFERENCE_LABEL = String.raw`\b(?:[Aa]uftrag|[Bb]estell(?:ung)?|[Rr]echnung|[Ll]ieferschein|[Aa]rtikel|[Ss]erien|[Ss]endung|[Vv]organg|[Bb]uchung|[Rr]eferenz|[Kk]unden|Kd\.?|[Cc]ustomer|[Oo]rder|[Ii]nvoice|[Tt]racking|[Ss]erial|[Bb]ooking|[Rr]ef|[Tt]icket)(?:s?[ -]?(?:[Nn]ummer|[Nn]r|ID|Id|[Nn]o|[Nn]umber))?[.:]*[${GROUP_SPACE}]+`;

const HEX = '[0-9A-Fa-f]{1,4}';
const IPV6 = String.raw`(?:(?:${HEX}:){7}${HEX}|(?:${HEX}(?::${HEX})*)?::(?:${HEX}(?::${HEX})*)?)(?:\.\d{1,3}){0,3}`;
// Words after which a dotted number is a version or a section, never an address.
// With "auf", "to", "von" or "from" between them too ("Firmware-Update auf 2.1.0.4", "Upgrade to 4.2.1.3").
// Also at the end of a compound (Firmwareversion, Sicherheitsupdate, Unterabschnitt), but "Punkt" only as a word
// of its own: an "Endpunkt" or "Treffpunkt" 85.214.132.117 is an address.
export const IPV4_CONTEXT = String.raw`(?:[Vv]ersion|[Vv]er\.|[Bb]uild|[Rr]elease|[Ff]irmware|[Uu]pdate|[Uu]pgrade|[Pp]atch|[Kk]apitel|[Cc]hapter|[Ss]ections?|[Aa]bschnitt|\b[Pp]unkt|§)[ :]+(?:(?:auf|to|von|from)[ ]+)?`;
const IPV4 = String.raw`\b\d{1,3}(?:\.\d{1,3}){3}(?:\.\d+)*(?:/\d{1,3})?\b`;

/** The candidate patterns in priority order (see ALL_PII_TYPES). */
export const CANDIDATE_PATTERNS: readonly CandidatePattern[] = [
  { type: 'email', lead: `(?:^|[^${WORD}._%+@-])`, body: `(?:${EMAIL_PLAIN}|${EMAIL_OBFUSCATED}|${EMAIL_SPELLED})` },
  // In lower case too (de89 3704 …), in groups split by hyphens (DE89-3704-…), and across a line break (IBAN_SEP).
  {
    type: 'iban',
    lead: '',
    body: String.raw`\b[A-Za-z]{2}\d{2}(?:${IBAN_SEP}?[A-Za-z0-9]{4}){2,7}(?:${IBAN_SEP}?[A-Za-z0-9]{1,3})?\b`,
  },
  { type: 'credit_card', lead: '', body: String.raw`\b[2-6]\d(?:[${GROUP_SPACE}-]?\d){11,17}\b` },
  // After an address label (a whole word) and a colon or equals sign too: "IP:2001:db8::1", "ipv6:fe80::1",
  // "host=::1"; not after any word ("Typ:ab::cd", "MAC:00:1A:…"). That alternative comes first, so that the
  // checker's anchored match of "Adresse:fe80::1" takes "Adresse:" as the lead, not "e" as a hex group.
  {
    type: 'ip',
    lead: String.raw`(?:\b(?:IP|[Ii]p|IPv6|IPV6|ipv6|IP6|ip6|inet6|[Aa]dresse|[Aa]ddress|[Hh]ost|[Ss]erver)[:=]|^|[^${WORD}_:.])`,
    body: IPV6,
  },
  // Also after the one character a phone number's lead takes (below): a zero-padded address (010.001.002.003) has
  // the shape of a national number, whose candidate would otherwise start one character earlier and win.
  { type: 'ip', lead: `(?:${IPV4_CONTEXT}|[^${WORD}_+#/.,-])?`, body: IPV4 },
  {
    type: 'phone',
    // After a phone label (a whole word) and a dot or hyphen too: "Tel.0170/1234567", "Handy-0170 1234567"; not
    // after any word ("Nr.0123456789", "hotel-0123456789.html", "iphone-…") nor a digit (3.14159265).
    // After a postcode label too ("PLZ 01067 - 14199"), which checks.ts then keeps with its postcodes, and after a
    // reference label ("Auftrag 0123-456789"), which it keeps as the order or invoice number it is.
    lead: String.raw`(?:^|[^${WORD}_+#/.,-]|\b(?:[Tt]el|TEL|[Tt]elefon|[Ff]on|[Ff]ax|FAX|[Hh]andy|[Mm]obil|[Pp]hone)[.-]|${POSTCODE_LABEL}|${REFERENCE_LABEL})`,
    body: String.raw`(?:${PHONE_INTL}|${PHONE_NATIONAL}|${PHONE_NANP})\b`,
  },
  // A WhatsApp chat link carries the number without its + or 00 (wa.me/491701234567,
  // api.whatsapp.com/send?phone=491701234567&text=Hallo): the link lead, then the number as the link writes it.
  { type: 'phone', lead: WHATSAPP_LINK, body: String.raw`(?:\+|%2[Bb])?[1-9]\d{6,14}\b` },
  {
    type: 'handle',
    // After a dot that starts a word too: ".@anna_s" (a reply made visible to all); and after a host and a slash, as
    // in a profile link (youtube.com/@anna_s, https://mastodon.social/@anna_s): the link names the person too.
    // The host starts after a character that cannot be in it, so that a long word is not tried from each letter.
    // Right after a hashtag too (#berlin@anna_s), as captions run tags and mentions together.
    lead: String.raw`(?:^|^\.|[^${WORD}_.@/+-]|[ \t\n(]\.|(?:^|[^${WORD}_.@-])[${WORD}-]+(?:\.[${WORD}-]+)*\.[A-Za-z]{2,}/|#[${WORD}_]+)`,
    body: String.raw`@[${LETTER}_][${WORD}_]*(?:\.[${WORD}_]+)*(?:@[${WORD}-]+(?:\.[${WORD}-]+)+)?/?`,
  },
  // A profile link without an @ (see PROFILE_HOST), and Facebook's numbered profile link (profile.php?id=1000…);
  // checks.ts keeps the site's own pages (x.com/search, instagram.com/p/…, facebook.com/groups/…).
  {
    type: 'handle',
    lead: `(?:^|[^${WORD}_.@-])${PROFILE_HOST}`,
    body: String.raw`(?:[pP]rofile\.php\?id=\d+|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)\b`,
  },
];
