import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountRow } from '../registry/types.ts';
import { pick, seededRandom } from './random.ts';

/** One record in the canonical JSONL schema of DESIGN.md, keys in schema order. */
export interface DemoRecord {
  id: string;
  source: string;
  kind: string;
  account: string;
  created_at: string;
  visibility: 'public' | 'unlisted' | 'followers' | 'friends' | 'private';
  e2ee: boolean;
  text: string;
  participants: string[];
  parent: string | null;
}

/** Where Debian's fortunes-de puts its German sayings (package fortunes-de). */
export const FORTUNES_DE_DIR = '/usr/share/games/fortunes/de';

/** Used when fortunes-de is not installed, so that generation never depends on the machine. */
const BUILTIN_SENTENCES = [
  'Heute war ein richtig schöner Tag am See, das Wasser war noch ziemlich kalt.',
  'Kann mir jemand einen guten Zahnarzt in der Nähe empfehlen?',
  'Die Bahn hat schon wieder 40 Minuten Verspätung, ich komme zu spät zur Arbeit.',
  'Endlich Wochenende! Wer kommt mit zum Flohmarkt am Samstag?',
  'Mein Sauerteig ist heute zum ersten Mal richtig aufgegangen.',
  'Hat jemand Erfahrung mit Balkonkraftwerken? Lohnt sich das wirklich?',
  'Wir suchen noch Mitspieler für die Doppelkopfrunde am Donnerstag.',
  'Der Kindergarten ist morgen wegen Streik geschlossen, kann jemand aushelfen?',
  'Das Konzert gestern Abend war der Hammer, die Band hat drei Zugaben gespielt.',
  'Ich habe meinen Schlüssel im Bus liegen lassen, hat ihn jemand gefunden?',
  'Rezept für Omas Apfelkuchen: viel Butter, viel Zimt und ganz viel Geduld.',
  'Die Straße vor unserem Haus wird schon seit drei Monaten aufgerissen.',
  'Wer weiß, wann der Wertstoffhof am Feiertag geöffnet hat?',
  'Unser Hund hat heute die Prüfung in der Hundeschule bestanden!',
  'Biete zwei Karten für das Heimspiel am Sonntag, Stehplatz, Nordkurve.',
  'Im Garten blühen endlich die Tulpen, der Frühling ist da.',
  'Ich finde, die neue Ortsumgehung hätte man sich sparen können.',
  'Heute im Stadtrat: wieder keine Entscheidung zum Schwimmbad.',
  'Meine Tochter hat ihr erstes Fahrrad bekommen und fährt schon ohne Stützräder.',
  'Wer hat Lust auf eine Radtour an der Elbe entlang am Pfingstmontag?',
  'Ich widerspreche hiermit der Nutzung meiner Daten für das Training von KI.',
  'Das WLAN im Zug ist wie immer eine Katastrophe.',
  'Gestern den ganzen Tag Marmelade eingekocht, jetzt ist der Keller voll.',
  'Suche eine gebrauchte Waschmaschine, gerne günstig und mit Lieferung.',
  'Schönen Feierabend euch allen, bis morgen!',
  'Hat jemand einen Tipp für ein gutes Buch für den Urlaub?',
  'Die Preise auf dem Wochenmarkt sind echt gestiegen.',
  'Wir haben heute unser Gartenhaus fertig gestrichen, in Tannengrün.',
  'Weiß jemand, ob die Fähre bei dem Wind heute fährt?',
  'Herzlichen Glückwunsch zum Geburtstag, lass dich schön feiern!',
  'Just landed in Berlin, the weather is terrible but the food is great.',
  'Does anyone know a good English-speaking doctor in Munich?',
];

const ASSISTANT_PROMPTS = [
  'Schreib mir bitte eine kurze Geburtstagskarte für meine Kollegin.',
  'Wie lange muss ein Ei kochen, damit es wachsweich ist?',
  'Erkläre mir den Unterschied zwischen Brutto und Netto beim Gehalt.',
  'Formuliere eine höfliche Beschwerde an meinen Vermieter wegen der Heizung.',
  'Was kann ich heute Abend mit Kartoffeln, Lauch und Speck kochen?',
  'Übersetze bitte ins Englische: Ich komme morgen etwas später.',
  'Hilf mir, einen Lebenslauf für eine Stelle als Erzieherin zu schreiben.',
  'Wie kündige ich einen Handyvertrag fristgerecht?',
];

