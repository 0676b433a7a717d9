/**
 * A reference model of `dissent build`'s reasons, written from docs/policy.md and docs/building.md (not from the SQL),
 * and a generator of small seeded worlds to compare the build with. Test-only.
 */
import { seededRandom } from '../../src/demo/random.ts';
import { EEA_COUNTRIES, EU_COUNTRIES } from '../../src/policy/schema.ts';

/** A seeded pseudo-random source (mulberry32): the same seed gives the same world. */
export class Rng {
  /** A float in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** A non-empty random subset, in the order given. */
  subset<T>(items: readonly T[], p = 0.5): T[] {
    const s = items.filter(() => this.chance(p));
    return s.length > 0 ? s : [this.pick(items)];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** An account of the identity graph, as imported. */
export interface Account {
  account: string;
  person: string;
  source: string;
  handle: string;
  display_name: string;
  birth_date: string | null;
  country: string | null;
}

/** One piece of a record's text: a plain word, an account's @handle or an account's display name, in some case. */
export type Segment = (
  | { kind: 'word'; text: string }
  | { kind: 'handle'; account: string; form: 'as' | 'upper' | 'mixed' }
  | { kind: 'name'; account: string; form: 'as' | 'upper' | 'lower' | 'mixed' }
) & {
  /** Punctuation right after it (a comma, a full stop, a closing bracket), or none. */
  after?: string;
};

/** A canonical record, with its text kept as segments so that the model can say what redaction makes of it. */
export interface Rec {
  id: string;
  source: string;
  kind: string;
  account: string;
  created_at: string;
  visibility: string;
  e2ee: boolean;
  participants: string[];
  segments: Segment[];
  /** Whitespace between segments (one entry fewer than segments), and before and after the text. */
  seps: string[];
  lead: string;
  trail: string;
  /** Whether the text is written out or null (e2ee only). */
  nullText: boolean;
}

/** A registry operation as the generator makes it, in order; `afterCut` ones are filed after the build pinned its cut. */
export type Op =
  | {
      op: 'object';
      subject: string;
      accountOnly: boolean;
      programme: string;
      afterCut: boolean;
    }
  | { op: 'withdraw'; subject: string; accountOnly: boolean; programme: string; afterCut: boolean }
  /** A web objection waiting for its confirmation (not in the log), confirmed later by a `confirm` naming its op index. */
  | { op: 'pending'; subject: string; accountOnly: boolean; programme: string; afterCut: boolean }
  | { op: 'confirm'; pending: number; afterCut: boolean }
  | { op: 'move'; accounts: Account[]; afterCut: boolean };

/** One input file: JSONL, gzipped JSONL or Parquet (created_at as a string column, or as TIMESTAMPTZ). */
export interface InputFile {
  format: 'jsonl' | 'gz' | 'parquet';
  timeColumn: 'VARCHAR' | 'TIMESTAMPTZ' | 'TIMESTAMP';
  lines: (Rec | string)[];
}

/** Everything a build needs, and everything the model reads. */
export interface World {
  seed: number;
  programme: string;
  otherProgramme: string;
  /** The programme's own jurisdictions in dissent.config.yaml. */
  programmeJurisdictions: string[];
  policy: {
    sources: string[];
    kinds: string[];
    visibility: string[];
    min_age: number;
    jurisdictions: string[];
    participants: 'redact' | 'drop' | 'keep';
    pii: string[];
    dedup: 'exact' | 'none';
  };
  /** The identity graph imported before any operation. */
  accounts: Account[];
  ops: Op[];
  /** Input files, each a list of lines: a record, or a raw (bad) line (JSONL only). */
  files: InputFile[];
}

/** The policy as YAML. */
export function policyYaml(p: World['policy']): string {
  const list = (xs: readonly (string | number)[]) => `[${xs.join(', ')}]`;
  return [
    `sources: ${list(p.sources)}`,
    `kinds: ${list(p.kinds)}`,
    `visibility: ${list(p.visibility)}`,
    `min_age: ${p.min_age}`,
    `jurisdictions: ${list(p.jurisdictions)}`,
    `participants: ${p.participants}`,
    `pii: ${list(p.pii)}`,
    `dedup: ${p.dedup}`,
    '',
  ].join('\n');
}

/** A handle or name as a segment writes it: as in the graph, in upper or lower case, or in alternating case. */
function spelt(base: string, form: 'as' | 'upper' | 'lower' | 'mixed'): string {
  if (form === 'upper') return base.toUpperCase();
  if (form === 'lower') return base.toLowerCase();
  if (form === 'as') return base;
  // `@uSeR2`: only letters whose other case is one letter too (ß stays ß), so that the text keeps its length.
  return [...base]
    .map((c, i) => {
      const other = i % 2 === 0 ? c.toLowerCase() : c.toUpperCase();
      return [...other].length === 1 ? other : c;
    })
    .join('');
}

/** The text of a record as written in the input. */
export function recordText(r: Rec, accounts: ReadonlyMap<string, Account>): string | null {
  if (r.nullText) return null;
  const parts = r.segments.map((s) => {
    if (s.kind === 'word') return s.text + (s.after ?? '');
    const a = accounts.get(s.account) as Account;
    const base = s.kind === 'handle' ? `@${a.handle}` : a.display_name;
    return spelt(base, s.form) + (s.after ?? '');
  });
  return r.lead + parts.map((p, i) => (i === 0 ? p : `${r.seps[i - 1]}${p}`)).join('') + r.trail;
}

/** The record as one canonical JSONL object. */
export function recordJson(r: Rec, accounts: ReadonlyMap<string, Account>): Record<string, unknown> {
  return {
    id: r.id,
    source: r.source,
    kind: r.kind,
    account: r.account,
    created_at: r.created_at,
    visibility: r.visibility,
    e2ee: r.e2ee,
    text: recordText(r, accounts),
    participants: r.participants,
    parent: null,
  };
}

const WORDS = [
  'heute', 'Sonne', 'Regen', 'Berlin', 'Kaffee', 'Fahrrad', 'Konzert', 'Garten', 'lesen', 'Buch', 'schön', 'Straße',
  'Grüße', 'Wetter', 'morgen', 'Abend', 'Freunde', 'Urlaub', 'Meer', 'Berge', 'Kuchen', 'Hund', 'Katze', 'Musik',
  'Frühling', 'Zug', 'spät', 'wieder', 'great', 'weekend', 'coffee', 'river', 'ÄPFEL', 'Öl', 'Übung',
]; // biome-ignore format: a list reads better
const NAME_A = ['Zorvak', 'Quindel', 'Marvosh', 'Telkaro', 'Brisund', 'Oskevar', 'Ylandra', 'Fenwisk', 'Jorumel'];
const NAME_B = ['Ptarnik', 'Holzwend', 'Ekkerlin', 'Vossgard', 'Ubrelius', 'Strandholm', 'Kezmiral'];
const ACCOUNT_SOURCES = ['facebook', 'instagram', 'assistant', 'mastodon'];
const RECORD_SOURCES = ['facebook', 'instagram', 'assistant', 'mastodon', 'messenger'];
const POLICY_KINDS = ['post', 'comment', 'caption', 'story', 'assistant_chat'];
const RECORD_KINDS = [...POLICY_KINDS, 'message', 'reel'];
const VISIBILITY = ['public', 'unlisted', 'followers', 'friends', 'private'];
const COUNTRIES = [
  'DE',
  'DE',
  'DE',
  'FR',
  'FR',
  'AT',
  'AT',
  'NL',
  'IT',
  'PL',
  'NO',
  'IS',
  'LI',
  'CH',
  'GB',
  'US',
  null,
];
/** White space as texts have it: typed, pasted from a web page (no-break), or from a phone (narrow no-break). */
const SPACES = [' ', '  ', '\t', ' \n ', '\u00a0', ' \u00a0', '\u202f', '\u2003', '\u3000', '\v', '\u0085', '\r\n'];
const PII = ['email', 'phone', 'iban', 'credit_card', 'ip', 'handle', 'known_name'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

/** A world of a few hundred records (times `scale`), dozens of persons and their objections, from a seed. */
export function generateWorld(seed: number, scale = 1): World {
  const rng = new Rng(seed);
  const programme = 'ai-training-2025';
  const otherProgramme = 'other-2025';

  const policy: World['policy'] = {
    sources: rng.subset(ACCOUNT_SOURCES, 0.7),
    kinds: rng.subset(POLICY_KINDS, 0.7),
    visibility: rng.chance(0.7) ? ['public'] : rng.subset(VISIBILITY, 0.4),
    min_age: rng.pick([18, 18, 16, 21, 0]),
    jurisdictions: rng.pick([['EU'], ['EEA'], ['DE', 'AT', 'CH'], ['EU', 'CH'], ['FR', 'NO']]),
    participants: rng.pick(['redact', 'redact', 'drop', 'keep'] as const),
    pii: rng.chance(0.5) ? [...PII] : PII.filter(() => rng.chance(0.5)),
    dedup: rng.chance(0.8) ? 'exact' : 'none',
  };

  // Persons and their 1-3 linked accounts.
  const accounts: Account[] = [];
  const nPersons = rng.int(20, 40) * scale;
  const names = new Set<string>();
  for (let p = 1; p <= nPersons; p++) {
    const person = `p:${p}`;
    const birth = birthDate(rng);
    const country = rng.pick(COUNTRIES);
    // Namesakes now and then: two persons may share a display name.
    let name = `${rng.pick(NAME_A)} ${rng.pick(NAME_B)}`;
    if (!rng.chance(0.1))
      for (let k = 0; names.has(name) && k < 20; k++) name = `${rng.pick(NAME_A)} ${rng.pick(NAME_B)}`;
    names.add(name);
    const n = rng.int(1, 3);
    for (let k = 1; k <= n; k++) {
      accounts.push({
        account: `${rng.pick(['fb', 'ig', 'as', 'md'])}:a:${p}-${k}`,
        person,
        source: rng.pick(ACCOUNT_SOURCES),
        handle: `h${p}x${k}${rng.pick(['', 'q', 'zz'])}`,
        // Mostly one name for all of a person's accounts, as an account centre shows it.
        display_name: k > 1 && rng.chance(0.2) ? `${rng.pick(NAME_A)} ${rng.pick(NAME_B)}` : name,
        birth_date: rng.chance(0.1) ? birthDate(rng) : birth,
        country: rng.chance(0.1) ? rng.pick(COUNTRIES) : country,
      });
    }
  }

  // Registry operations. The generator keeps its own idea of what is in force only to make withdrawals that name an
  // effective objection; the model folds the log events from the operations themselves.
  const ops: Op[] = [];
  const graph = new Map(accounts.map((a) => [a.account, { ...a }]));
  const effective = new Set<string>();
  const personOf = (subject: string) => graph.get(subject)?.person ?? subject;
  const persons = [...new Set(accounts.map((a) => a.person))];
  const nOps = rng.int(6, 30) * scale;
  let afterCut = false;
  let moved = false;
  const confirms: { at: number; pending: number }[] = [];
  const graphAtPending = new Map<number, { scope: string; subject: string }>();
  for (let i = 0; i < nOps; i++) {
    if (!afterCut && i > nOps * 0.8 && rng.chance(0.5)) afterCut = true;
    for (const c of confirms.filter((x) => x.at === i)) {
      const p = ops[c.pending] as Extract<Op, { op: 'pending' }>;
      ops.push({ op: 'confirm', pending: c.pending, afterCut });
      // The generator's own idea of what is in force, for its withdrawals: the pending objection's subject as filed.
      const filed = graphAtPending.get(c.pending) as { scope: string; subject: string };
      effective.add(key(filed.scope, filed.subject, p.programme));
    }
    const person = rng.pick(persons);
    const own = [...graph.values()].filter((a) => a.person === person);
    // A person whose accounts all moved away is no subject the registry knows any more.
    if (own.length === 0) continue;
    const roll = rng.next();
    if (roll < 0.55) {
      const accountOnly = own.length > 0 && rng.chance(0.25);
      const subject = accountOnly || (own.length > 0 && rng.chance(0.6)) ? rng.pick(own).account : person;
      const prog = rng.chance(0.55) ? '*' : rng.chance(0.75) ? programme : otherProgramme;
      ops.push({ op: 'object', subject, accountOnly, programme: prog, afterCut });
      effective.add(key(accountOnly ? 'account' : 'person', accountOnly ? subject : personOf(subject), prog));
    } else if (roll < 0.8) {
      const mine = [...effective].filter((k) => {
        const [scope, subject] = k.split('\u0000');
        return scope === 'account' ? graph.get(subject as string)?.person === person : subject === person;
      });
      if (mine.length === 0) continue;
      const [scope, subject, prog] = rng.pick(mine).split('\u0000') as [string, string, string];
      const name = scope === 'account' ? subject : rng.chance(0.5) && own.length > 0 ? rng.pick(own).account : subject;
      ops.push({ op: 'withdraw', subject: name, accountOnly: scope === 'account', programme: prog, afterCut });
      effective.delete(key(scope, subject, prog));
    } else if (roll < 0.9 || moved) {
      const accountOnly = rng.chance(0.2);
      const subject = accountOnly || rng.chance(0.5) ? rng.pick(own).account : person;
      const prog = rng.pick(['*', programme]);
      ops.push({ op: 'pending', subject, accountOnly, programme: prog, afterCut });
      graphAtPending.set(ops.length - 1, {
        scope: accountOnly ? 'account' : 'person',
        subject: accountOnly ? subject : personOf(subject),
      });
      // Most are confirmed, some at once, some after other operations (a move of the account, say).
      if (rng.chance(0.7)) confirms.push({ at: i + rng.int(0, 6), pending: ops.length - 1 });
    } else {
      // Re-import: one or two accounts now belong to another (maybe new) person.
      moved = true;
      const changed = rng.shuffle([...graph.values()]).slice(0, rng.int(1, 2));
      const rows = changed.map((a) => ({ ...a, person: rng.chance(0.5) ? rng.pick(persons) : `p:new${i}` }));
      for (const r of rows) graph.set(r.account, r);
      ops.push({ op: 'move', accounts: rows, afterCut });
    }
  }

  // Records: by accounts of the graph, now and then by an account it does not know.
  const all = [...graph.values()];
  const nRecords = rng.int(150, 300) * scale;
  const recs: Rec[] = [];
  const texts: Rec[] = [];
  for (let i = 0; i < nRecords; i++) {
    const author = rng.chance(0.04) ? { account: `zz:a:${i}`, birth_date: null } : rng.pick(all);
    const e2ee = rng.chance(0.05);
    const r: Rec = {
      id: rng.chance(0.5) ? `r:${rng.int(1, 5000)}` : `${rng.pick(['fb', 'ig', 'x'])}:p:${i}`,
      source:
        e2ee && rng.chance(0.5) ? 'whatsapp' : rng.chance(0.85) ? rng.pick(policy.sources) : rng.pick(RECORD_SOURCES),
      kind: rng.chance(0.85) ? rng.pick(policy.kinds) : rng.pick(RECORD_KINDS),
      account: author.account,
      created_at: createdAt(rng, author.birth_date),
      visibility: rng.chance(0.85) ? rng.pick(policy.visibility) : rng.pick(VISIBILITY),
      e2ee,
      participants: rng.chance(0.3)
        ? [
            ...new Set(
              Array.from({ length: rng.int(1, 3) }, () => (rng.chance(0.1) ? 'zz:a:x' : rng.pick(all).account)),
            ),
          ]
        : [],
      segments: [],
      seps: [],
      lead: '',
      trail: '',
      nullText: e2ee && rng.chance(0.5),
    };
    if (texts.length > 0 && rng.chance(0.25)) {
      // A repeat of an earlier text, byte for byte or with other spaces or case.
      const of = rng.pick(texts);
      r.segments = of.segments.map((s) =>
        s.kind === 'word' && rng.chance(0.3)
          ? { kind: 'word', text: rng.chance(0.5) ? s.text.toUpperCase() : s.text.toLowerCase() }
          : s,
      );
      r.seps = of.seps.map((s) => (rng.chance(0.2) ? rng.pick(SPACES) : s));
      r.lead = rng.chance(0.2) ? rng.pick(SPACES) : of.lead;
      r.trail = rng.chance(0.2) ? rng.pick(SPACES) : of.trail;
      if (rng.chance(0.3)) r.participants = [...of.participants];
    } else {
      // An account the text names: often a participant, or another account of a participant's person (a record that
      // tags someone's Instagram account may name their Facebook handle), else anyone.
      const mentioned = (): Account => {
        if (!(rng.chance(0.5) && r.participants.length > 0)) return rng.pick(all);
        const a = graph.get(rng.pick(r.participants)) ?? rng.pick(all);
        return rng.chance(0.3) ? rng.pick(all.filter((x) => x.person === a.person)) : a;
      };
      const n = rng.int(2, 7);
      for (let k = 0; k < n; k++) {
        const roll = rng.next();
        if (roll < 0.12) {
          const a = mentioned();
          r.segments.push({
            kind: 'handle',
            account: a.account,
            form: rng.pick(['as', 'as', 'as', 'upper', 'mixed'] as const),
          });
        } else if (roll < 0.22) {
          const a = mentioned();
          r.segments.push({
            kind: 'name',
            account: a.account,
            form: rng.pick(['as', 'as', 'upper', 'lower', 'mixed'] as const),
          });
        } else {
          r.segments.push({ kind: 'word', text: rng.pick(WORDS) });
        }
      }
      for (const seg of r.segments) if (rng.chance(0.15)) seg.after = rng.pick([',', '.', '!', '?', ':', ')', '…']);
      r.seps = r.segments.slice(1).map(() => (rng.chance(0.9) ? ' ' : rng.pick(['  ', '\t', '\n'])));
      texts.push(r);
    }
    recs.push(r);
  }

  // Input lines, in an order that is not the id order; a few repeated ids and bad lines.
  const lines: (Rec | string)[] = rng.shuffle([...recs]);
  for (let k = rng.int(0, 3); k > 0; k--) {
    const copy = { ...rng.pick(recs), created_at: '2024-01-01T00:00:00Z' };
    lines.splice(rng.int(0, lines.length), 0, copy);
  }
  for (let k = rng.int(0, 2); k > 0; k--) lines.splice(rng.int(0, lines.length), 0, '{"id": "broken"');
  // Blank lines (of spaces and tabs) are no records and are not counted.
  for (let k = rng.int(0, 2); k > 0; k--) lines.splice(rng.int(0, lines.length), 0, rng.pick(['', '  ', '\t ']));
  const cut = rng.int(0, lines.length);
  const files = (rng.chance(0.5) ? [lines] : [lines.slice(0, cut), lines.slice(cut)]).map((part): InputFile => {
    const format = rng.pick(['jsonl', 'jsonl', 'gz', 'parquet'] as const);
    return {
      format,
      timeColumn: rng.pick(['VARCHAR', 'TIMESTAMPTZ', 'TIMESTAMP'] as const),
      lines: format === 'parquet' ? part.filter((l) => typeof l !== 'string') : part,
    };
  });

  const programmeJurisdictions = rng.pick([['EU'], ['EU'], ['EEA'], ['DE', 'FR', 'NO', 'CH']]);
  return { seed, programme, otherProgramme, programmeJurisdictions, policy, accounts, ops, files };
}

function key(scope: string, subject: string, programme: string): string {
  return `${scope}\u0000${subject}\u0000${programme}`;
}

/** A birth date: mostly adults, many near the age limits of the records' years, some leap days and placeholders. */
function birthDate(rng: Rng): string | null {
  const roll = rng.next();
  if (roll < 0.08) return null;
  if (roll < 0.12) return rng.pick(['1900-01-01', '1905-06-15', '1906-03-01', '1904-02-29']);
  if (roll < 0.2) return rng.pick(['2000-02-29', '2004-02-29', '2008-02-29', '1996-02-29']);
  if (roll < 0.6) return isoDate(Date.UTC(1998, 0, 1) + rng.int(0, 12 * 365) * DAY);
  return isoDate(Date.UTC(1950, 0, 1) + rng.int(0, 40 * 365) * DAY);
}

/** A creation time, often within a day of a coming-of-age birthday, now and then in the future or with an offset. */
function createdAt(rng: Rng, birth: string | null): string {
  let ms: number;
  const roll = rng.next();
  if (birth !== null && roll < 0.5) {
    const [y, m, d] = birth.split('-').map(Number) as [number, number, number];
    const years = rng.pick([16, 18, 18, 120]);
    ms = Date.UTC(y + years, m - 1, d) + rng.int(-1, 1) * DAY + rng.int(0, 47) * 1_800_000;
  } else if (roll < 0.55) {
    ms = Date.UTC(2030 + rng.int(0, 60), 0, 1) + rng.int(0, 364) * DAY;
  } else {
    ms = Date.UTC(2016, 0, 1) + rng.int(0, 10 * 365) * DAY + rng.int(0, 86_399) * 1000;
  }
  if (ms < Date.UTC(1971, 0, 1)) ms = Date.UTC(1971, 0, 1);
  if (ms > Date.UTC(2099, 0, 1)) ms = Date.UTC(2099, 0, 1);
  const t = new Date(ms);
  const base = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
  const style = rng.next();
  if (style < 0.6) return `${base}:${pad(t.getUTCSeconds())}Z`;
  if (style < 0.65) return `${base}Z`;
  if (style < 0.7) return `${base}:${pad(t.getUTCSeconds())}`;
  if (style < 0.73) return `${base}`;
  if (style < 0.76) return `${base.replace('T', ' ')}:${pad(t.getUTCSeconds())}Z`;
  if (style < 0.79) return `${base.replace('T', 't')}:${pad(t.getUTCSeconds())}.${pad(rng.int(0, 999), 3)}z`;
  if (style < 0.82) return `${base}:${pad(t.getUTCSeconds())}.123456+0000`;
  if (style < 0.85 && t.getUTCHours() === 0 && t.getUTCMinutes() === 0) return base.slice(0, 10);
  // The same instant written with an offset.
  const off = rng.pick([-11, -5, 2, 5, 14]);
  const local = new Date(ms + off * 3_600_000);
  const sign = off < 0 ? '-' : '+';
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${sign}${pad(Math.abs(off))}:00`;
}

// ---------------------------------------------------------------------------------------------------------------
// The model.

/** What the model says of one record: its reason (null = kept), its person, and its text in the snapshot when kept. */
export interface Expected {
  reason: string | null;
  person: string | null;
  text: string | null;
}

/** What the model says of a whole build. */
export interface ExpectedBuild {
  records: Map<string, Expected>;
  counts: { read: number; kept: number; quarantined: number; excluded: Record<string, number> };
}

/** A log event as the model sees it: a filed objection or withdrawal. */
interface LogEvent {
  type: 'objection' | 'withdrawal';
  scope: 'person' | 'account';
  subject: string;
  programme: string;
  via: string | null;
}

/**
 * The reason of every record of a world, from the docs: the operations before the cut are the log (per subject, scope
 * and programme the latest event wins; `*` counts for every programme), the graph is the one after every move made
 * before the cut, and `takenAt` is when the build pinned its cut (manifest `cut.taken_at`).
 */
export function expectedBuild(world: World, takenAt: string): ExpectedBuild {
  // Fold the operations into log events and the identity graph at the cut.
  const graph = new Map(world.accounts.map((a) => [a.account, { ...a }]));
  const events: LogEvent[] = [];
  const inForce = new Map<string, LogEvent>();
  const pendings = new Map<number, LogEvent>();
  for (const [i, op] of world.ops.entries()) {
    if (op.afterCut) continue;
    if (op.op === 'move') {
      for (const a of op.accounts) graph.set(a.account, { ...a });
      continue;
    }
    if (op.op === 'pending') {
      // Not in the log until confirmed; its subject is the one it was filed for.
      const account = graph.get(op.subject);
      const scope = op.accountOnly ? 'account' : 'person';
      const subject = op.accountOnly ? op.subject : (account?.person ?? op.subject);
      pendings.set(i, {
        type: 'objection',
        scope,
        subject,
        programme: op.programme,
        via: !op.accountOnly && account ? op.subject : null,
      });
      continue;
    }
    if (op.op === 'confirm') {
      const e = pendings.get(op.pending) as LogEvent;
      const k = key(e.scope, e.subject, e.programme);
      if (inForce.get(k)?.type === 'objection') continue;
      events.push(e);
      inForce.set(k, e);
      continue;
    }
    const account = graph.get(op.subject);
    const scope = op.accountOnly ? 'account' : 'person';
    const subject = op.accountOnly ? op.subject : (account?.person ?? op.subject);
    const k = key(scope, subject, op.programme);
    if (op.op === 'object') {
      // Filing again what is in force adds no event.
      if (inForce.get(k)?.type === 'objection') continue;
      const e: LogEvent = {
        type: 'objection',
        scope,
        subject,
        programme: op.programme,
        via: !op.accountOnly && account ? op.subject : null,
      };
      events.push(e);
      inForce.set(k, e);
    } else {
      const e: LogEvent = { type: 'withdrawal', scope, subject, programme: op.programme, via: null };
      events.push(e);
      inForce.set(k, e);
    }
  }
  const latest = new Map<string, LogEvent>();
  for (const e of events) {
    if (e.programme === '*' || e.programme === world.programme) latest.set(key(e.scope, e.subject, e.programme), e);
  }
  const objectorAccounts = new Set<string>();
  for (const e of latest.values()) {
    if (e.type !== 'objection') continue;
    if (e.scope === 'account') objectorAccounts.add(e.subject);
    else {
      for (const a of graph.values()) if (a.person === e.subject) objectorAccounts.add(a.account);
      if (e.via) objectorAccounts.add(e.via);
    }
  }

  const p = world.policy;
  const programmeCountries = new Set(expand(world.programmeJurisdictions));
  const countries = new Set(expand(p.jurisdictions).filter((c) => programmeCountries.has(c)));
  const taken = Date.parse(takenAt);

  // Records in input order; a later record with an id already read is quarantined.
  const records = new Map<string, Expected>();
  const order: { rec: Rec; text: string | null }[] = [];
  let read = 0;
  let quarantined = 0;
  for (const line of world.files.flatMap((f) => f.lines)) {
    if (typeof line === 'string' && line.trim() === '') continue;
    read++;
    if (typeof line === 'string' || records.has(line.id)) {
      quarantined++;
      continue;
    }
    const r = line;
    const author = graph.get(r.account);
    let reason: string | null = null;
    if (r.e2ee) reason = 'e2ee';
    else if (objectorAccounts.has(r.account)) reason = 'objection';
    else if (!p.sources.includes(r.source)) reason = 'source';
    else if (!p.kinds.includes(r.kind)) reason = 'kind';
    else if (!p.visibility.includes(r.visibility)) reason = 'not_public';
    else if (p.min_age > 0 && ageReason(author?.birth_date ?? null, r.created_at, taken, p.min_age))
      reason = ageReason(author?.birth_date ?? null, r.created_at, taken, p.min_age);
    else if (!author?.country || !countries.has(author.country)) reason = 'jurisdiction';
    else if (p.participants === 'drop' && r.participants.some((a) => objectorAccounts.has(a)))
      reason = 'participant_objected';
    const text = reason === null ? redactedText(r, graph, objectorAccounts, p) : null;
    records.set(r.id, { reason, person: author?.person ?? null, text });
    order.push({ rec: r, text });
  }

  if (p.dedup === 'exact') {
    // Among the records kept so far: the same normalised final text as a record with a lower id.
    const lowest = new Map<string, string>();
    for (const { rec, text } of order) {
      if (records.get(rec.id)?.reason !== null) continue;
      const norm = normalise(text ?? '');
      const seen = lowest.get(norm);
      if (seen === undefined || rec.id < seen) lowest.set(norm, rec.id);
    }
    for (const { rec, text } of order) {
      const e = records.get(rec.id) as Expected;
      if (e.reason === null && lowest.get(normalise(text ?? '')) !== rec.id) {
        e.reason = 'duplicate';
        e.text = null;
      }
    }
  }

  const excluded: Record<string, number> = {};
  let kept = 0;
  for (const e of records.values()) {
    if (e.reason === null) kept++;
    else excluded[e.reason] = (excluded[e.reason] ?? 0) + 1;
  }
  return { records, counts: { read, kept, quarantined, excluded } };
}

function expand(list: readonly string[]): string[] {
  return list.flatMap((j) => (j === 'EU' ? [...EU_COUNTRIES] : j === 'EEA' ? [...EEA_COUNTRIES] : [j]));
}

/**
 * `minor`, `age_unknown` or null, by docs/policy.md "How age is judged": the age at created_at (or at the cut, if
 * the record is dated later), a birthday counting once it has come everywhere (the date at UTC-12), 29 February
 * coming on 1 March in a common year, and a birth date 120 years or more before the record as unknown.
 */
function ageReason(birth: string | null, createdAt: string, taken: number, minAge: number): string | null {
  const at = Math.min(parseTime(createdAt), taken);
  const day = isoDate(at - 12 * 3_600_000);
  if (birth !== null && day < comingOfAge(birth, minAge)) return 'minor';
  if (birth === null || comingOfAge(birth, 120) <= day) return 'age_unknown';
  return null;
}

/** An ISO 8601 time as the docs allow it: the seconds may be left out, and a time without an offset is UTC. */
export function parseTime(t: string): number {
  const m =
    /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?$/.exec(t);
  if (!m) throw new Error(`the model cannot read the time ${t}`);
  const n = (i: number) => Number(m[i] ?? 0);
  const utc = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)) + Math.floor(Number(m[7] ?? 0) * 1000);
  const offset = m[9] ? (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11)) * 60_000 : 0;
  return utc - offset;
}

function comingOfAge(birth: string, years: number): string {
  const [y, m, d] = birth.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (m === 2 && d === 29 && !leap) return `${String(year).padStart(4, '0')}-03-01`;
  return `${String(year).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
}

/**
 * A kept record's text in the snapshot: an objecting participant's @handle and display name, and those of its
 * person's other objecting accounts (in any case), become [person] under `participants: redact`; then any @handle becomes [handle] (pii handle) and a
 * display name of the graph, as written or in upper case, [name] (pii known_name).
 */
function redactedText(
  r: Rec,
  graph: ReadonlyMap<string, Account>,
  objectors: ReadonlySet<string>,
  p: World['policy'],
): string {
  const personStrings = new Set<string>();
  if (p.participants === 'redact') {
    for (const id of r.participants) {
      const a = graph.get(id);
      if (!a || !objectors.has(id)) continue;
      // The participant stands for every objecting account of its person.
      for (const other of graph.values()) {
        if (other.account !== id && (other.person !== a.person || !objectors.has(other.account))) continue;
        personStrings.add(`@${other.handle}`);
        personStrings.add(other.display_name);
      }
    }
  }
  const knownNames = new Set([...graph.values()].map((a) => a.display_name));
  const parts = r.segments.map((s) => {
    const after = s.after ?? '';
    if (s.kind === 'word') return s.text + after;
    // A move gives an account another person, never another handle or name.
    const a = graph.get(s.account) as Account;
    const base = s.kind === 'handle' ? `@${a.handle}` : a.display_name;
    const shown = spelt(base, s.form);
    if (personStrings.has(base)) return `[person]${after}`;
    if (s.kind === 'handle') return (p.pii.includes('handle') ? '[handle]' : shown) + after;
    // known_name finds a name as written and in upper case only.
    const found = (s.form === 'as' || s.form === 'upper') && knownNames.has(base);
    return (p.pii.includes('known_name') && found ? '[name]' : shown) + after;
  });
  return r.lead + parts.map((x, i) => (i === 0 ? x : `${r.seps[i - 1]}${x}`)).join('') + r.trail;
}

/**
 * The dedup key of docs/policy.md: trimmed, whitespace (any Unicode white space) collapsed, in NFC, lower case, the
 * Greek final sigma as σ.
 */
function normalise(text: string): string {
  return text
    .replace(/\p{White_Space}+/gu, ' ')
    .replace(/^ | $/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replaceAll('ς', 'σ');
}
