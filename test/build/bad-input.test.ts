import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome } from '../../src/cli/commands/init.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { makeHome, readLineage, readShards, record, tempDir, withHome } from './_fixture.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** Runs each statement (a COPY … TO a Parquet file, say) in an in-memory DuckDB of its own, closed after. */
async function inMemoryDuckDB(...statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const sql of statements) await conn.run(sql);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Broken lines of every kind, each with the reason and detail the build must give it. */
const BROKEN: [string | Buffer, string, string | null][] = [
  ['{"id": "broken', 'invalid_json', null],
  ['not json at all', 'invalid_json', null],
  ['{"id":"a","text":"raw\u0001control"}', 'invalid_json', null],
  [Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'invalid_utf8', null],
  [JSON.stringify(record({ text: 'x'.repeat(5000) })), 'line_too_long', null],
  ['[1, 2, 3]', 'not_an_object', null],
  ['"just a string"', 'not_an_object', null],
  [JSON.stringify({ ...record(), id: undefined }), 'missing_field', 'id'],
  [JSON.stringify({ ...record(), created_at: undefined }), 'missing_field', 'created_at'],
  [JSON.stringify({ ...record(), text: undefined }), 'missing_field', 'text'],
  [JSON.stringify({ ...record(), account: null }), 'missing_field', 'account'],
  [JSON.stringify(record({ e2ee: 'no' })), 'ill_typed_field', 'e2ee'],
  [JSON.stringify(record({ created_at: 'yesterday' })), 'ill_typed_field', 'created_at'],
  // DuckDB casts these to timestamps; an age judged at them would pass a minor's post as an adult's.
  [JSON.stringify(record({ created_at: 'infinity' })), 'ill_typed_field', 'created_at'],
  [JSON.stringify(record({ created_at: '99999-01-01T00:00:00Z' })), 'ill_typed_field', 'created_at'],
  // Not ISO 8601, though DuckDB casts them: 1970-01-01, a time zone name, leading spaces.
  [JSON.stringify(record({ created_at: 'epoch' })), 'ill_typed_field', 'created_at'],
  [JSON.stringify(record({ created_at: '2024-05-01 12:00:00 Pacific/Kiritimati' })), 'ill_typed_field', 'created_at'],
  [JSON.stringify(record({ created_at: ' 2024-05-01T12:00:00Z' })), 'ill_typed_field', 'created_at'],
  [JSON.stringify(record({ id: 42 })), 'ill_typed_field', 'id'],
  [JSON.stringify(record({ visibility: 'everyone' })), 'ill_typed_field', 'visibility'],
  [JSON.stringify(record({ participants: 'fb:a:2' })), 'ill_typed_field', 'participants'],
  [JSON.stringify(record({ participants: ['fb:a:2', 7] })), 'ill_typed_field', 'participants'],
  [JSON.stringify(record({ text: { nested: true } })), 'ill_typed_field', 'text'],
  [JSON.stringify(record({ text: 'DUPKEY-SECRET' })).replace(/}$/, ',"e2ee":true}'), 'invalid_json', null],
  [JSON.stringify(record({ account: 'fb:a:1' })).replace(/}$/, ',"account":"fb:a:2"}'), 'invalid_json', null],
];

let lines: Buffer[];
const expected: { line: number; reason: string; detail: string | null }[] = [];
let input: string;
let summary: Awaited<ReturnType<typeof runBuild>>;
let home: string;

beforeAll(async () => {
  home = await makeHome(dir);
  lines = [];
  let broken = 0;
  for (let i = 1; i <= 1000; i++) {
    if (i % 20 === 7) {
      const [text, reason, detail] = BROKEN[broken % BROKEN.length] as [string | Buffer, string, string | null];
      broken++;
      lines.push(Buffer.isBuffer(text) ? text : Buffer.from(text));
      expected.push({ line: i, reason, detail });
    } else {
      lines.push(
        Buffer.from(
          JSON.stringify(
            record({ id: `ok:${String(i).padStart(4, '0')}`, text: `Beitrag Nummer ${i} über den Garten.` }),
          ),
        ),
      );
    }
  }
  input = join(dir, 'bad.jsonl');
  writeFileSync(input, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
  summary = await withHome(home, (h) =>
    runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out: join(dir, 'snap'), maxLineBytes: 2048 }),
  );
});

describe('a 1,000-line input with 50 broken lines', () => {
  it('keeps the 950 good records and quarantines the 50 broken lines', () => {
    expect(expected).toHaveLength(50);
    expect(summary.read).toBe(1000);
    expect(summary.kept).toBe(950);
    expect(summary.quarantined).toBe(50);
  });

  it('names each broken line by file, line number and the right reason, without its content', () => {
    const text = readFileSync(join(dir, 'snap', 'quarantine', 'quarantine.jsonl'), 'utf8');
    const entries = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; detail: string | null });
    expect(
      entries.map((e) => ({
        line: e.line,
        reason: e.reason,
        detail:
          e.reason === 'invalid_json' ||
          e.reason === 'invalid_utf8' ||
          e.reason === 'line_too_long' ||
          e.reason === 'not_an_object'
            ? null
            : e.detail,
      })),
    ).toEqual(expected);
    expect(new Set(entries.map((e) => e.file))).toEqual(new Set([input]));
    expect(text).not.toContain('xxxxxxxx');
    expect(text).not.toContain('DUPKEY-SECRET');
    expect(text).not.toContain('Beitrag');
  });

  it('counts quarantined lines by reason in the manifest', () => {
    const m = JSON.parse(readFileSync(join(dir, 'snap', 'manifest.json'), 'utf8'));
    const byReason: Record<string, number> = {};
    for (const e of expected) byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
    for (const [reason, n] of Object.entries(byReason)) expect(m.counts.quarantined_by_reason[reason]).toBe(n);
    expect(m.inputs[0].read).toBe(1000);
  });
});