/** Options for a generated set of posts. */
export interface PostsOptions {
  /** The identity graph the authors and mentioned participants come from (from generateIdentityGraph). */
  readonly accounts: readonly AccountRow[];
  readonly count: number;
  readonly seed?: number;
  /** A fortunes folder to take German sentences from; defaults to fortunes-de, with built-in sentences as fallback. */
  readonly fortunesDir?: string;
  /** Records are dated between this year's start and `until`. */
  readonly fromYear?: number;
  readonly until?: Date;
}

/** Loads short German sayings from a fortunes folder, or an empty list when it is not there. */
export function loadFortunes(dir: string = FORTUNES_DE_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.includes('.') && n !== 'asciiart');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const chunk of text.split(/\n%\n/)) {
      const body = chunk
        .split('\n')
        .filter((l) => !/^\s*--/.test(l))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (body.length >= 20 && body.length <= 280 && !body.includes('\uFFFD')) out.push(body);
    }
  }
  return out;
}

/**
 * Generates realistic German social-media records for an identity graph, the same for the same seed: facebook and
 * instagram posts, comments and captions, assistant chats, messenger private messages and some end-to-end-encrypted
 * whatsapp messages; mixed visibility; mentions of other accounts (in `participants` and in the text); personal data
 * in the text (e-mails, phones, IBANs, cards, IPs, @handles, display names); and exact and near duplicates.
 */
export function* generatePosts(opts: PostsOptions): Generator<DemoRecord> {
  const rand = seededRandom(opts.seed ?? 4711);
  const fortunes = loadFortunes(opts.fortunesDir);
  const sentences = fortunes.length > 0 ? [...fortunes, ...BUILTIN_SENTENCES] : BUILTIN_SENTENCES;
  const accounts = opts.accounts;
  if (accounts.length === 0) return;
  const from = Date.UTC(opts.fromYear ?? 2016, 0, 1);
  const span = (opts.until ?? new Date('2025-05-20T00:00:00Z')).getTime() - from;
  const recent: string[] = [];
  const sentence = () => pick(rand, sentences);
  const other = () => accounts[Math.floor(rand() * accounts.length)] as AccountRow;

  for (let n = 1; n <= opts.count; n++) {
    const author = accounts[Math.floor(rand() * accounts.length)] as AccountRow;
    const createdAt = new Date(from + Math.floor(rand() * span)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const roll = rand();
    let source = author.source;
    let kind: string;
    let visibility: DemoRecord['visibility'];
    let e2ee = false;
    if (roll < 0.03) {
      source = 'whatsapp';
      kind = 'message';
      visibility = 'private';
      e2ee = true;
    } else if (roll < 0.1) {
      source = 'messenger';
      kind = 'message';
      visibility = 'private';
    } else if (roll < 0.18) {
      source = 'assistant';
      kind = 'assistant_chat';
      visibility = 'public';
    } else {
      kind = source === 'instagram' ? pick(rand, ['caption', 'caption', 'comment', 'story'] as const) : postKind(rand);
      const v = rand();
      visibility =
        v < 0.62 ? 'public' : v < 0.8 ? 'friends' : v < 0.9 ? 'followers' : v < 0.95 ? 'unlisted' : 'private';
    }

    const participants: string[] = [];
    let text: string;
    if (kind === 'assistant_chat') {
      text = `${pick(rand, ASSISTANT_PROMPTS)} ${rand() < 0.3 ? sentence() : ''}`.trim();
    } else if (rand() < 0.04 && recent.length > 0) {
      // Copy-paste chains ("Kettenbriefe") and reposts: an exact or near-exact copy of an earlier text.
      const base = pick(rand, recent);
      text = rand() < 0.5 ? base : `  ${base.replace(/ /g, '  ')} `;
    } else {
      text = sentence();
      if (rand() < 0.35) text += ` ${sentence()}`;
    }

    if (kind !== 'assistant_chat' && rand() < 0.22) {
      const mentioned = other();
      if (mentioned.account !== author.account) {
        participants.push(mentioned.account);
        const name = rand() < 0.5 && mentioned.handle ? `@${mentioned.handle}` : (mentioned.display_name ?? '');
        text = rand() < 0.5 ? `${name} ${text}` : `${text} Danke, ${name}!`;
      }
    }
    if (rand() < 0.12) text = `${text} ${piiSentence(rand, other())}`;

    if (!e2ee && text.length > 40 && rand() < 0.3) recent.push(text);
    if (recent.length > 200) recent.splice(0, 100);
    yield {
      id: `${source.slice(0, 2)}:p:${n}`,
      source,
      kind,
      account: author.account,
      created_at: createdAt,
      visibility,
      e2ee,
      text,
      participants,
      parent: kind === 'comment' && n > 1 ? `${source.slice(0, 2)}:p:${1 + Math.floor(rand() * (n - 1))}` : null,
    };
  }
}

function postKind(rand: () => number): string {
  return rand() < 0.65 ? 'post' : 'comment';
}

function piiSentence(rand: () => number, someone: AccountRow): string {
  const r = rand();
  if (r < 0.2) return `Schreibt mir einfach an ${someone.email ?? 'info@example.de'}.`;
  if (r < 0.4) return `Ruft mich an unter ${germanPhone(rand)}.`;
  if (r < 0.5) return `Bitte überweist den Betrag auf ${germanIban(rand)}, danke!`;
  if (r < 0.58) return `Testkarte ${luhnCard(rand)} bitte nicht benutzen.`;
  if (r < 0.68)
    return `Mein Server ist unter ${Math.floor(rand() * 223) + 1}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 254) + 1} erreichbar.`;
  if (r < 0.85) return `Grüße an @${someone.handle ?? 'niemand'}!`;
  return `Liebe Grüße an ${someone.display_name ?? 'alle'}.`;
}

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10);
  return s;
}

