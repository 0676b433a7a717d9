import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, readLineage, readShards, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** A chat transcript of about `kb` KB: turns with a name, an e-mail address and a phone number now and then. */
function transcript(n: number, kb: number): string {
  const turns: string[] = [];
  for (let i = 0; turns.join(' ').length < kb * 1024; i++) {
    turns.push(
      i % 7 === 0
        ? `Frage ${n}.${i}: Kannst du Anna Musterfrau unter anna${n}@example.org oder +49 30 1234567${i % 10} erreichen?`
        : `Antwort ${n}.${i}: Das ist eine ganz normale Antwort über das Wetter, die Arbeit und das Leben in der Stadt.`,
    );
  }
  return turns.join(' ');
}

describe('a build of long records (AI-assistant chats of 100 KB)', () => {
  it('finishes within the default engine memory, with every text redacted and in order (60 MB of JSONL)', async () => {
    const home = await makeHome(dir);
    const input = join(dir, 'chats.jsonl');
    const chats = Array.from({ length: 600 }, (_, n) =>
      record({
        id: `ch:${String(n).padStart(4, '0')}`,
        source: 'assistant',
        kind: 'assistant_chat',
        text: transcript(n, 100),
      }),
    );
    writeJsonl(input, chats);
    const out = join(dir, 'snap');
    await withHome(home, (h) =>
      // The default --memory (512MB): the version before this test ran out of it while guessing the chats' language.
      runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out, threads: 2 }),
    );
    const rows = await readShards(out);
    expect(rows.map((r) => r.id)).toEqual(chats.map((c) => c.id));
    expect(rows.every((r) => !r.text?.includes('@example.org') && !r.text?.includes('Anna Musterfrau'))).toBe(true);
    expect((await readLineage(out)).filter((r) => r.reason === null)).toHaveLength(chats.length);
  });
});
