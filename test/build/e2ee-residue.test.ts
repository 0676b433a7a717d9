import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome } from '../../src/cli/commands/init.ts';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import { generatePosts } from '../../src/demo/posts.ts';
import { importAccounts } from '../../src/registry/identities.ts';
import { allFiles, runCli, tempDir, withHome } from './_fixture.ts';

// DuckDB writes table blocks whose unused bytes come from recycled memory, and the read stage parses every line, e2ee
// ones included. Without the allocator scrubbing freed memory, a build killed after its read left fragments of
// end-to-end-encrypted messages in OUT/.build/build.duckdb in about half of all runs on two threads.
const { dir, cleanup } = tempDir('dissent-e2ee-residue-');
const MARK = 'E2EESECRETMARK';
let home: string;
let input: string;

beforeAll(async () => {
  home = join(dir, 'home');
  initHome(home);
  const accounts = [...generateIdentityGraph({ persons: 3000, seed: 5 })];
  const accountsFile = join(dir, 'accounts.jsonl');
  writeFileSync(accountsFile, accounts.map((a) => JSON.stringify(a)).join('\n') + '\n');
  await withHome(home, (h) => importAccounts(h.store, accountsFile));
  // Realistic posts; every end-to-end-encrypted one carries a marker that no other record has.
  const lines: string[] = [];
  let n = 0;
  for (const r of generatePosts({ accounts, count: 300_000, seed: 7 })) {
    lines.push(JSON.stringify(r.e2ee ? { ...r, text: `${MARK} ${n++} ${r.text}` } : r));
  }
  input = join(dir, 'posts.jsonl');
  writeFileSync(input, lines.join('\n') + '\n');
}, 120_000);
afterAll(cleanup);

describe('a build killed with its work database on disk', () => {
  it.each([1, 2, 3])('holds no fragment of an end-to-end-encrypted text anywhere in the folder (run %i)', (run) => {
    const out = join(dir, `snap-${run}`);
    const killed = runCli(
      ['build', '--home', home, '--programme', 'ai-training-2025', '--input', input, '--out', out, '--threads', '2'],
      // The child sets the allocator option itself; nothing it inherits from this process may do so for it.
      { DISSENT_TEST_KILL_AFTER: 'read', DUCKDB_JE_MALLOC_CONF: '' },
    );
    expect(killed.signal).toBe('SIGKILL');
    const files = allFiles(out);
    expect(files.map((f) => f.path)).toContain(join(out, '.build', 'build.duckdb'));
    expect(files.filter((f) => f.bytes.includes(MARK)).map((f) => f.path)).toEqual([]);
  });
});
