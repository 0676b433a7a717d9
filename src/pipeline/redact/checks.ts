/**
 * Decides, for one candidate string found by the combined pattern, what it becomes. A pure function of the candidate
 * alone, so the JS redactor and the DuckDB path (which sends each distinct candidate here once) agree by construction.
 */
import {
  CANDIDATE_PATTERNS,
  type CandidatePattern,
  DOT_WORD,
  GROUP_SPACE,
  IBAN_SEP,
  IPV4_CONTEXT,
  PHONE_DASH,
  POSTCODE_LABEL,
  PROFILE_HOST,
  REFERENCE_LABEL,
  WORD,
} from './patterns.ts';
import { type PiiType, PLACEHOLDER } from './types.ts';
import { IBAN_LENGTHS, isCardShape, isIPv4, isIPv6Address, isLuhnValid, isNetmask, isValidIban } from './validators.ts';

// A "top-level domain" that is really a file extension (logo@2x.png) or reserved for examples and local names. Not the
// extensions that are also country domains people have addresses in: .md, .py, .rs, .sh.
const NOT_A_TLD = new Set(
  'png jpg jpeg gif svg webp heic bmp ico pdf txt csv json xml yaml yml js mjs ts css html htm zip gz tar rar 7z mp3 mp4 mov avi wav doc docx xls xlsx ppt pptx exe dmg apk rb go java kt local localhost invalid test example tld lan internal'.split(
    ' ',
  ),
);

// "@word" that is code or chat shorthand rather than an account: decorators, annotations, CSS at-rules, group pings.
const NOT_A_HANDLE = new Set(
  'home work everyone here channel all Override Deprecated SuppressWarnings FunctionalInterface Test Before After BeforeEach AfterEach Autowired Bean Component Service Injectable Input Output Entity Table Column Id param return returns throws see since author type types media import keyframes supports charset property staticmethod classmethod dataclass interface'.split(
    ' ',
  ),
);

type Check = (entity: string, lead: string, types: ReadonlySet<PiiType>) => string | null;

/** A space between digit groups (see GROUP_SPACE), and one of those or a hyphen. */
const SPACE = new RegExp(`[${GROUP_SPACE}]`, 'gu');
/** The dashes of a phone number (see PHONE_DASH); the shapes below are written with a hyphen. */
const DASH = new RegExp(`[${PHONE_DASH}]`, 'gu');
/** A phone candidate with plain spaces and hyphens: which space or dash stood between the groups does not matter. */
const plainGroups = (text: string): string => text.replace(SPACE, ' ').replace(DASH, '-');
const GROUP_SEP = new RegExp(`[${GROUP_SPACE}-]`, 'gu');
const isGroupSep = (ch: string | undefined): boolean => (ch !== undefined && GROUP_SPACE.includes(ch)) || ch === '-';

// Words before a spelt-out " at " that make it English or German prose, not an address: "reach me at gmail dot
// com", "sign up at web dot de".
const NOT_A_MAILBOX = new Set(
  'me us you him her it them we i they one someone anyone everyone up in on out here there is are was were be am mail email e-mail write contact reach find sign log online available account accounts address mich mir uns dich dir euch ihn ihm sie es'.split(
    ' ',
  ),
);
const SPELLED_AT = / (?:at|AT) /;

const LETTER = /^\p{L}$/u;

/**
 * The letters at the end of `text`. Not `/\p{L}+$/`: that pattern is tried again from every letter of a run that does
 * not end the text, so a mailbox name of 100,000 letters took seconds, and a record of a few such lines minutes.
 */
function trailingLetters(text: string): string {
  let start = text.length;
  while (start > 0) {
    // One code point back: a letter outside the BMP is a surrogate pair.
    const low = text.charCodeAt(start - 1);
    const high = start > 1 ? text.charCodeAt(start - 2) : 0;
    const from = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? start - 2 : start - 1;
    if (!LETTER.test(text.slice(from, start))) break;
    start = from;
  }
  return text.slice(start);
}