function germanPhone(rand: () => number): string {
  const r = rand();
  if (r < 0.3) return `+49 ${150 + Math.floor(rand() * 30)} ${digits(rand, 7)}`;
  if (r < 0.5) return `0${170 + Math.floor(rand() * 9)}-${digits(rand, 7)}`;
  if (r < 0.7) return `(0)30 ${digits(rand, 8)}`;
  if (r < 0.85) return `0049 89 ${digits(rand, 7)}`;
  return `030/${digits(rand, 7)}`;
}

/** A German IBAN with valid mod-97 check digits, printed in groups of four half the time. */
function germanIban(rand: () => number): string {
  const bban = digits(rand, 18);
  const check = 98n - (BigInt(`${bban}131400`) % 97n);
  const iban = `DE${check.toString().padStart(2, '0')}${bban}`;
  return rand() < 0.5 ? iban : iban.replace(/(.{4})/g, '$1 ').trim();
}

/** A 16-digit card number that passes the Luhn check. */
function luhnCard(rand: () => number): string {
  const body = `4${digits(rand, 14)}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const card = `${body}${(10 - (sum % 10)) % 10}`;
  return card.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Writes generated posts as canonical JSONL, streaming with backpressure so that any count fits in memory.
 * @example await writePostsJsonl('demo/posts.jsonl', { accounts, count: 5000 })
 */
export async function writePostsJsonl(
  file: string,
  opts: PostsOptions & { signal?: AbortSignal; onProgress?: (written: number) => void },
): Promise<{ records: number; bytes: number }> {
  const stream = createWriteStream(file);
  let records = 0;
  let bytes = 0;
  let chunk = '';
  try {
    for (const r of generatePosts(opts)) {
      chunk += `${JSON.stringify(r)}\n`;
      records++;
      if (chunk.length > 1 << 20) {
        opts.signal?.throwIfAborted();
        bytes += Buffer.byteLength(chunk);
        if (!stream.write(chunk)) await once(stream, 'drain');
        chunk = '';
        opts.onProgress?.(records);
      }
    }
    bytes += Buffer.byteLength(chunk);
    stream.end(chunk);
    await once(stream, 'finish');
  } catch (error) {
    stream.destroy();
    throw error;
  }
  return { records, bytes };
}

/**
 * Writes demo records for the accounts of a home's registry (e.g. the demo's identity graph) to a JSONL file, ready
 * for runBuild; about `perAccount` records per account.
 * @example await writeDemoRecords(home.store, join(dir, 'posts.jsonl'), { perAccount: 3 })
 */
export async function writeDemoRecords(
  store: { iterateAccounts(batchSize?: number): AsyncIterable<AccountRow[]> },
  file: string,
  opts: { perAccount?: number; seed?: number; signal?: AbortSignal } = {},
): Promise<{ records: number; bytes: number }> {
  const accounts: AccountRow[] = [];
  for await (const batch of store.iterateAccounts(5000)) accounts.push(...batch);
  return writePostsJsonl(file, {
    accounts,
    count: Math.max(1, Math.round(accounts.length * (opts.perAccount ?? 3))),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
