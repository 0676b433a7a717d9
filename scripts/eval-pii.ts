/**
 * `npm run eval:pii`: precision, recall and support per PII type on the labelled set, for the JS redactor and the
 * DuckDB SQL path. Exits 1 when any type is below 0.95 precision or recall, or when the two paths disagree.
 * `npx tsx scripts/eval-pii.ts --rebuild-set` regenerates labelled.jsonl from the hand-written labelled.src.txt.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  ALL_PII_TYPES,
  createRedactor,
  loadNames,
  loadTexts,
  type PiiType,
  PLACEHOLDER,
  readKnownNames,
  redactInDuckDB,
} from '../src/pipeline/redact/index.ts';

const DIR = new URL('../test/fixtures/pii/', import.meta.url);
const THRESHOLD = 0.95;

interface Span {
  start: number;
  end: number;
  type: PiiType;
}
interface Snippet {
  id: string;
  lang: string;
  text: string;
  spans: Span[];
}

const MARKUP_TYPES: Record<string, PiiType> = {
  email: 'email',
  phone: 'phone',
  iban: 'iban',
  card: 'credit_card',
  ip: 'ip',
  handle: 'handle',
  name: 'known_name',
};

/** Turns `lang<TAB>text with ⟦type:value⟧ marks` lines (`\n` for a line break) into snippets with spans. */
function parseMarkup(source: string): Snippet[] {
  const out: Snippet[] = [];
  for (const line of source.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [lang, written] = line.split('\t') as [string, string];
    // A snippet of several lines (a post, a chat message) writes each line break as \n.
    const marked = written.replaceAll('\\n', '\n');
    let text = '';
    const spans: Span[] = [];
    let last = 0;
    for (const m of marked.matchAll(/⟦(\w+):([\s\S]*?)⟧/g)) {
      const type = MARKUP_TYPES[m[1]!];
      if (!type) throw new Error(`unknown type in: ${line}`);
      text += marked.slice(last, m.index);
      spans.push({ start: text.length, end: text.length + m[2]!.length, type });
      text += m[2];
      last = m.index + m[0].length;
    }
    text += marked.slice(last);
    out.push({ id: `s${String(out.length + 1).padStart(3, '0')}`, lang, text, spans });
  }
  return out;
}

const TYPE_OF_PLACEHOLDER = new Map(ALL_PII_TYPES.map((t) => [PLACEHOLDER[t], t]));
const PLACEHOLDER_RE = new RegExp(
  `(${[...TYPE_OF_PLACEHOLDER.keys()].map((p) => p.replace(/[[\]]/g, '\\$&')).join('|')})`,
);

/** Recovers which spans of `original` became which placeholder in `redacted` (placeholders never occur in input). */
function spansOf(original: string, redacted: string): Span[] | null {
  const parts = redacted.split(PLACEHOLDER_RE);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let source = '^';
  for (let i = 0; i < parts.length; i++) source += i % 2 === 0 ? esc(parts[i]!) : '([\\s\\S]+?)';
  const m = new RegExp(`${source}$`, 'd').exec(original);
  if (!m) return null;
  const spans: Span[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const [start, end] = m.indices![(i + 1) / 2]!;
    spans.push({ start, end, type: TYPE_OF_PLACEHOLDER.get(parts[i]!)! });
  }
  return spans;
}

interface Score {
  tp: number;
  fp: number;
  fn: number;
}

function score(snippets: readonly Snippet[], outputs: readonly string[], misses: string[]): Map<PiiType, Score> {
  const scores = new Map<PiiType, Score>(ALL_PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  snippets.forEach((s, i) => {
    const predicted = spansOf(s.text, outputs[i]!) ?? [];
    const key = (x: Span) => `${x.start}:${x.end}:${x.type}`;
    const gold = new Set(s.spans.map(key));
    const got = new Set(predicted.map(key));
    for (const p of predicted) {
      const sc = scores.get(p.type)!;
      if (gold.has(key(p))) sc.tp++;
      else {
        sc.fp++;
        misses.push(
          `FP ${p.type} ${s.id}: ${JSON.stringify(s.text.slice(p.start, p.end))} in ${JSON.stringify(s.text)}`,
        );
      }
    }
    for (const g of s.spans) {
      if (!got.has(key(g))) {
        scores.get(g.type)!.fn++;
        misses.push(
          `FN ${g.type} ${s.id}: ${JSON.stringify(s.text.slice(g.start, g.end))} -> ${JSON.stringify(outputs[i])}`,
        );
      }
    }
  });
  return scores;
}

function table(title: string, scores: Map<PiiType, Score>): boolean {
  let ok = true;
  const rows = [`${title}`, 'type          precision  recall  support  tp  fp  fn'];
  for (const [type, { tp, fp, fn }] of scores) {
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    if (precision < THRESHOLD || recall < THRESHOLD) ok = false;
    rows.push(
      `${type.padEnd(13)} ${precision.toFixed(3).padStart(9)} ${recall.toFixed(3).padStart(7)} ${String(tp + fn).padStart(8)} ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)}${precision < THRESHOLD || recall < THRESHOLD ? '  BELOW 0.95' : ''}`,
    );
  }
  console.log(`${rows.join('\n')}\n`);
  return ok;
}

async function runDuckDB(snippets: readonly Snippet[], names: readonly string[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await loadTexts(
      conn,
      'snippets',
      snippets.map((s) => s.text),
    );
    await loadNames(conn, 'names', names);
    await redactInDuckDB(conn, {
      table: 'snippets',
      keyColumn: 'id',
      textColumn: 'text',
      types: ALL_PII_TYPES,
      knownNamesTable: 'names',
    });
    const reader = await conn.runAndReadAll('SELECT text FROM snippets ORDER BY id');
    return reader.getColumns()[0]!.map(String);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<number> {
  if (process.argv.includes('--rebuild-set')) {
    const snippets = parseMarkup(readFileSync(new URL('labelled.src.txt', DIR), 'utf8'));
    writeFileSync(new URL('labelled.jsonl', DIR), `${snippets.map((s) => JSON.stringify(s)).join('\n')}\n`);
    console.log(`wrote ${snippets.length} snippets`);
    return 0;
  }
  const verbose = process.argv.includes('--verbose');
  const snippets: Snippet[] = readFileSync(new URL('labelled.jsonl', DIR), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Snippet);
  const names = await readKnownNames(new URL('accounts.jsonl', DIR).pathname);
  const langs: Record<string, number> = {};
  for (const s of snippets) langs[s.lang] = (langs[s.lang] ?? 0) + 1;
  console.log(
    `${snippets.length} snippets (${Object.entries(langs)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')}), ${names.length} known names\n`,
  );

  const redactor = createRedactor({ types: ALL_PII_TYPES, knownNames: names });
  const js = snippets.map((s) => redactor.redact(s.text));
  const sql = await runDuckDB(snippets, names);

  const jsMisses: string[] = [];
  const sqlMisses: string[] = [];
  const jsOk = table('JS redactor (createRedactor)', score(snippets, js, jsMisses));
  const sqlOk = table('DuckDB SQL path (redactInDuckDB)', score(snippets, sql, sqlMisses));
  const differ = snippets.filter((_, i) => js[i] !== sql[i]);
  console.log(`JS and SQL outputs differ on ${differ.length} of ${snippets.length} snippets`);
  for (const s of differ.slice(0, 10)) console.log(`  ${s.id}`);
  if (verbose || !jsOk) for (const m of jsMisses) console.log(m);
  return jsOk && sqlOk && differ.length === 0 ? 0 : 1;
}

process.exitCode = await main();
