import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initHome } from '../src/cli/commands/init.ts';
import { openHome } from '../src/config/home.ts';
import { generateIdentityGraph } from '../src/demo/identity-graph.ts';
import { FORTUNES_DE_DIR, loadFortunes, writePostsJsonl } from '../src/demo/posts.ts';
import { seededRandom } from '../src/demo/random.ts';
import { importAccounts } from '../src/registry/identities.ts';

/** The generated benchmark data of one size, cached under bench/.data/<records>/. */
export interface BenchData {
  readonly dir: string;
  readonly posts: string;
  readonly accounts: string;
  /** One objecting account id a line (every account of every objecting person), for the baseline's anti-join. */
  readonly objectorAccounts: string;
  readonly home: string;
  readonly records: number;
  readonly bytes: number;
  readonly persons: number;
  readonly objectors: number;
}

/**
 * Generates (once) the posts, the identity graph (a tenth as many persons as records) and a home whose registry
 * holds the graph and objections of 5% of persons; later runs reuse them.
 */
export async function benchData(root: string, records: number, log: (s: string) => void): Promise<BenchData> {
  const dir = join(root, String(records));
  const done = join(dir, 'done.json');
  const posts = join(dir, 'posts.jsonl');
  const accounts = join(dir, 'accounts.jsonl');
  const objectorAccounts = join(dir, 'objector-accounts.txt');
  const home = join(dir, 'home');
  const sayings = loadFortunes();
  const generator = generatorFingerprint(sayings);
  log(textSource(sayings));
  if (existsSync(done)) {
    const meta = JSON.parse(readFileSync(done, 'utf8'));
    if (meta.generator === generator) return { dir, posts, accounts, objectorAccounts, home, ...meta };
    // Data made by another version of the generator (or of the home's template) is not the data this code describes.
    log(`the data generator changed since ${dir} was made: generating it again`);
    rmSync(dir, { recursive: true, force: true });
  }

  mkdirSync(dir, { recursive: true });
  const persons = Math.max(100, Math.floor(records / 10));
  log(
    `generating ${persons.toLocaleString('en-US')} persons and ${records.toLocaleString('en-US')} posts in ${dir} (once)`,
  );
  const graph = [...generateIdentityGraph({ persons, seed: 2025 })];
  writeFileSync(accounts, graph.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const t0 = Date.now();
  const { bytes } = await writePostsJsonl(posts, {
    accounts: graph,
    count: records,
    seed: 4711,
    onProgress: (n) =>
      process.stderr.isTTY && process.stderr.write(`\r  ${((100 * n) / records).toFixed(0)}% of posts`),
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  log(`  ${(bytes / 1e6).toFixed(0)} MB of JSONL in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const rand = seededRandom(99);
  const objecting = new Set<string>();
  for (let p = 1; p <= persons; p++) if (rand() < 0.05) objecting.add(`p:${p}`);
  writeFileSync(
    objectorAccounts,
    graph
      .filter((a) => objecting.has(a.person))
      .map((a) => a.account)
      .join('\n') + '\n',
  );
  log(`  registry: importing the identity graph and ${objecting.size.toLocaleString('en-US')} objections`);
  initHome(home);
  const h = await openHome(home);
  try {
    await importAccounts(h.store, accounts);
    const list = [...objecting];
    for (let i = 0; i < list.length; i += 5000) {
      await h.registry.objectMany(list.slice(i, i + 5000).map((subject) => ({ subject, channel: 'api' as const })));
    }
  } finally {
    await h.close();
  }
  const meta = { records, bytes, persons, objectors: objecting.size, generator };
  writeFileSync(done, JSON.stringify(meta));
  return { dir, posts, accounts, objectorAccounts, home, ...meta };
}

/** The sources that decide the generated data and its home: cached data made from other versions is made again. */
const GENERATOR_SOURCES = [
  'bench/_data.ts',
  'src/demo/posts.ts',
  'src/demo/identity-graph.ts',
  'src/demo/random.ts',
  'src/config/template.ts',
];

function generatorFingerprint(sayings: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of GENERATOR_SOURCES) h.update(readFileSync(join(import.meta.dirname, '..', f)));
  // The sayings too: without fortunes-de the posts come from a few built-in sentences, and most are duplicates.
  for (const saying of sayings) h.update(`${saying}\n`);
  return h.digest('hex').slice(0, 16);
}

/** Says where the posts' German text comes from, and warns when it is not fortunes-de. */
function textSource(sayings: readonly string[]): string {
  return sayings.length > 0
    ? `text: ${sayings.length.toLocaleString('en-US')} German sayings from fortunes-de (${FORTUNES_DE_DIR})`
    : `text: built-in sentences only, because fortunes-de is not installed (${FORTUNES_DE_DIR}); most posts are then exact duplicates and the figures are not comparable with runs on realistic text: apt-get install fortunes-de`;
}