describe('blank lines', () => {
  it('are not records, yet count towards the line numbers of the lines after them', async () => {
    const file = join(dir, 'blank.jsonl');
    const good = (n: number) => JSON.stringify(record({ id: `blank:${n}`, text: `Zeile ${n} über den Garten.` }));
    writeFileSync(file, `${[good(1), '', '   ', '\u00a0', good(5), '{"id": "broken', good(7)].join('\n')}\n`);
    const out = join(dir, 'snap-blank');
    const s = await withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [file], out }));
    expect([s.read, s.kept, s.quarantined]).toEqual([4, 3, 1]);
    const entry = JSON.parse(readFileSync(join(out, 'quarantine', 'quarantine.jsonl'), 'utf8').trim());
    expect([entry.line, entry.reason]).toEqual([6, 'invalid_json']);
  });
});

describe('several inputs and damaged files', () => {
  const good = (id: string) => JSON.stringify(record({ id, text: `Beitrag ${id} über den Garten.` }));
  const build = (inputs: string[], out: string) =>
    withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs, out: join(dir, out) }));
  const quarantine = (out: string) =>
    readFileSync(join(dir, out, 'quarantine', 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; detail?: string });

  it("gives each file only its own rejected lines, with that file's line numbers", async () => {
    const a = join(dir, 'multi-a.jsonl');
    const b = join(dir, 'multi-b.jsonl');
    writeFileSync(a, Buffer.from([0xff, 0x0a]));
    writeFileSync(b, `${good('multi:1')}\n{bad\n`);
    const s = await build([a, b], 'snap-multi');
    expect([s.read, s.kept, s.quarantined]).toEqual([3, 1, 2]);
    expect(quarantine('snap-multi').map((e) => [e.file, e.line, e.reason])).toEqual([
      [a, 1, 'invalid_utf8'],
      [b, 2, 'invalid_json'],
    ]);
  });

  it('walks a folder for JSON Lines and Parquet only, and reads a .GZ name in capitals as gzip', async () => {
    const folder = join(dir, 'walk');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.JSONL.GZ'), gzipSync(`${good('walk:a')}\n`));
    writeFileSync(join(folder, 'b.ndjson'), `${good('walk:b')}\n`);
    writeFileSync(join(folder, 'meta.json'), '{\n  "exported": "2025-05-01"\n}\n');
    writeFileSync(join(folder, '.hidden.jsonl'), 'not read, and not worth a word\n');
    const s = await build([folder], 'snap-walk');
    expect([s.read, s.kept, s.quarantined]).toEqual([2, 2, 0]);
    // The file left out is named, so that a misnamed data file is not missed.
    expect(s.warnings).toEqual([expect.stringMatching(/^1 file in the input folders was not read, .*meta\.json\)$/)]);
    // Run again, it has nothing to do, and it says the same.
    const again = await build([folder], 'snap-walk');
    expect(again.alreadyBuilt).toBe(true);
    expect(again.warnings).toEqual(s.warnings);
  });

  it('follows a link to a folder, and never walks its own snapshot folder inside an input folder', async () => {
    const folder = join(dir, 'nest');
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'c.jsonl'), `${good('nest:c')}\n`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jsonl'), `${good('nest:a')}\n`);
    symlinkSync(join(dir, 'elsewhere'), join(folder, 'linked'));
    symlinkSync(folder, join(folder, 'loop'));
    const out = join('nest', 'snap');
    expect((await build([folder], out)).read).toBe(2);
    // The same command again: its own Parquet files are not inputs, so it is the same build, already done.
    const again = await build([folder], out);
    expect([again.read, again.alreadyBuilt]).toEqual([2, true]);
  });

  it('refuses a folder holding a link that loops, or one to nothing, naming the link, not with an unexpected ELOOP', async () => {
    const folder = join(dir, 'links');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jsonl'), `${good('links:a')}\n`);
    symlinkSync('l2.jsonl', join(folder, 'l1.jsonl'));
    symlinkSync('l1.jsonl', join(folder, 'l2.jsonl'));
    await expect(build([folder], 'snap-links')).rejects.toMatchObject({
      code: 'E_INPUT_MISSING',
      message: `cannot read input ${join(folder, 'l1.jsonl')}: a loop of symbolic links`,
    });
    rmSync(join(folder, 'l1.jsonl'));
    rmSync(join(folder, 'l2.jsonl'));
    symlinkSync('gone.jsonl', join(folder, 'dangling.jsonl'));
    await expect(build([folder], 'snap-links')).rejects.toMatchObject({
      code: 'E_INPUT_MISSING',
      message: `cannot read input ${join(folder, 'dangling.jsonl')}: a symbolic link to a file or folder that does not exist`,
    });
  });

  it('refuses an export folder holding a file whose name is not UTF-8, naming it, not with an unexpected ENOENT', async () => {
    const folder = join(dir, 'latin1-export', 'your_activity_across_facebook', 'posts');
    mkdirSync(folder, { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(`${folder}/`), Buffer.from('Gäste.json', 'latin1')]), '[]');
    await expect(build([`facebook:${join(dir, 'latin1-export')}@fb:a:1`], 'snap-latin1-export')).rejects.toMatchObject({
      code: 'E_INPUT_MISSING',
      message: expect.stringMatching(/^cannot read input .*\/posts\/G\uFFFDste\.json: its name is not UTF-8/),
    });
  });

  it('refuses a folder holding a file or folder whose name is not UTF-8 (Latin-1), naming it, not with an unexpected ENOENT', async () => {
    const folder = join(dir, 'latin1');
    mkdirSync(folder);
    writeFileSync(join(folder, 'ok.jsonl'), `${good('latin1:ok')}\n`);
    const latin1 = (name: string) => Buffer.concat([Buffer.from(`${folder}/`), Buffer.from(name, 'latin1')]);
    mkdirSync(latin1('Gäste'));
    writeFileSync(Buffer.concat([latin1('Gäste'), Buffer.from('/a.jsonl')]), `${good('latin1:a')}\n`);
    await expect(build([folder], 'snap-latin1')).rejects.toMatchObject({
      code: 'E_INPUT_MISSING',
      message: expect.stringMatching(/^cannot read input .*\/latin1\/G\uFFFDste: its name is not UTF-8/),
    });
    rmSync(latin1('Gäste'), { recursive: true });
    // Another file is not read, whatever its name: it is ignored, as ever.
    writeFileSync(latin1('Notizen für.txt'), 'text');
    expect(await build([folder], 'snap-latin1-txt')).toMatchObject({ read: 1, kept: 1 });
    writeFileSync(latin1('café.jsonl'), `${good('latin1:b')}\n`);
    await expect(build([folder], 'snap-latin1')).rejects.toMatchObject({
      code: 'E_INPUT_MISSING',
      message: expect.stringMatching(/^cannot read input .*\/latin1\/caf\uFFFD\.jsonl: its name is not UTF-8/),
    });
  });

  it('refuses an input inside its own --out folder, and --force then deletes nothing', async () => {
    const file = join(dir, 'self.jsonl');
    writeFileSync(file, `${good('self:1')}\n`);
    expect((await build([file], 'snap-self')).kept).toBe(1);
    const snap = join(dir, 'snap-self');
    const shard = join(snap, 'data', 'part-00000.parquet');
    for (const input of [snap, shard]) {
      const run = (force: boolean) =>
        withHome(home, (h) => runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out: snap, force }));
      await expect(run(true)).rejects.toMatchObject({
        code: 'E_USAGE',
        message: expect.stringContaining(`input ${input} is `),
      });
    }
    expect(existsSync(shard)).toBe(true);
  });

  it('never reads a file or folder of its own --out folder through a link in an input folder, so --force deletes no input', async () => {
    const folder = join(dir, 'into-out');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jsonl'), `${good('into:1')}\n{"broken\n`);
    const out = 'snap-into-out';
    expect(await build([folder], out)).toMatchObject({ read: 2, kept: 1, quarantined: 1 });
    symlinkSync(join(dir, out, 'quarantine', 'quarantine.jsonl'), join(folder, 'q.jsonl'));
    symlinkSync(join(dir, out, 'data'), join(folder, 'shards'));
    // The same build, already done: the snapshot's own files are not inputs.
    expect(await build([folder], out)).toMatchObject({ read: 2, alreadyBuilt: true });
    const forced = await withHome(home, (h) =>
      runBuild({ home: h, programme: 'ai-training-2025', inputs: [folder], out: join(dir, out), force: true }),
    );
    expect(forced).toMatchObject({ read: 2, kept: 1, quarantined: 1, alreadyBuilt: false });
  });

  it('refuses an input that is a device or pipe (read more than once, it would be used up or never end)', async () => {
    await expect(build(['/dev/null'], 'snap-device')).rejects.toMatchObject({
      code: 'E_INPUT_NOT_FILE',
      message: 'input /dev/null is not a regular file (a pipe or device); write the data to a file and give that',
    });
    const folder = join(dir, 'with-device');
    mkdirSync(folder);
    symlinkSync('/dev/null', join(folder, 'null.jsonl'));
    await expect(build([folder], 'snap-device')).rejects.toMatchObject({ code: 'E_INPUT_NOT_FILE' });
  });

  it('reads a file named like a glob pattern (posts[1].jsonl, b*.jsonl) itself, not the files the pattern matches', async () => {
    const folder = join(dir, 'globs');
    mkdirSync(folder);
    // posts[1].jsonl as a pattern matches posts1.jsonl, with as many lines: only the ids tell them apart.
    writeFileSync(join(folder, 'posts[1].jsonl'), `${good('glob:bracket')}\n`);
    writeFileSync(join(folder, 'posts1.jsonl'), `${good('glob:one')}\n`);
    writeFileSync(join(folder, 'b*.jsonl'), `${good('glob:star')}\n`);
    writeFileSync(join(folder, 'bx.jsonl'), `${good('glob:bx')}\n`);
    const s = await build([join(folder, 'posts[1].jsonl'), join(folder, 'b*.jsonl')], 'snap-glob');
    expect([s.read, s.kept]).toEqual([2, 2]);
    expect((await readShards(join(dir, 'snap-glob'))).map((r) => r.id)).toEqual(['glob:bracket', 'glob:star']);
  });

  it('keeps a line of exactly --max-line-bytes and quarantines one byte more', async () => {
    const file = join(dir, 'edge.jsonl');
    const line = (id: string, bytes: number) => {
      const base = good(id);
      return base.replace('Beitrag', `Beitrag${'x'.repeat(bytes - Buffer.byteLength(base))}`);
    };
    writeFileSync(file, `${line('edge:1', 1024)}\n${line('edge:2', 1025)}\n`);
    const s = await withHome(home, (h) =>
      runBuild({
        home: h,
        programme: 'ai-training-2025',
        inputs: [file],
        out: join(dir, 'snap-edge'),
        maxLineBytes: 1024,
      }),
    );
    expect([s.read, s.kept, s.quarantined]).toEqual([2, 1, 1]);
    expect(quarantine('snap-edge').map((q) => [q.line, q.reason])).toEqual([[2, 'line_too_long']]);
  });

  it('imports nothing from an --accounts file with a bad line, and refuses the build', async () => {
    const accounts = join(dir, 'accounts-bad.jsonl');
    const row = (n: number) =>
      JSON.stringify({ account: `zz:a:${n}`, person: `zz:p:${n}`, source: 'facebook', country: 'DE' });
    const bad = Array.from({ length: 6 }, () => '{not json');
    writeFileSync(accounts, `${row(1)}\n${bad.join('\n')}\n${row(2)}\n${row(1)}\n`);
    const file = join(dir, 'acc.jsonl');
    writeFileSync(file, `${good('acc:1')}\n`);
    const buildInto = (out: string) =>
      withHome(home, (h) =>
        runBuild({
          home: h,
          programme: 'ai-training-2025',
          inputs: [file],
          out: join(dir, out),
          accountsFile: accounts,
        }),
      );
    await expect(buildInto('snap-acc')).rejects.toMatchObject({
      code: 'E_ACCOUNTS',
      message: expect.stringMatching(
        /has 7 bad lines \(line 2: invalid JSON; line 3: invalid JSON; .*line 6: invalid JSON; 2 more\); fix them and run again \(nothing was imported\)/,
      ),
    });
    const found = await withHome(home, (h) => h.store.lookupSubjects(['zz:a:1', 'zz:a:2']));
    expect(found).toEqual([undefined, undefined]);
    // Nothing is left behind to resume: not the folder it made, nor a work folder in one that was there.
    expect(existsSync(join(dir, 'snap-acc'))).toBe(false);
    mkdirSync(join(dir, 'snap-acc-mine'));
    await expect(buildInto('snap-acc-mine')).rejects.toMatchObject({ code: 'E_ACCOUNTS' });
    expect(readdirSync(join(dir, 'snap-acc-mine'))).toEqual([]);
  });

  it('warns when the identity graph is empty or the inputs hold no records, instead of only signing', async () => {
    const bare = join(dir, 'bare-home');
    initHome(bare);
    const file = join(dir, 'nothing.jsonl');
    writeFileSync(file, '');
    const s = await withHome(bare, (h) =>
      runBuild({ home: h, programme: 'ai-training-2025', inputs: [file], out: join(dir, 'snap-bare') }),
    );
    expect(s.warnings).toEqual([
      expect.stringContaining('the identity graph is empty'),
      expect.stringContaining('the inputs hold no records'),
    ]);
    // With an identity graph and records, nothing to warn about.
    writeFileSync(file, `${good('warn:1')}\n`);
    expect((await build([file], 'snap-warn')).warnings).toEqual([]);
    // The wrong file (here the identity graph itself): every line quarantined.
    const wrong = join(dir, 'wrong-file.jsonl');
    writeFileSync(wrong, `${JSON.stringify({ account: 'fb:a:1', person: 'p:1' })}\n{"account":"fb:a:2"}\n`);
    const w = await build([wrong], 'snap-wrong');
    expect([w.read, w.quarantined]).toEqual([2, 2]);
    expect(w.warnings).toEqual([expect.stringContaining('every one of the 2 lines read was quarantined')]);
    // Among several inputs, the one that is empty and the one that is all bad are named.
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const several = await build([file, wrong, empty], 'snap-several');
    expect([several.read, several.kept]).toEqual([3, 1]);
    expect(several.warnings).toEqual([
      expect.stringContaining(`every one of the 2 lines of the input ${wrong} was quarantined`),
      `the input ${empty} holds no records`,
    ]);
  });

  it('leaves the identity graph alone when an export input is refused as the wrong format', async () => {
    const bare = join(dir, 'format-home');
    initHome(bare);
    const accounts = join(dir, 'format-accounts.jsonl');
    writeFileSync(accounts, `${JSON.stringify({ account: 'fb:a:1', person: 'p:1', source: 'facebook' })}\n`);
    const instagram = join(import.meta.dirname, '..', 'fixtures', 'sources', 'instagram');
    const attempt = withHome(bare, (h) =>
      runBuild({
        home: h,
        programme: 'ai-training-2025',
        inputs: [`facebook:${instagram}@fb:a:1`],
        out: join(dir, 'snap-format'),
        accountsFile: accounts,
      }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'E_FORMAT' });
    expect(await withHome(bare, (h) => h.store.countAccounts())).toEqual({ accounts: 0, persons: 0 });
  });

  it("quarantines a record that repeats an earlier record's id, so that an id is never both excluded and kept", async () => {
    await withHome(home, (h) => h.registry.object({ subject: 'p:6', channel: 'cli' }));
    const objector = (id: string) => JSON.stringify(record({ id, account: 'fb:a:6', text: `Objektor ${id}.` }));
    const other = (id: string) => JSON.stringify(record({ id, account: 'fb:a:5', text: `Andere ${id}.` }));
    const file = join(dir, 'repeated-ids.jsonl');
    writeFileSync(
      file,
      [objector('rep:1'), other('rep:1'), other('rep:2'), objector('rep:2'), other('rep:3')].join('\n'),
    );
    const s = await build([file], 'snap-repeated');
    expect([s.read, s.kept, s.excluded.objection, s.quarantined]).toEqual([5, 2, 1, 2]);
    const m = JSON.parse(readFileSync(join(dir, 'snap-repeated', 'manifest.json'), 'utf8'));
    expect(m.counts.quarantined_by_reason.duplicate_id).toBe(2);
    expect(quarantine('snap-repeated').map((e) => [e.line, e.reason])).toEqual([
      [2, 'duplicate_id'],
      [4, 'duplicate_id'],
    ]);
    // The first record with an id is the one read: rep:1 is the objector's (excluded), rep:2 another's (kept).
    const lineage = await readLineage(join(dir, 'snap-repeated'));
    expect(lineage.map((r) => [r.id, r.reason]).sort()).toEqual([
      ['rep:1', 'objection'],
      ['rep:2', null],
      ['rep:3', null],
    ]);
    expect((await readShards(join(dir, 'snap-repeated'))).map((r) => [r.id, r.text])).toEqual([
      ['rep:2', 'Andere rep:2.'],
      ['rep:3', 'Andere rep:3.'],
    ]);
  });

  it('takes a line of tabs and spaces as blank', async () => {
    const file = join(dir, 'tabs.jsonl');
    writeFileSync(file, `${good('tabs:1')}\n\t \t\n${good('tabs:3')}\n`);
    const s = await build([file], 'snap-tabs');
    expect([s.read, s.kept, s.quarantined]).toEqual([2, 2, 0]);
  });

  it('reads ISO 8601 times without seconds, with or without an offset, with a long fraction or in lower case, in the JSONL and the Parquet reader', async () => {
    const times = [
      '2024-05-01T12:00Z',
      '2024-05-01T12:00+02:00',
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:00',
      '2024-05-01T12:00:00.123456789012Z',
      '2024-05-01t12:00:00z',
      '2024-05-01t12:00z',
    ];
    const rows = times.map((t, i) => record({ id: `min:${i}`, created_at: t }));
    const file = join(dir, 'minutes.jsonl');
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const parquet = join(dir, 'minutes.parquet');
    await inMemoryDuckDB(`COPY (SELECT * FROM read_json('${file}', columns = {id: 'VARCHAR', source: 'VARCHAR', kind: 'VARCHAR',
      account: 'VARCHAR', created_at: 'VARCHAR', visibility: 'VARCHAR', e2ee: 'BOOLEAN', text: 'VARCHAR'})) TO '${parquet}'`);
    for (const [input, out] of [
      [file, 'snap-minutes'],
      [parquet, 'snap-minutes-pq'],
    ] as const) {
      const s = await build([input], out);
      expect([s.read, s.kept, s.quarantined]).toEqual([7, 7, 0]);
      const shards = await readShards(join(dir, out));
      expect(shards.map((r) => [r.id, r.created_at])).toEqual([
        ['min:0', '2024-05-01T12:00:00.000000Z'],
        ['min:1', '2024-05-01T10:00:00.000000Z'],
        ['min:2', '2024-05-01T12:00:00.000000Z'],
        ['min:3', '2024-05-01T12:00:00.000000Z'],
        ['min:4', '2024-05-01T12:00:00.123456Z'],
        ['min:5', '2024-05-01T12:00:00.000000Z'],
        ['min:6', '2024-05-01T12:00:00.000000Z'],
      ]);
    }
  });

  it('quarantines a time whose offset is no offset (+99:99, +24:00, -01:60), which would move a record by days, in the JSONL and the Parquet reader', async () => {
    const times = [
      '2024-05-01T12:00:00+99:99',
      '2024-05-01T12:00:00-9999',
      '2024-05-01T12:00:00+24:00',
      '2024-05-01T12:00:00-01:60',
      '2024-05-01T12:00:00+14:00',
      '2024-05-01T12:00:00-12:00',
      '2024-05-01T12:00:00+0545',
    ];
    const rows = times.map((t, i) => record({ id: `off:${i}`, created_at: t }));
    const file = join(dir, 'offsets.jsonl');
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const parquet = join(dir, 'offsets.parquet');
    await inMemoryDuckDB(`COPY (SELECT * FROM read_json('${file}', columns = {id: 'VARCHAR', source: 'VARCHAR', kind: 'VARCHAR',
      account: 'VARCHAR', created_at: 'VARCHAR', visibility: 'VARCHAR', e2ee: 'BOOLEAN', text: 'VARCHAR'})) TO '${parquet}'`);
    for (const [input, out] of [
      [file, 'snap-offsets'],
      [parquet, 'snap-offsets-pq'],
    ] as const) {
      const s = await build([input], out);
      expect([s.read, s.kept, s.quarantined]).toEqual([7, 3, 4]);
      const q = readFileSync(join(dir, out, 'quarantine', 'quarantine.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; reason: string; detail: string });
      expect(q.map((e) => [e.line, e.reason, e.detail])).toEqual(
        [1, 2, 3, 4].map((line) => [line, 'ill_typed_field', 'created_at']),
      );
      const shards = await readShards(join(dir, out));
      expect(shards.map((r) => [r.id, r.created_at])).toEqual([
        ['off:4', '2024-04-30T22:00:00.000000Z'],
        ['off:5', '2024-05-02T00:00:00.000000Z'],
        ['off:6', '2024-05-01T06:15:00.000000Z'],
      ]);
    }
  });

  it('reads a file that holds only a byte order mark as empty', async () => {
    const file = join(dir, 'bom-only.jsonl');
    writeFileSync(file, '\uFEFF');
    const s = await build([file], 'snap-bom');
    expect([s.read, s.kept, s.quarantined]).toEqual([0, 0, 0]);
  });

  it('redacts a long record naming an objecting participant many times, in linear time and bounded memory', async () => {
    await withHome(home, (h) => h.registry.object({ subject: 'fb:a:4', channel: 'cli' }));
    // Person4 Beispiel (fb:a:4) now objects. Splitting the text once per occurrence made this quadratic (44 s and
    // 1.7 GB for 8,000 occurrences), and carrying a long text along with each of its tokens ran out of memory.
    // Finding the spellings by summing the lengths before each find was quadratic too (17 s for 20,000, in capitals
    // here: a megabyte of them took minutes).
    const file = join(dir, 'many.jsonl');
    const text = `${'Person4 Beispiel, PERSON4 BEISPIEL, '.repeat(25_000)}Ende`;
    writeFileSync(file, `${JSON.stringify(record({ id: 'many:1', text, participants: ['fb:a:4'] }))}\n`);
    const out = 'snap-many';
    const s = await build([file], out);
    expect(s.excluded.participant_objected ?? 0).toBe(0);
    expect(s.kept).toBe(1);
    const [row] = await readShards(join(dir, out));
    expect(row?.text?.startsWith('[person], [person], ')).toBe(true);
    expect(row?.text).not.toMatch(/Person4/i);
  }, 20_000);

  it('refuses a memory limit that is not a size before it creates anything', async () => {
    const file = join(dir, 'mem.jsonl');
    writeFileSync(file, `${good('mem:1')}\n`);
    const out = join(dir, 'snap-mem');
    await expect(
      withHome(home, (h) =>
        runBuild({ home: h, programme: 'ai-training-2025', inputs: [file], out, memoryLimit: 'lots' }),
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining('--memory must be a size') });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a WhatsApp chat given as a plain input, and an empty --input, before reading anything', async () => {
    const chat = readFileSync(join('test', 'fixtures', 'sources', 'whatsapp', 'android-de.txt'));
    for (const [name, bytes] of [
      ['chat.txt', chat],
      ['renamed.jsonl', chat],
      ['renamed.jsonl.gz', gzipSync(chat)],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      await expect(build([file], `snap-wa-${name}`)).rejects.toMatchObject({ code: 'E_E2EE' });
      expect(existsSync(join(dir, `snap-wa-${name}`))).toBe(false);
    }
    await expect(build([''], 'snap-empty-input')).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('--input is empty'),
    });
  });

  it('refuses an archive named without its export format, instead of quarantining its bytes as lines', async () => {
    const file = join(dir, 'export.zip');
    writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a]));
    await expect(build([file], 'snap-zip')).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('FORMAT:PATH@ACCOUNT'),
    });
  });

  it('refuses CR LF line ends with a clear error instead of an engine failure', async () => {
    const file = join(dir, 'crlf.jsonl');
    writeFileSync(file, `${good('crlf:1')}\r\n${good('crlf:2')}\r\n`);
    await expect(build([file], 'snap-crlf')).rejects.toMatchObject({
      code: 'E_INPUT_NEWLINE',
      message: expect.stringContaining('crlf.jsonl'),
    });
    // The refused build leaves no engine database (it holds record text) and is no obstacle to building again.
    expect(readdirSync(join(dir, 'snap-crlf', '.build')).sort()).toEqual(['journal.json']);
    writeFileSync(file, `${good('crlf:1')}\n${good('crlf:2')}\n`);
    expect((await build([file], 'snap-crlf')).kept).toBe(2);
    // Compressed, the advice is to unpack first: dos2unix on gzip bytes would not help.
    const gz = join(dir, 'crlf.jsonl.gz');
    writeFileSync(gz, gzipSync(`${good('crlfgz:1')}\r\n${good('crlfgz:2')}\r\n`));
    await expect(build([gz], 'snap-crlf-gz')).rejects.toMatchObject({
      code: 'E_INPUT_NEWLINE',
      message: expect.stringContaining('zcat FILE | dos2unix | gzip'),
    });
  });

  it('refuses a gzip input that is cut short, instead of building from part of it', async () => {
    const file = join(dir, 'cut.jsonl.gz');
    const rows = Array.from({ length: 5000 }, (_, i) => good(`cut:${i}`)).join('\n');
    const gz = gzipSync(`${rows}\n`);
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(build([file], 'snap-cut')).rejects.toMatchObject({ code: 'E_INPUT_GZIP' });
  });

  it('refuses a gzip input padded with zeros after its data, naming the file, instead of an engine error', async () => {
    const file = join(dir, 'padded.jsonl.gz');
    writeFileSync(file, Buffer.concat([gzipSync(`${good('padded:1')}\n`), Buffer.alloc(512)]));
    await expect(build([file], 'snap-padded')).rejects.toMatchObject({
      code: 'E_INPUT_GZIP',
      message: expect.stringContaining(`${file}: the engine cannot read this gzip file`),
    });
    expect(existsSync(join(dir, 'snap-padded', '.build', 'build.duckdb'))).toBe(false);
  });

  it('refuses a gzip input whose header has a comment or the text flag by that cause, not as bytes after its data', async () => {
    // RFC 1952 header fields Node and gzip take, the engine not: FTEXT (1), FHCRC (2), FCOMMENT (16).
    const plain = gzipSync(`${good('hdr:1')}\n`);
    const flagged = (flags: number, ...fields: Buffer[]) =>
      Buffer.concat([plain.subarray(0, 3), Buffer.from([flags]), plain.subarray(4, 10), ...fields, plain.subarray(10)]);
    const comment = join(dir, 'comment.jsonl.gz');
    writeFileSync(comment, flagged(16, Buffer.from('made by a tool\0')));
    const text = join(dir, 'ftext.jsonl.gz');
    writeFileSync(text, flagged(1));
    for (const [file, out] of [
      [comment, 'snap-gz-comment'],
      [text, 'snap-gz-ftext'],
    ] as const) {
      const refusal = await build([file], out).then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(refusal).toMatchObject({ code: 'E_INPUT_GZIP', message: expect.stringContaining(`${file}: `) });
      expect(refusal?.message).toContain('header');
      expect(refusal?.message).not.toContain('bytes after its gzip data');
      expect(refusal?.message).toContain('gzip -dc FILE | gzip > NEW.gz');
    }
  });

  it('refuses JSONL inputs that are gzip, Parquet or zstd data by their bytes, instead of advising dos2unix', async () => {
    const lines = `${good('bin:1')}\n${good('bin:2')}\n`;
    const hidden = join(dir, 'hidden-gzip.jsonl');
    writeFileSync(hidden, gzipSync(lines));
    const twice = join(dir, 'twice.jsonl.gz');
    writeFileSync(twice, gzipSync(gzipSync(lines)));
    const zst = join(dir, 'posts.jsonl.zst');
    writeFileSync(zst, Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00]), Buffer.alloc(64, 7)]));
    const parquet = join(dir, 'parquet-named.jsonl');
    writeFileSync(parquet, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
    for (const [file, code, says] of [
      [hidden, 'E_INPUT_GZIP', 'the file is gzip data, not JSON Lines; name it with .gz at the end'],
      [twice, 'E_INPUT_GZIP', 'the file is gzip data inside its gzip, not JSON Lines; decompress it once'],
      [zst, 'E_INPUT_COMPRESSED', 'the file is zstd-compressed, not JSON Lines'],
      [parquet, 'E_INPUT_PARQUET', 'the file is a Parquet file, not JSON Lines; name it with .parquet at the end'],
    ] as const) {
      await expect(build([file], 'snap-binary-jsonl')).rejects.toMatchObject({
        code,
        message: expect.stringContaining(`${file}: ${says}`),
      });
    }
  });

  it('refuses a .gz that is not gzip and a .parquet that is not Parquet, naming the file, before reading anything', async () => {
    const plain = join(dir, 'plain.jsonl.gz');
    writeFileSync(plain, `${good('plain:1')}\n`);
    const empty = join(dir, 'empty.jsonl.gz');
    writeFileSync(empty, '');
    const fake = join(dir, 'fake.parquet');
    writeFileSync(fake, `${good('fake:1')}\n`);
    for (const [file, code, says] of [
      [plain, 'E_INPUT_GZIP', 'is not gzip data'],
      [empty, 'E_INPUT_GZIP', 'is empty'],
      [fake, 'E_INPUT_PARQUET', 'not a (complete) Parquet file'],
    ] as const) {
      await expect(build([file], 'snap-misnamed')).rejects.toMatchObject({
        code,
        message: expect.stringMatching(
          new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${says.replace(/[()]/g, '\\$&')}`),
        ),
      });
    }
    expect(existsSync(join(dir, 'snap-misnamed', '.build', 'build.duckdb'))).toBe(false);
  });

  it('reads a file named twice, once directly and once through a symbolic link, once', async () => {
    const real = join(dir, 'linked.jsonl');
    writeFileSync(real, `${good('linked:1')}\n${good('linked:2')}\n`);
    const link = join(dir, 'link-to-linked.jsonl');
    symlinkSync(real, link);
    const summary = await build([real, link], 'snap-linked');
    expect([summary.read, summary.kept, summary.quarantined]).toEqual([2, 2, 0]);
  });

  it('refuses to build when the engine drops a line longer than its read buffer', async () => {
    const file = join(dir, 'huge.jsonl');
    writeFileSync(
      file,
      `${good('huge:1')}\n${good('huge:2').replace('Beitrag', 'x'.repeat(33 << 20))}\n${good('huge:3')}\n`,
    );
    await expect(build([file], 'snap-huge')).rejects.toMatchObject({
      code: 'E_INPUT_LINES',
      message: expect.stringContaining('3 lines, but the engine read only 2'),
    });
  });

  it('reads Parquet inputs like JSONL: the same checks, quarantined rows named by row number', async () => {
    const file = join(dir, 'posts.parquet');
    const rows = [
      record({ id: 'pq:1' }),
      record({ id: '' }),
      record({ id: 'pq:3', text: null }),
      record({ id: 'pq:4', visibility: 'everyone' }),
      record({ id: 'pq:5', e2ee: true, text: 'PARQUET-SECRET' }),
      record({ id: 'pq:6' }),
    ];
    const jsonl = join(dir, 'posts-for-parquet.jsonl');
    writeFileSync(jsonl, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    await inMemoryDuckDB(
      `COPY (SELECT * FROM read_json('${jsonl}', format = 'newline_delimited', columns = {id: 'VARCHAR', source: 'VARCHAR', kind: 'VARCHAR', account: 'VARCHAR', created_at: 'VARCHAR', visibility: 'VARCHAR', e2ee: 'BOOLEAN', text: 'VARCHAR', participants: 'VARCHAR[]', parent: 'VARCHAR'})) TO '${file}' (FORMAT PARQUET)`,
    );
    const s = await build([file], 'snap-parquet');
    expect([s.read, s.kept, s.quarantined, s.excluded.e2ee]).toEqual([6, 2, 3, 1]);
    expect(quarantine('snap-parquet').map((e) => [e.line, e.reason])).toEqual([
      [2, 'ill_typed_field'],
      [3, 'missing_field'],
      [4, 'ill_typed_field'],
    ]);
    expect(readFileSync(join(dir, 'snap-parquet', 'data', 'part-00000.parquet')).includes('PARQUET-SECRET')).toBe(
      false,
    );
  });

  it('takes e2ee and participants in Parquet only with their own types, and refuses a repeated column', async () => {
    const base = `'facebook' AS source, 'post' AS kind, 'fb:a:2' AS account, '2025-01-02T10:00:00Z' AS created_at,
      'public' AS visibility`;
    const typed = join(dir, 'typed.parquet');
    // e2ee as the string 'f' (a cast reads it as false), participants as structs (a cast makes strings of them).
    await inMemoryDuckDB(`COPY (
      SELECT 'ty:1' AS id, ${base}, 'f' AS e2ee, 'text one' AS text, [{'account': 'fb:a:3'}] AS participants
      ) TO '${typed}' (FORMAT PARQUET)`);
    const parts = join(dir, 'parts.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT 'pa:1' AS id, ${base}, false AS e2ee, 'text two' AS text, [{'account': 'fb:a:3'}] AS participants
      ) TO '${parts}' (FORMAT PARQUET)`);
    // Two columns named e2ee, false then true: written under a same-length name, then renamed in the file's bytes.
    const twice = join(dir, 'twice.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT 'tw:1' AS id, ${base}, false AS e2ee, true AS e2eX, 'TWICE-SECRET' AS text
      ) TO '${twice}.tmp' (FORMAT PARQUET)`);
    writeFileSync(
      twice,
      Buffer.from(readFileSync(`${twice}.tmp`).toString('latin1').replaceAll('e2eX', 'e2ee'), 'latin1'),
    );

    const s = await build([typed], 'snap-typed');
    expect([s.read, s.kept, s.quarantined]).toEqual([1, 0, 1]);
    expect(quarantine('snap-typed').map((e) => [e.reason, e.detail])).toEqual([['ill_typed_field', 'e2ee']]);
    expect((await build([parts], 'snap-parts')).quarantined).toBe(1);
    expect(quarantine('snap-parts').map((e) => [e.reason, e.detail])).toEqual([['ill_typed_field', 'participants']]);
    await expect(build([twice], 'snap-twice')).rejects.toMatchObject({
      code: 'E_INPUT_PARQUET',
      message: expect.stringContaining('the column e2ee appears more than once'),
    });
  });

  it("never takes a Parquet file's extra columns for the checked fields: an e2ee record beside c_e2ee = false stays out", async () => {
    const file = join(dir, 'extra-columns.parquet');
    // Extra columns are ignored, whatever they are called: here the names of the read's own working columns.
    await inMemoryDuckDB(`COPY (
      SELECT 'xc:1' AS id, 'facebook' AS source, 'post' AS kind, 'fb:a:2' AS account, '2025-01-02T10:00:00Z' AS created_at,
        'public' AS visibility, true AS e2ee, 'EXTRA-COLUMN-SECRET' AS text,
        false AS c_e2ee, 'EXTRA-COLUMN-SECRET' AS c_text, true AS ok, 'made_up' AS qreason
      ) TO '${file}' (FORMAT PARQUET)`);
    const s = await build([file], 'snap-extra-columns');
    expect([s.read, s.kept, s.quarantined, s.excluded.e2ee]).toEqual([1, 0, 0, 1]);
    expect(readdirSync(join(dir, 'snap-extra-columns', 'data'))).toEqual([]);
  });

  it('reads Parquet strings stored as plain binary as their UTF-8 text, and quarantines one that is not UTF-8', async () => {
    const file = join(dir, 'binary-strings.parquet');
    // BYTE_ARRAY columns without the UTF8 annotation, as some writers store strings: DuckDB reads them as BLOB.
    await inMemoryDuckDB(`COPY (
      SELECT encode(id) AS id, encode('facebook') AS source, encode('post') AS kind, encode('fb:a:2') AS account,
        encode('2025-01-02T10:00:00Z') AS created_at, encode('public') AS visibility, false AS e2ee, text,
        [encode('fb:a:3')] AS participants
      FROM (VALUES ('bin:1', encode('Grüße aus Köln')), ('bin:2', '\\xC3\\x28'::BLOB)) t(id, text)
      ) TO '${file}' (FORMAT PARQUET)`);
    const s = await build([file], 'snap-binary');
    expect([s.read, s.kept, s.quarantined]).toEqual([2, 1, 1]);
    expect((await readShards(join(dir, 'snap-binary'))).map((r) => [r.id, r.text])).toEqual([
      ['bin:1', 'Grüße aus Köln'],
    ]);
    expect(quarantine('snap-binary').map((e) => [e.line, e.reason, e.detail])).toEqual([[2, 'invalid_utf8', 'text']]);
  });

  it('quarantines a Parquet struct or list where a string belongs, instead of keeping its printed form', async () => {
    const file = join(dir, 'nested.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT id, 'facebook' AS source, 'post' AS kind, account, '2025-01-02T10:00:00Z' AS created_at,
        'public' AS visibility, false AS e2ee, text
      FROM (VALUES
        ('ne:1', ['fb:a:2'], {'body': 'Hallo'}),
        ('ne:2', ['fb:a:2', 'fb:a:3'], {'body': 'Zwei'})) t(id, account, text)
      ) TO '${file}' (FORMAT PARQUET)`);
    const plain = join(dir, 'nested-text.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT 'nt:1' AS id, 'facebook' AS source, 'post' AS kind, 'fb:a:2' AS account,
        '2025-01-02T10:00:00Z' AS created_at, 'public' AS visibility, false AS e2ee, {'body': 'Hallo'} AS text
      ) TO '${plain}' (FORMAT PARQUET)`);
    const s = await build([file, plain], 'snap-nested');
    expect([s.read, s.kept, s.quarantined]).toEqual([3, 0, 3]);
    expect(quarantine('snap-nested').map((e) => [e.line, e.reason, e.detail])).toEqual([
      [1, 'ill_typed_field', 'account'],
      [2, 'ill_typed_field', 'account'],
      [1, 'ill_typed_field', 'text'],
    ]);
  });

  it('quarantines Parquet participants holding a null, as JSONL does', async () => {
    const file = join(dir, 'null-participant.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT id, 'facebook' AS source, 'post' AS kind, 'fb:a:2' AS account, '2025-01-02T10:00:00Z' AS created_at,
        'public' AS visibility, false AS e2ee, 'Text' AS text, participants
      FROM (VALUES ('np:1', ['fb:a:3']), ('np:2', ['fb:a:3', NULL])) t(id, participants)
      ) TO '${file}' (FORMAT PARQUET)`);
    const jsonl = join(dir, 'null-participant.jsonl');
    writeFileSync(jsonl, `${JSON.stringify(record({ id: 'nj:1', participants: ['fb:a:3', null] }))}\n`);
    const s = await build([file, jsonl], 'snap-null-participant');
    expect([s.read, s.kept, s.quarantined]).toEqual([3, 1, 2]);
    expect(quarantine('snap-null-participant').map((e) => [e.line, e.reason, e.detail])).toEqual([
      [2, 'ill_typed_field', 'participants'],
      [1, 'ill_typed_field', 'participants'],
    ]);
  });

  it('refuses a damaged Parquet file naming it, and drops the engine database, instead of an engine failure', async () => {
    const file = join(dir, 'damaged.parquet');
    await inMemoryDuckDB(`COPY (
      SELECT 'dm:' || i AS id, 'facebook' AS source, 'post' AS kind, 'fb:a:2' AS account,
        '2025-01-02T10:00:00Z' AS created_at, 'public' AS visibility, false AS e2ee, 'Text Nummer ' || i AS text
      FROM range(20000) r(i)) TO '${file}' (FORMAT PARQUET)`);
    const bytes = readFileSync(file);
    bytes.fill(0x41, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 2000);
    writeFileSync(file, bytes);
    const before = join(dir, 'before-damaged.jsonl');
    writeFileSync(before, `${good('before-damaged:1')}\n`);
    await expect(build([before, file], 'snap-damaged')).rejects.toMatchObject({
      code: 'E_INPUT_PARQUET',
      message: expect.stringContaining(`${file}: the Parquet file is damaged or cannot be read`),
    });
    expect(existsSync(join(dir, 'snap-damaged', '.build', 'build.duckdb'))).toBe(false);
  });
});