function checkEmail(entity: string, lead: string): string | null {
  const tld = trailingLetters(entity);
  if (NOT_A_TLD.has(tld.toLowerCase())) return null;
  // Spelt out in words (no @ and no bracket): the word before " at " must be able to name a mailbox.
  const spelled = !/[@[({<]/.test(entity) && SPELLED_AT.exec(entity);
  if (spelled && NOT_A_MAILBOX.has(entity.slice(0, spelled.index).split(' ').pop()!.toLowerCase())) return null;
  // "3 @ haus.de", "2.50 @ shop.de", "v1.2 @ github.com": before a spaced @, a count, a price or a version, not a
  // mailbox name, which has two letters or more.
  if (entity.includes(' @ ') && (entity.slice(0, entity.indexOf(' @ ')).match(/\p{L}/gu) ?? []).length < 2) return null;
  return `${lead}${PLACEHOLDER.email}`;
}

/** A separator between IBAN groups (see IBAN_SEP): a group space, a hyphen or a line break. */
const isIbanSep = (ch: string | undefined): boolean => isGroupSep(ch) || ch === '\n' || ch === '\r';
const IBAN_SEP_ALL = new RegExp(`[${GROUP_SPACE}\r\n-]`, 'gu');

/**
 * Longest prefix that is a valid IBAN and ends at a group boundary; the rest (a stray word) is kept. Written in lower
 * case it is the same account; its groups may be split by spaces of any width, by hyphens or by a line break. A
 * candidate that is no IBAN, or whose rest runs on over a line break, gives the lines after the first break back to
 * the other types (see rescan), as if the candidate had stopped there: "DE12 3456\n0170 1234567" keeps its
 * phone number.
 */
function checkIban(entity: string, _lead: string, types: ReadonlySet<PiiType>): string | null {
  const found = validIbanPrefix(entity);
  const br = /\r?\n/.exec(found ?? entity)?.index;
  if (br === undefined) return found;
  if (found !== null) return `${found.slice(0, br)}${rescan(found.slice(br), types)}`;
  return `${resolveCandidate(entity.slice(0, br), types)}${rescan(entity.slice(br), types)}`;
}

function validIbanPrefix(entity: string): string | null {
  const length = IBAN_LENGTHS[entity.slice(0, 2).toUpperCase()];
  if (length === undefined) return null;
  let seen = 0;
  for (let i = 0; i < entity.length; i++) {
    if (!isIbanSep(entity[i])) seen++;
    if (seen === length) {
      const rest = entity.slice(i + 1);
      if (rest !== '' && !isIbanSep(rest[0])) return null;
      const compact = entity
        .slice(0, i + 1)
        .replace(IBAN_SEP_ALL, '')
        .toUpperCase();
      return isValidIban(compact) ? `${PLACEHOLDER.iban}${rest}` : null;
    }
  }
  return null;
}

/** Whole run first, then shorter prefixes ending at a separator, so a card followed by a short number is found. */
function checkCard(entity: string): string | null {
  const ends = [entity.length];
  for (let i = entity.length - 1; i > 0; i--) if (isGroupSep(entity[i])) ends.push(i);
  for (const end of ends) {
    const digits = entity.slice(0, end).replace(GROUP_SEP, '');
    if (digits.length >= 13 && digits.length <= 19 && isCardShape(digits) && isLuhnValid(digits)) {
      return `${PLACEHOLDER.credit_card}${entity.slice(end)}`;
    }
  }
  return null;
}

function checkIPv6(entity: string, lead: string): string | null {
  return isIPv6Address(entity) ? `${lead}${PLACEHOLDER.ip}` : null;
}

const IPV4_CONTEXT_LEAD = new RegExp(`^${IPV4_CONTEXT}$`, 'u');

function checkIPv4(entity: string, lead: string): string | null {
  const [address = '', prefix] = entity.split('/');
  if (!isIPv4(address) || isNetmask(address)) return null;
  // A network (192.168.0.0/24) addresses no host, but a host written with its prefix length (an interface's
  // 192.168.1.20/24, a firewall rule's 85.214.132.117/32) is the host's address: it becomes [ip]/24.
  if (prefix !== undefined && (Number(prefix) > 32 || (Number(prefix) < 32 && isNetwork(address, Number(prefix))))) {
    return null;
  }
  const placeholder = prefix === undefined ? PLACEHOLDER.ip : `${PLACEHOLDER.ip}/${prefix}`;
  // A version or section word before it makes it a version or a section number, unless its first part is 100 or
  // more ("Update 192.168.1.20 erreichbar"): versions and sections count from small numbers, and a version with a
  // three-digit first part has a build number past 255 (120.0.6099.129).
  if (IPV4_CONTEXT_LEAD.test(lead)) return Number(address.split('.')[0]) >= 100 ? `${lead}${placeholder}` : null;
  return `${lead}${placeholder}`;
}

/** True when every bit of `address` past the first `prefixLength` is zero: the address names a network. */
function isNetwork(address: string, prefixLength: number): boolean {
  const value = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const hostSize = 2 ** (32 - prefixLength);
  return value % hostSize === 0;
}

const POSTCODE_LEAD = new RegExp(`^${POSTCODE_LABEL}$`, 'u');
const POSTCODES = /^\d{5}(?: ?[-/] ?\d{5})?/;
const REFERENCE_LEAD = new RegExp(`^${REFERENCE_LABEL}$`, 'u');

function checkPhone(entity: string, lead: string): string | null {
  if (REFERENCE_LEAD.test(lead)) {
    // The reference number after the label stays; a phone number may still follow it ("Auftrag 0123-456789 /
    // 0170 1234567"): the longest rest, after a separator where a new number starts, that is one.
    for (let i = 1; i < entity.length; i++) {
      const sep = PHONE_SPLIT.exec(entity.slice(i));
      if (!sep || !/\d\)?$/.test(entity.slice(0, i))) continue;
      const rest = phoneRun(entity.slice(i + sep[0].length), true);
      if (rest !== null) return `${lead}${entity.slice(0, i)}${sep[0]}${rest}`;
    }
    return null;
  }
  if (POSTCODE_LEAD.test(lead)) {
    // The postcode or postcode range after the label stays; a phone number may still follow it.
    const codes = POSTCODES.exec(plainGroups(entity))?.[0] ?? '';
    const sep = PHONE_SPLIT.exec(entity.slice(codes.length))?.[0];
    if (codes === '' || sep === undefined) return null;
    const rest = phoneRun(entity.slice(codes.length + sep.length));
    return rest === null ? null : `${lead}${entity.slice(0, codes.length)}${sep}${rest}`;
  }
  const found = phoneRun(entity);
  return found === null ? null : `${lead}${found}`;
}

/**
 * `run` with each phone number in it replaced, or null when it holds none. Two numbers in a row ("0170 1234567 /
 * 030 1234567") come as one run of digit groups: when the whole run is too long for one number, it is split where a
 * new number starts (a separator before 0, + or a bracket), and only into parts that are each a number of 10 digits
 * or more: a date range ("01.08.2024 - 15.08.2024") or a reference number in short groups ("0123 4567 0890 1234")
 * stays whole, and is then no phone number at all.
 */
function phoneRun(run: string, part = false): string | null {
  if (isPhoneNumber(run) && (!part || digitCount(run) >= 10)) return PLACEHOLDER.phone;
  for (let i = run.length - 1; i > 0; i--) {
    const sep = PHONE_SPLIT.exec(run.slice(i));
    const head = run.slice(0, i);
    if (!sep || !/\d\)?$/.test(head) || !isPhoneNumber(head) || digitCount(head) < 10) continue;
    const rest = phoneRun(run.slice(i + sep[0].length), true);
    if (rest !== null) return `${PLACEHOLDER.phone}${sep[0]}${rest}`;
  }
  return null;
}

const PHONE_SPLIT = new RegExp(
  `^(?:[${GROUP_SPACE}]?[${PHONE_DASH}/.][${GROUP_SPACE}]?|[${GROUP_SPACE}])(?=[0+(])`,
  'u',
);

function digitCount(text: string): number {
  return text.replace(/\D/g, '').length;
}

const CLOCK = String.raw`(?:[01]?\d|2[0-4])[.:][0-5]\d`;
const CLOCK_RUN = new RegExp(`^${CLOCK}(?: ?[-/] ?${CLOCK})*$`);
const DATE_TIME = new RegExp(String.raw`^\d{1,2}\.\d{1,2}\.(?:\d{2,4})? ?(?:${CLOCK}|\d{4})$`);
const HOUR = String.raw`(?:[01]?\d|2[0-4])`;
const HOUR_RANGES = new RegExp(`^${HOUR} ?- ?${HOUR}(?: ?[/,] ?${HOUR} ?- ?${HOUR})*$`);
// A drawn number is 1 to 99, written with or without a leading 0; a lone 0 is a trunk prefix ("0 30 / 12 34 56 78").
const DRAWN = '(?:0?[1-9]|[1-9]\\d)';
const LOTTERY = new RegExp(`^${DRAWN}(?:(?: ?[-/.] ?| )${DRAWN}){5,}$`);
const LOTTERY_SPACED_HYPHENS = new RegExp(`^${DRAWN}(?: - ${DRAWN})+$`);

/**
 * Groups of one or two digits between spaced hyphens as a draw: six or more (no country writes a number so), or five
 * in rising order up to 50 (Eurojackpot's 05 - 12 - 19 - 27 - 38). Five other groups are a French-style number
 * (06 - 12 - 34 - 56 - 78).
 */
function isSpacedHyphenDraw(entity: string): boolean {
  if (!LOTTERY_SPACED_HYPHENS.test(entity)) return false;
  const n = entity.split(' - ').map(Number);
  return n.length >= 6 || n.length < 5 || n.every((x, i) => x <= 50 && (i === 0 || x > (n[i - 1] as number)));
}
const POSTCODE_RANGE = /^0\d{4} ?[-/] ?0\d{4}$/;

/**
 * Whether `entity` is an ISSN (a journal's number, "ISSN 0317-8471"): two groups of four digits joined by a hyphen,
 * with a valid check digit (weights 8 to 2, modulo 11). A phone number has that shape rarely, and then fails the
 * check ten times in eleven.
 */
function isIssn(entity: string): boolean {
  if (!/^\d{4}-\d{4}$/.test(entity)) return false;
  const d = entity.replace('-', '').split('').map(Number);
  const sum = d.slice(0, 7).reduce((acc, x, i) => acc + x * (8 - i), 0);
  return (11 - (sum % 11)) % 11 === d[7];
}

function isPhoneNumber(spaced: string): boolean {
  const entity = plainGroups(spaced);
  const international = /^\(?(?:\+|00)/.test(entity);
  // A date such as 01.05.2024 has the shape of a short national number, and so has one with an hour after it
  // ("01.05.2024 12:00", of which the pattern takes "01.05.2024 12").
  if (!international && /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?: \d{1,2})?$/.test(entity)) return false;
  if (isIssn(entity)) return false;
  // Clock times and their ranges ("08.00 - 12.00", "07.45-09.12"), a date with a time or year after it
  // ("08.03. 19.30", "08.03.2024 15.30", "08.03. 2024"), and hour ranges ("08 - 12 / 14 - 18"): opening hours and
  // timetables, which a morning hour's leading 0 made look like a national number.
  if (!international && (CLOCK_RUN.test(entity) || DATE_TIME.test(entity) || HOUR_RANGES.test(entity))) return false;
  // Lottery draws ("03 - 12 - 19 - 27 - 38 - 45", "03 12 19 27 38 45"): no country writes a number as six or more
  // groups of one or two digits without a trunk 0 of its own, nor as such groups between spaced hyphens. A postcode range ("01067 - 01328"): a
  // subscriber number never starts with 0.
  if (!international && (LOTTERY.test(entity) || isSpacedHyphenDraw(entity) || POSTCODE_RANGE.test(entity))) {
    return false;
  }
  // A "(0)" after the country code is the national trunk prefix that is not dialled from abroad.
  const digits = (international ? entity.replace('(0)', '') : entity).replace(/\D/g, '');
  const significant = international ? digits.replace(/^00/, '').length : digits.length;
  return international ? significant >= 9 && significant <= 15 : significant >= 8 && significant <= 13;
}

/** The number in a WhatsApp chat link: a country code and the national number, as the link leaves out the +. */
function checkWhatsApp(entity: string, lead: string): string | null {
  const significant = digitCount(entity.replace(/^%2[Bb]/, ''));
  return significant >= 8 && significant <= 15 ? `${lead}${PLACEHOLDER.phone}` : null;
}

// Hosts whose "/@name/" paths are package scopes (unpkg.com/@scope/pkg), not profiles.
const PACKAGE_HOSTS = new Set(['unpkg.com', 'esm.sh', 'npmjs.com', 'jsr.io', 'skypack.dev', 'jspm.dev', 'deno.land']);

const HOST_BEFORE = new RegExp(`^[^${WORD}-]`, 'u');

function checkHandle(entity: string, lead: string): string | null {
  const name = entity.slice(1).split('@')[0] ?? '';
  if (NOT_A_HANDLE.has(name)) return null;
  if (lead.endsWith('/')) {
    // A profile link: youtube.com/@anna, medium.com/@anna/a-post (the path after the handle is kept).
    // The lead is the host and the slash, after the character before the host (if any).
    if (PACKAGE_HOSTS.has(lead.slice(0, -1).replace(HOST_BEFORE, '').toLowerCase())) return null;
    return `${lead}${PLACEHOLDER.handle}${entity.endsWith('/') ? '/' : ''}`;
  }
  if (entity.endsWith('/')) return null; // @scope/package, a path, not a person
  return `${lead}${PLACEHOLDER.handle}`;
}

// The first path part of a profile host's links that is one of the site's own pages, not an account.
const NOT_A_PROFILE = new Set(
  'home explore search i settings intent hashtag share sharer sharer.php notifications messages login logout signup tos privacy compose about help jobs download account accounts p reel reels tv stories direct legal developer web challenge groups events pages watch marketplace gaming photo photo.php photos permalink.php story.php policies business ads notes media video videos fundraisers dialog plugins l.php friends home.php bookmarks terms people s joinchat addstickers addemoji addlist addtheme proxy socks iv c contact setlanguage boost'.split(
    ' ',
  ),
);

/** A profile link without an @: x.com/anna_s becomes x.com/[handle]; x.com/search and other site pages stay. */
function checkProfileLink(entity: string, lead: string): string | null {
  const id = /^profile\.php\?id=/i.exec(entity)?.[0];
  if (id !== undefined) return `${lead}${id}${PLACEHOLDER.handle}`;
  const name = entity.toLowerCase();
  if (NOT_A_PROFILE.has(name) || /\.(?:php|html?|aspx?|jsp)$/.test(name)) return null;
  return `${lead}${PLACEHOLDER.handle}`;
}

const CHECKS: readonly Check[] = [
  checkEmail,
  checkIban,
  checkCard,
  checkIPv6,
  checkIPv4,
  checkPhone,
  checkWhatsApp,
  checkHandle,
  checkProfileLink,
];

interface CompiledCheck {
  type: PiiType;
  anchored: RegExp;
  check: Check;
}

const COMPILED: readonly CompiledCheck[] = CANDIDATE_PATTERNS.map((p: CandidatePattern, i) => ({
  type: p.type,
  anchored: new RegExp(`^(${p.lead})(${p.body})$`, 'u'),
  check: CHECKS[i]!,
}));

/**
 * What a candidate becomes: the first pattern (in priority order, among `types`) that matches the whole candidate and
 * whose check accepts it decides; if none does, the candidate is kept as it is.
 */
export function resolveCandidate(candidate: string, types: ReadonlySet<PiiType>): string {
  for (const c of COMPILED) {
    if (!types.has(c.type)) continue;
    const m = c.anchored.exec(candidate);
    if (!m) continue;
    const replaced = c.check(m[2]!, m[1]!, types);
    if (replaced !== null) return replaced;
  }
  return candidate;
}

/**
 * A cheap pattern that every candidate able to *change* text contains: an @, "[at]" or " dot " (email, handle), two letters,
 * two digits and a group of four (IBAN), a run of 7+ digit-and-separator characters (card, IPv4, phone: each needs at
 * least 8 digits or 4 dotted parts), "::"/":hex:" (IPv6), or a profile link's host and slash (handle). A row
 * without it comes out unchanged, so the SQL path skips it; RE2 runs this as a fast DFA, unlike the Unicode-heavy
 * candidate pattern.
 */
export const PREFILTER_SOURCE = String.raw`@|[\[({<](?:at|AT)[\])}>]| ${DOT_WORD} |[A-Za-z]{2}[0-9]{2}${IBAN_SEP}?[A-Za-z0-9]{4}|[0-9][0-9${GROUP_SPACE}()/.+${PHONE_DASH}]{5,}[0-9]|::|:[0-9A-Fa-f]{1,4}:|${PROFILE_HOST}`;

const RESCAN = new Map<string, RegExp>();

/**
 * `text` with every candidate in it resolved, as the redactor does for a whole text: for the lines that a rejected
 * candidate ran on to. `text` starts with the line break, so that each pattern sees the character before the line.
 */
function rescan(text: string, types: ReadonlySet<PiiType>): string {
  const source = candidateSource(types);
  if (source === null) return text;
  let re = RESCAN.get(source);
  if (re === undefined) {
    re = new RegExp(source, 'gu');
    RESCAN.set(source, re);
  }
  return text.replace(re, (c) => resolveCandidate(c, types));
}

/** The combined candidate pattern for `types` (RE2 and JS alike), or null when no regex-found type is selected. */
export function candidateSource(types: ReadonlySet<PiiType>): string | null {
  const alts = CANDIDATE_PATTERNS.filter((p) => types.has(p.type)).map((p) => `(?:${p.lead}${p.body})`);
  return alts.length === 0 ? null : alts.join('|');
}
