/**
 * Cost of each PII type in DuckDB: `npx tsx bench/redact.ts [rows] [names]` (defaults 200000 rows, 200000 names).
 * Rows are ~300 characters of German text (Debian fortunes-de, or a built-in filler) with PII and known names mixed
 * in at realistic rates. Each measurement copies the table and redacts the copy; "none" is the copy alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  ALL_PII_TYPES,
  createRedactor,
  loadNames,
  loadTexts,
  type PiiType,
  redactInDuckDB,
} from '../src/pipeline/redact/index.ts';

const ROWS = Number(process.argv[2] ?? 200_000);
const NAMES = Number(process.argv[3] ?? 200_000);
const FORTUNES = '/usr/share/games/fortunes/de';

let seed = 42;
/** mulberry32: a small deterministic PRNG, so every run measures the same rows. */
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');

function sentences(): string[] {
  const out: string[] = [];
  if (existsSync(FORTUNES)) {
    for (const f of readdirSync(FORTUNES).filter((f) => f.endsWith('.u8'))) {
      for (const line of readFileSync(join(FORTUNES, f), 'utf8').split('\n')) {
        const s = line.trim();
        if (s.length > 20 && s !== '%' && !/[\t\u001b]/.test(s)) out.push(s);
      }
    }
  }
  if (out.length < 100) out.push('Heute war ein schöner Tag am See, wir haben gegrillt und Musik gehört.');
  return out;
}

const FIRST =
  'Anna Lena Lea Marie Sophie Emma Mia Hannah Lina Emilia Paul Leon Finn Elias Jonas Noah Luis Felix Lukas Max Jürgen Klaus Peter Hans Uwe Sabine Petra Monika Mehmet Ayşe Fatma Ümit Zoë Björn Ole Jan Tim Tom Nina Julia'.split(
    ' ',
  );
const SYL =
  'berg mann schmidt müller wag ner beck hoff krau se wein roth stein feld hau bach brand lin dorf kamp'.split(' ');

function makeNames(n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) {
    const last = pick(SYL) + pick(SYL) + (rand() < 0.5 ? pick(SYL) : '');
    names.add(`${pick(FIRST)} ${last[0]!.toUpperCase()}${last.slice(1)}`);
  }
  return [...names];
}

function makeRow(pool: readonly string[], names: readonly string[]): string {
  let text = '';
  while (text.length < 280) text += `${pick(pool)} `;
  const extras: string[] = [];
  if (rand() < 0.2) extras.push(`Grüße an ${pick(names)}!`);
  if (rand() < 0.1) extras.push(`cc @${pick(FIRST).toLowerCase()}_${digits(2)}`);
  if (rand() < 0.05) extras.push(`Mail: ${pick(FIRST).toLowerCase()}.${digits(3)}@beispiel.de`);
  if (rand() < 0.05) extras.push(`Tel. 0170 ${digits(7)}`);
  if (rand() < 0.01) extras.push('IBAN DE89 3704 0044 0532 0130 00');
  if (rand() < 0.01) extras.push(`Karte 4111 1111 1111 ${digits(4)}`);
  if (rand() < 0.01) extras.push(`Server 10.0.${digits(2)}.${digits(2)}`);
  if (rand() < 0.1) extras.push(`Am 12.03.2024 um 10:30 für 19,99 €, Bestellung ${digits(10)}.`);
  return `${text.slice(0, 300 - Math.min(120, extras.join(' ').length))} ${extras.join(' ')}`.trim();
}

async function main(): Promise<void> {
  const pool = sentences();
  const names = makeNames(NAMES);
  const rows = Array.from({ length: ROWS }, () => makeRow(pool, names));
  const avg = rows.reduce((a, r) => a + r.length, 0) / rows.length;
  console.log(`${ROWS} rows, avg ${avg.toFixed(0)} chars, ${names.length} known names, ${pool.length} filler lines`);

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await loadTexts(conn, 'src', rows);
  await loadNames(conn, 'names', names);

  const time = async (types: readonly PiiType[]) => {
    await conn.run('CREATE OR REPLACE TABLE work AS SELECT * FROM src');
    const t0 = performance.now();
    let checked = 0;
    if (types.length > 0) {
      ({ candidatesChecked: checked } = await redactInDuckDB(conn, {
        table: 'work',
        keyColumn: 'id',
        textColumn: 'text',
        types,
        knownNamesTable: 'names',
      }));
    }
    return { ms: performance.now() - t0, checked };
  };
  const copy = async () => {
    const t0 = performance.now();
    await conn.run('CREATE OR REPLACE TABLE work AS SELECT * FROM src');
    return performance.now() - t0;
  };

  console.log('\nDuckDB, in place on a copy of the table (copy not included)');
  console.log('types                      ms   candidates');
  console.log(`none (copy of the table) ${(await copy()).toFixed(0).padStart(6)}`);
  for (const types of [
    ...ALL_PII_TYPES.map((t) => [t]),
    ALL_PII_TYPES.filter((t) => t !== 'known_name'),
    ALL_PII_TYPES,
  ]) {
    const { ms, checked } = await time(types);
    const label = types.length === 1 ? types[0]! : types.length === ALL_PII_TYPES.length ? 'all' : 'all but known_name';
    console.log(`${label.padEnd(24)} ${ms.toFixed(0).padStart(6)} ${String(checked).padStart(10)}`);
  }

  const js = createRedactor({ types: ALL_PII_TYPES, knownNames: names });
  const t0 = performance.now();
  for (const r of rows) js.redact(r);
  console.log(`\nJS redactor, all types, same rows: ${(performance.now() - t0).toFixed(0)} ms (for comparison)`);
  conn.closeSync();
  instance.closeSync();
}

await main();
