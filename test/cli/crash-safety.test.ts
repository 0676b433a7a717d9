import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openHome } from '../../src/config/home.ts';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { fromBase64, hashLeaf } from '../../src/log/hash.ts';
import { parseVerifierKey } from '../../src/log/note.ts';
import { verifyConsistency, verifyInclusion } from '../../src/log/proofs.ts';
import type { Receipt } from '../../src/log/receipt.ts';
import { dissent, repoPath, spawnTsx, tempDir } from '../helpers/cli.ts';

const BURST = repoPath('test', 'helpers', 'burst.ts');

function makeHome(persons: number): { home: string; vkey: string } {
  const home = join(tempDir(), 'home');
  const vkey = dissent(['init', '--home', home]).stdout.trim();
  const file = join(tempDir(), 'accounts.jsonl');
  writeFileSync(file, [...generateIdentityGraph({ persons })].map((r) => JSON.stringify(r)).join('\n'));
  expect(dissent(['identities', 'import', file, '--home', home]).code).toBe(0);
  return { home, vkey };
}

/** Runs a burst and collects its receipts; kills it with SIGKILL after `killAfter` receipts when given. */
async function burst(
  home: string,
  from: number,
  to: number,
  killAfter?: number,
): Promise<{ receipts: Receipt[]; killed: boolean }> {
  const mode = killAfter === undefined ? 'once' : 'forever';
  const child = spawnTsx(BURST, [home, String(from), String(to), mode]);
  const receipts: Receipt[] = [];
  let killed = false;
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout })) {
    receipts.push(JSON.parse(line));
    if (killAfter !== undefined && receipts.length >= killAfter && !killed) {
      killed = child.kill('SIGKILL');
    }
  }
  await exited;
  if (!killed && child.exitCode !== 0) throw new Error(`burst failed: ${stderr}`);
  return { receipts, killed };
}

async function checkAgainstNewCheckpoint(home: string, vkey: string, receipts: Receipt[]) {
  const h = await openHome(home);
  try {
    const verifier = parseVerifierKey(vkey);
    const latest = openCheckpoint((await h.registry.latestCheckpoint()).note, verifier);
    expect(latest.size).toBe(h.registry.size);
    for (const r of receipts) {
      expect(await h.registry.entry(r.leaf_index)).toBe(r.leaf);
      const p = await h.registry.inclusionProof(r.leaf_index, latest.size);
      expect(verifyInclusion(hashLeaf(r.leaf), r.leaf_index, latest.size, p.proof.map(fromBase64), latest.root)).toBe(
        true,
      );
    }
    const older = new Map(receipts.map((r) => [r.checkpoint, openCheckpoint(r.checkpoint, verifier)]));
    for (const cp of older.values()) {
      const c = await h.registry.consistencyProof(cp.size, latest.size);
      expect(verifyConsistency(cp.size, latest.size, c.proof.map(fromBase64), cp.root, latest.root)).toBe(true);
    }
    return latest.size;
  } finally {
    await h.close();
  }
}

describe('crash safety', () => {
  it('after kill -9 during a burst, every printed receipt verifies against the new checkpoint, which extends all older ones', async () => {
    const { home, vkey } = makeHome(1000);
    // The burst never ends by itself (it keeps withdrawing and objecting again), so the kill lands mid-write.
    const first = await burst(home, 1, 300, 1500);
    expect(first.killed).toBe(true);
    expect(first.receipts.length).toBeGreaterThanOrEqual(1500);
    await checkAgainstNewCheckpoint(home, vkey, first.receipts);
    // The log keeps growing after the crash, and old receipts stay provable in the bigger tree.
    const second = await burst(home, 701, 1000);
    expect(second.receipts).toHaveLength(300);
    const size = await checkAgainstNewCheckpoint(home, vkey, [...first.receipts, ...second.receipts]);
    expect(size).toBeGreaterThanOrEqual(first.receipts.length + 300);
  });

  it('two processes appending to one registry at once interleave without losing or duplicating an entry', async () => {
    const { home, vkey } = makeHome(800);
    const [a, b] = await Promise.all([burst(home, 1, 400), burst(home, 401, 800)]);
    const all = [...a.receipts, ...b.receipts];
    expect(all).toHaveLength(800);
    expect(new Set(all.map((r) => r.leaf_index)).size).toBe(800);
    expect(await checkAgainstNewCheckpoint(home, vkey, all)).toBe(800);
  });
});
