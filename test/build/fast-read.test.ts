import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePostsJsonl } from '../../src/demo/posts.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { ACCOUNTS, makeHome, record, tempDir, withHome } from './_fixture.ts';

// The read stage takes clean JSONL with DuckDB's JSON reader and falls back to the line-exact reader for anything
// that reader would read differently. Whatever the input, both must give the same snapshot.

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let home: string;

beforeAll(async () => {
  home = await makeHome(dir);
});

const line = (over: Record<string, unknown>) => JSON.stringify(record(over));
/** Each case is one input file: two clean records around one line, and whether the fast reader may take the file. */
const CASES: [name: string, odd: string | Buffer, fast: boolean][] = [
  ['clean', line({}), true],
  ['an unknown key', line({ extra: { a: 1 } }), true],
  ['leading spaces', `   ${line({})}`, true],
  ['null participants and parent', line({ participants: null, parent: null }), true],
  ['no participants or parent', line({ participants: undefined, parent: undefined }), true],
  ['escapes in strings', line({ id: 'a"b\\c', text: 'Zeile\nzwei \u00e9 \u2028 "zitiert" \\ /' }), true],
  ['e2ee without text', line({ e2ee: true, text: undefined }), true],
  ['e2ee with null text', line({ e2ee: true, text: null }), true],
  ['participants', line({ participants: ['fb:a:2', 'ig:a:3'] }), true],
  ['a text that looks like JSON', line({ text: '[1, 2]' }), true],
  ['a time without seconds', line({ created_at: '2024-05-01T12:00+02:00' }), true],
  [
    'escapes in created_at and visibility',
    line({}).replace('"public"', '"\\u0070ublic"').replace('"2024-05-01T12:00:00Z"', '"2024-05-01T12:00:00\\u005a"'),
    true,
  ],
  ['a number as id', line({ id: 42 }), false],
  ['a string as e2ee', line({ e2ee: 'false' }), false],
  ['a number as e2ee', line({ e2ee: 0 }), false],
  ['an array as text', line({ text: ['a'] }), false],
  ['a number as text', line({ text: 7 }), false],
  ['a number as created_at', line({ created_at: 1714564800 }), false],
  ['a number as parent', line({ parent: 5 }), false],
  ['a number among participants', line({ participants: ['fb:a:2', 1] }), false],
  ['a string as participants', line({ participants: 'fb:a:2' }), false],
  ['an empty account', line({ account: '' }), false],
  ['a missing source', line({ source: undefined }), false],
  ['null text, not e2ee', line({ text: null }), false],
  ['an odd visibility', line({ visibility: 'everyone' }), false],
  ['a boolean as visibility', line({ visibility: true }), false],
  ['an object as created_at', line({ created_at: { date: '2024-05-01T12:00:00Z' } }), false],
  ['a year 99999', line({ created_at: '99999-01-01T00:00:00Z' }), false],
  ['a repeated key', line({ e2ee: false }).replace(/}$/, ',"e2ee":true}'), false],
  ['a repeated key in another spelling', line({ id: 'esc:1' }).replace(/}$/, ',"\\u0069d":"esc:2"}'), false],
  // An unknown key changes nothing the build reads, repeated or not.
  ['a repeated unknown key', line({}).replace(/}$/, ',"x":1,"x":{"y":2}}'), true],
  ['a vertical tab before the object', `\v${line({})}`, false],
  ['a form feed after the object', `${line({})}\f`, false],
  ['an escaped NUL', line({ text: 'a\u0000b' }), false],
  ['a blank line', '', false],
  ['a line of spaces', '   \t ', false],
  ['a line over the limit', line({ text: 'x'.repeat(3000) }), false],
  ['invalid JSON', '{"id": "broken', false],
  ['content after the object', `${line({})} x`, false],
  ['an array', '[1, 2]', false],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), false],
];

function writeCase(file: string, odd: string | Buffer, ends = '\n'): void {
  const parts = [Buffer.from(line({})), Buffer.isBuffer(odd) ? odd : Buffer.from(odd), Buffer.from(line({}))];
  writeFileSync(file, Buffer.concat(parts.flatMap((p) => [p, Buffer.from(ends)])));
}

/** The snapshot's files that must not differ, with the manifest's counts, inputs and root. */
function outputOf(out: string): Record<string, unknown> {
  const files: Record<string, string> = {};
  for (const sub of ['data', 'lineage', 'quarantine']) {
    for (const f of readdirSync(join(out, sub)).sort()) {
      files[`${sub}/${f}`] = readFileSync(join(out, sub, f)).toString('base64');
    }
  }
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  return { files, counts: m.counts, inputs: m.inputs, root: m.merkle.root };
}

/** The inputs (by position) the build's read stage took with the fast reader, from its journal. */
function fastInputs(out: string): number[] {
  const journal = JSON.parse(readFileSync(join(out, '.build', 'journal.json'), 'utf8'));
  return journal.stages.read.data.value.fast;
}

async function build(inputs: string[], out: string, exact: boolean) {
  const before = process.env.DISSENT_TEST_EXACT_READ;
  if (exact) process.env.DISSENT_TEST_EXACT_READ = '1';
  try {
    return await withHome(home, (h) =>
      runBuild({ home: h, programme: 'ai-training-2025', inputs, out, maxLineBytes: 2048, shardRows: 50 }),
    );
  } finally {
    if (before === undefined) delete process.env.DISSENT_TEST_EXACT_READ;
    else process.env.DISSENT_TEST_EXACT_READ = before;
  }
}

describe('the fast JSONL reader', () => {
  it('takes clean files, leaves every other file to the line-exact reader, and the snapshot is the same', async () => {
    const inputs = CASES.map(([, odd], i) => {
      const file = join(dir, 'cases', `${String(i).padStart(2, '0')}.jsonl`);
      return { file, odd };
    });
    mkdirSync(join(dir, 'cases'), { recursive: true });
    for (const { file, odd } of inputs) writeCase(file, odd);
    // A realistic file too (e2ee records, participants, minors), plain and gzipped.
    const posts = join(dir, 'cases', 'posts.jsonl');
    await writePostsJsonl(posts, { accounts: ACCOUNTS, count: 400, seed: 3 });
    writeFileSync(join(dir, 'cases', 'posts.jsonl.gz'), gzipSync(readFileSync(posts)));
    const files = [...inputs.map((x) => x.file), posts, `${posts}.gz`];

    const fast = await build(files, join(dir, 'fast'), false);
    const exact = await build(files, join(dir, 'exact'), true);
    expect(fastInputs(join(dir, 'exact'))).toEqual([]);
    const took = fastInputs(join(dir, 'fast'));
    const expected = [...CASES.flatMap(([, , ok], i) => (ok ? [i] : [])), CASES.length, CASES.length + 1];
    expect(
      Object.fromEntries(CASES.map(([name], i) => [name, took.includes(i)])),
      'which files the fast reader took',
    ).toEqual(Object.fromEntries(CASES.map(([name, , ok]) => [name, ok])));
    expect(took).toEqual(expected);
    expect(outputOf(join(dir, 'fast'))).toEqual(outputOf(join(dir, 'exact')));
    expect(fast.quarantined).toBeGreaterThan(10);
    expect(fast.kept).toBe(exact.kept);
    expect(fast.read).toBe(exact.read);
  });

  it('refuses CR LF line ends as the line-exact reader does', async () => {
    const file = join(dir, 'crlf.jsonl');
    writeCase(file, line({}), '\r\n');
    await expect(build([file], join(dir, 'crlf'), false)).rejects.toThrow(/carriage return/);
  });
});
