import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, readLineage, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('dedup: exact, with copies that differ only in their white space', () => {
  it('takes any Unicode white space for a space, inside a text as at its ends', async () => {
    const home = await makeHome(dir);
    const chain = 'Kettenbrief: Ich widerspreche der Nutzung meiner Daten!';
    // A chain letter as people paste it: from a web page (no-break spaces), a phone (narrow no-break), a word
    // processor (em space, vertical tab for a manual line break), East Asian input (ideographic space).
    const copies = {
      'd:2': chain.replaceAll(' ', '\u00a0'),
      'd:3': chain.replace(' Ich', '\u202fIch'),
      'd:4': chain.replace(' der', '\u2003der'),
      'd:5': chain.replace(' meiner', '\u000bmeiner'),
      'd:6': chain.replace(' Daten', '\u3000Daten'),
      'd:7': `\u00a0${chain}\u00a0`,
      'd:8': chain.replace(' Ich', ' \u00a0 Ich'),
    };
    const input = join(dir, 'records.jsonl');
    writeJsonl(input, [
      record({ id: 'd:1', text: chain }),
      ...Object.entries(copies).map(([id, text]) => record({ id, text })),
      record({ id: 'd:9', text: chain.replace(' ', '\u200b') }),
    ]);
    const out = join(dir, 'snap');
    await withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out }));
    const reasons = Object.fromEntries((await readLineage(out)).map((r) => [r.id, r.reason]));
    expect(reasons).toEqual({
      'd:1': null,
      ...Object.fromEntries(Object.keys(copies).map((id) => [id, 'duplicate'])),
      // A zero-width space is no white space: that text has a word fewer.
      'd:9': null,
    });
  });

  it('takes a copy with its accents written as a letter and a combining mark (NFD) for the same text', async () => {
    const sub = join(dir, 'nfd');
    mkdirSync(sub);
    const home = await makeHome(sub);
    const text = 'Ich widerspreche der Nutzung: Grüße aus Köln, Café Müller';
    const input = join(sub, 'nfd.jsonl');
    writeJsonl(input, [
      record({ id: 'f:1', text }),
      // As macOS and some PDFs give it: each umlaut and accent a letter and a combining mark.
      record({ id: 'f:2', text: text.normalize('NFD') }),
      // A dotless i is another letter, not another way of writing one: not the same text.
      record({ id: 'f:3', text: text.replace('Nutzung', 'Nutzıng') }),
    ]);
    const out = join(sub, 'snap');
    await withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out }));
    const reasons = Object.fromEntries((await readLineage(out)).map((r) => [r.id, r.reason]));
    expect(reasons).toEqual({ 'f:1': null, 'f:2': 'duplicate', 'f:3': null });
  });

  it('takes a copy in capitals for the same text in Greek too, whose lower-case sigma has a form for the end of a word', async () => {
    const sub = join(dir, 'greek');
    mkdirSync(sub);
    const home = await makeHome(sub);
    const text = 'Δεν συμφωνώ με τους όρους σας για τα δεδομένα μας';
    const input = join(sub, 'greek.jsonl');
    writeJsonl(input, [
      record({ id: 'g:1', text }),
      // In capitals every sigma is Σ, which lower case makes σ, where the text wrote ς at the end of a word.
      record({ id: 'g:2', text: text.toUpperCase() }),
      record({ id: 'g:3', text: text.replace('τους', 'τις') }),
    ]);
    const out = join(sub, 'snap');
    await withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out }));
    const reasons = Object.fromEntries((await readLineage(out)).map((r) => [r.id, r.reason]));
    expect(reasons).toEqual({ 'g:1': null, 'g:2': 'duplicate', 'g:3': null });
  });
});
