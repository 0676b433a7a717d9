import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import { dissent, tempDir } from '../helpers/cli.ts';
import { buildGoVerifier, goAvailability, runGoInterop } from '../helpers/go.ts';
import { describeWhere } from '../helpers/requires.ts';

const go = goAvailability();

type NoteResult = { ok: boolean; error?: string; checkpoint?: { origin: string; size: number; root: string } };
type ProofResults = { inclusion: { ok: boolean; error?: string }[]; consistency: { ok: boolean; error?: string }[] };

describeWhere(go, "the real CLI's checkpoints and proofs, checked by Go's sumdb/note and sumdb/tlog", () => {
  let bin = '';
  const home = join(tempDir(), 'home');
  let vkey = '';

  beforeAll(async () => {
    bin = (await buildGoVerifier()) as string;
    vkey = dissent(['init', '--home', home]).stdout.trim();
    const file = join(tempDir(), 'accounts.jsonl');
    writeFileSync(file, [...generateIdentityGraph({ persons: 40 })].map((r) => JSON.stringify(r)).join('\n'));
    dissent(['identities', 'import', file, '--home', home]);
    const subjects = Array.from({ length: 37 }, (_, i) => JSON.stringify({ subject: `p:${i + 1}` })).join('\n');
    const subjectsFile = join(tempDir(), 's.jsonl');
    writeFileSync(subjectsFile, subjects);
    expect(dissent(['object', '--subjects', subjectsFile, '--home', home]).code).toBe(0);
  });

  it('Go accepts checkpoints, inclusion proofs and a consistency proof served by `dissent log`', async () => {
    const oldNote = dissent(['log', 'checkpoint', '--home', home]).stdout;
    const old = await runGoInterop<NoteResult>(bin, 'verify-note', { vkey, note: oldNote });
    expect(old).toMatchObject({ ok: true, checkpoint: { origin: 'dissent.example/log', size: 37 } });
    expect(dissent(['withdraw', '--subject', 'p:3', '--home', home]).code).toBe(0);
    expect(dissent(['object', '--subject', 'p:40', '--home', home]).code).toBe(0);
    const cur = await runGoInterop<NoteResult>(bin, 'verify-note', {
      vkey,
      note: dissent(['log', 'checkpoint', '--home', home]).stdout,
    });
    expect(cur.ok).toBe(true);
    expect(cur.checkpoint?.size).toBe(39);

    const inclusion = [0, 17, 36, 38].map((i) => {
      const p = JSON.parse(dissent(['log', 'prove', String(i), '--home', home]).stdout);
      const leaf = Buffer.from(dissent(['log', 'entry', String(i), '--home', home]).stdout.trimEnd()).toString(
        'base64',
      );
      return { leaf, index: p.index, size: p.size, root: p.root, proof: p.proof };
    });
    const c = JSON.parse(dissent(['log', 'consistency', '37', '--home', home]).stdout);
    const consistency = [
      { from: 37, to: 39, from_root: old.checkpoint?.root, to_root: cur.checkpoint?.root, proof: c.proof },
    ];
    const res = await runGoInterop<ProofResults>(bin, 'verify-proofs', { inclusion, consistency });
    expect(res.inclusion.every((r) => r.ok)).toBe(true);
    expect(res.consistency).toEqual([{ ok: true }]);
    for (const p of inclusion) expect(p.root).toBe(cur.checkpoint?.root);

    const tampered = await runGoInterop<NoteResult>(bin, 'verify-note', {
      vkey,
      note: oldNote.replace('\n37\n', '\n38\n'),
    });
    expect(tampered.ok).toBe(false);
  });
});
