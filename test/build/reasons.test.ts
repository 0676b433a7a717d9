import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLeaf, toHex } from '../../src/log/hash.ts';
import { MemoryTree } from '../../src/log/merkle.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import { importAccounts } from '../../src/registry/identities.ts';
import { allFiles, makeHome, readLineage, readShards, record, tempDir, withHome, writeJsonl } from './_fixture.ts';

const SECRET = 'GEHEIM-e2ee-xyzzy-4711';
const { dir, cleanup } = tempDir();
let home: string;
let out: string;
let summary: Awaited<ReturnType<typeof runBuild>>;

const keep = record({ id: 'k:001', text: 'Heute scheint die Sonne über Berlin.' });
const rows = [
  keep,
  record({ id: 'x:e2ee', source: 'whatsapp', kind: 'message', visibility: 'private', e2ee: true, text: SECRET }),
  record({ id: 'x:obj-fb', account: 'fb:a:2' }),
  record({ id: 'x:obj-ig-linked', account: 'ig:a:2', source: 'instagram', kind: 'caption' }),
  record({ id: 'x:obj-account-only', account: 'fb:a:3' }),
  record({ id: 'k:other-account-kept', account: 'ig:a:3', source: 'instagram', kind: 'caption' }),
  record({ id: 'x:source', source: 'messenger', kind: 'message' }),
  record({ id: 'x:kind', kind: 'reel' }),
  record({ id: 'x:not-public', visibility: 'friends' }),
  record({ id: 'x:minor', account: 'fb:a:7' }),
  record({ id: 'x:age-unknown', account: 'fb:a:8' }),
  record({ id: 'x:unknown-account', account: 'fb:a:999' }),
  record({ id: 'x:jurisdiction', account: 'fb:a:9' }),
  record({ id: 'k:dup-a', text: 'Kettenbrief: Ich widerspreche der Nutzung!' }),
  record({ id: 'k:dup-b', text: '  kettenbrief:   ich widerspreche der nutzung! ' }),
  record({
    id: 'k:pii',
    text:
      'Mail an max.mustermann@web.de oder +49 170 1234567, IBAN DE89 3704 0044 0532 0130 00, ' +
      'Karte 4111 1111 1111 1111, Server 192.168.10.20, Gruß an @someone und Anna Musterfrau.',
  }),
  record({ id: 'k:negatives', text: 'Bestellnummer 1234567890123456789 und DE00 1234 5678 9012 3456 78 bleiben.' }),
  record({ id: 'k:mention', text: 'Danke @user2 und Person2 Beispiel für den Tipp!', participants: ['fb:a:2'] }),
  record({
    id: 'k:mention-words',
    text: 'Grüße an @user2s Freundin und Person2 Beispielhaft, nicht @user2.',
    participants: ['fb:a:2'],
  }),
];

beforeAll(async () => {
  home = await makeHome(dir);
  await withHome(home, async (h) => {
    await h.registry.object({ subject: 'fb:a:2', channel: 'cli' });
    await h.registry.object({ subject: 'fb:a:3', accountOnly: true, channel: 'cli' });
  });
  const input = join(dir, 'records.jsonl');
  writeJsonl(input, rows);
  out = join(dir, 'snap');
  summary = await withHome(home, (h) =>
    runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out, threads: 1 }),
  );
});
afterAll(cleanup);

/** Runs `fn` with a fresh home (the fixture identity graph) in a temp folder `d`, removed afterwards. */
async function inFreshHome(fn: (d: string, home: string) => Promise<void>): Promise<void> {
  const { dir: d, cleanup } = tempDir();
  try {
    await fn(d, await makeHome(d));
  } finally {
    cleanup();
  }
}

describe('a build over a small fixture', () => {
  it('gives every record exactly one reason, in priority order, and the counts add up', async () => {
    expect(summary.excluded).toEqual({
      e2ee: 1,
      objection: 3,
      source: 1,
      kind: 1,
      not_public: 1,
      minor: 1,
      age_unknown: 2,
      jurisdiction: 1,
      duplicate: 1,
    });
    expect(summary.read).toBe(rows.length);
    expect(summary.kept).toBe(7);
    const excluded = Object.values(summary.excluded).reduce((a, b) => a + b, 0);
    expect(summary.read).toBe(summary.kept + excluded + summary.quarantined);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.counts.read).toBe(manifest.counts.kept + excluded + manifest.counts.quarantined);
    const lineage = await readLineage(out);
    const reasonOf = Object.fromEntries(lineage.map((l) => [l.id, l.reason]));
    expect(reasonOf['x:e2ee']).toBe('e2ee');
    expect(reasonOf['x:unknown-account']).toBe('age_unknown');
    expect(reasonOf['k:dup-b']).toBe('duplicate');
    expect(reasonOf['k:dup-a']).toBeNull();
  });

  it('leaves out every record of an objector, through a linked account too, and only the one account when asked', async () => {
    const ids = (await readShards(out)).map((r) => r.id);
    expect(ids).not.toContain('x:obj-fb');
    expect(ids).not.toContain('x:obj-ig-linked');
    expect(ids).not.toContain('x:obj-account-only');
    expect(ids).toContain('k:other-account-kept');
    expect(ids).toEqual([...ids].sort());
  });

  it('never writes e2ee text anywhere in the snapshot folder', () => {
    const files = allFiles(out);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) expect(f.bytes.includes(SECRET), f.path).toBe(false);
  });

  it('redacts PII with typed placeholders and leaves checksum failures alone', async () => {
    const byId = Object.fromEntries((await readShards(out)).map((r) => [r.id, r.text]));
    const pii = byId['k:pii'] ?? '';
    expect(pii).toContain('[email]');
    expect(pii).toContain('[phone]');
    expect(pii).toContain('[iban]');
    expect(pii).toContain('[credit_card]');
    expect(pii).toContain('[ip]');
    expect(pii).toContain('[handle]');
    expect(pii).toContain('[name]');
    expect(pii).not.toMatch(/mustermann|1234567|4111|192\.168|@someone|Musterfrau/);
    expect(byId['k:negatives']).toContain('1234567890123456789');
    expect(byId['k:negatives']).toContain('DE00 1234 5678 9012 3456 78');
  });

  it("replaces an objecting participant's handle and name with [person] in someone else's record", async () => {
    const text = (await readShards(out)).find((r) => r.id === 'k:mention')?.text ?? '';
    expect(text).toBe('Danke [person] und [person] für den Tipp!');
    // Only as whole words: another handle or word that starts with the same letters keeps them.
    const words = (await readShards(out)).find((r) => r.id === 'k:mention-words')?.text ?? '';
    expect(words).toBe('Grüße an [handle] Freundin und Person2 Beispielhaft, nicht [person].');
  });

  it('signs the Merkle root that an auditor recomputes from the shards as the manifest describes it', async () => {
    const tree = new MemoryTree();
    const rows = await readShards(out);
    for (const r of rows) {
      // As docs/building.md spells it, independently of the build's own hashing code.
      const h = createHash('sha256');
      for (const f of ['id', 'source', 'kind', 'created_at', 'lang', 'text'] as const) {
        h.update(`${Buffer.byteLength(r[f] as string)}:${r[f]}\n`);
      }
      tree.append(hashLeaf(h.digest()));
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.merkle).toMatchObject({ size: 7, root: toHex(tree.root()) });
    expect(manifest.merkle.record_hash).toContain(
      'id, source, kind, created_at (YYYY-MM-DDTHH:MM:SS.ffffffZ), lang, text',
    );
  });

  it('writes a shard schema without account ids and a signed manifest', async () => {
    const shard = (await readShards(out))[0] ?? {};
    expect(Object.keys(shard).sort()).toEqual(['created_at', 'id', 'kind', 'lang', 'source', 'text']);
    expect(readFileSync(join(out, 'manifest.sig'), 'utf8')).toMatch(/^dissent-snapshot-manifest v1\n/);
    const snaps = await withHome(home, (h) => h.store.listSnapshots('ai-training-2025'));
    expect(snaps.map((s) => s.id)).toContain(summary.snapshot);
  });
});

/** Every column of a snapshot's lineage file, by record id. */
async function lineageById(out: string): Promise<Record<string, Record<string, unknown>>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT id, account, person, reason, shard::INTEGER AS shard, shard_row::INTEGER AS shard_row, leaf::INTEGER AS leaf FROM '${join(out, 'lineage', 'records.parquet')}'`,
    );
    return Object.fromEntries((r.getRowObjectsJson() as Record<string, unknown>[]).map((l) => [l.id as string, l]));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('the lineage file', () => {
  it("names each record's account and person, an objector's linked account included, and no person for an unknown account", async () => {
    const lineage = await lineageById(out);
    expect(Object.keys(lineage).sort()).toEqual(rows.map((r) => r.id as string).sort());
    expect(lineage['x:obj-ig-linked']).toMatchObject({ account: 'ig:a:2', person: 'p:2', reason: 'objection' });
    expect(lineage['k:other-account-kept']).toMatchObject({ account: 'ig:a:3', person: 'p:3', reason: null });
    expect(lineage['x:minor']).toMatchObject({ account: 'fb:a:7', person: 'p:7', reason: 'minor' });
    expect(lineage['x:unknown-account']).toMatchObject({ account: 'fb:a:999', person: null });
  });

  it('says in which shard, at which row and at which Merkle leaf each kept record is, and nothing for an excluded one', async () => {
    const input = join(dir, 'where.jsonl');
    const ids = ['w:5', 'w:1', 'w:4', 'w:x', 'w:2', 'w:3'];
    writeJsonl(
      input,
      ids.map((id) => record({ id, ...(id === 'w:x' ? { account: 'fb:a:2' } : {}) })),
    );
    const snap = join(dir, 'snap-where');
    await withHome(home, (h) =>
      runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out: snap, shardRows: 2 }),
    );
    const lineage = await lineageById(snap);
    const shards = readdirSync(join(snap, 'data')).sort();
    expect(shards).toHaveLength(3);
    let leaf = 0;
    for (const [shard, file] of shards.entries()) {
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const r = await conn.runAndReadAll(`SELECT id FROM '${join(snap, 'data', file)}' ORDER BY file_row_number`);
      conn.closeSync();
      db.closeSync();
      for (const [row, { id }] of (r.getRowObjectsJson() as { id: string }[]).entries()) {
        expect(lineage[id]).toMatchObject({ reason: null, shard, shard_row: row, leaf });
        leaf++;
      }
    }
    expect(leaf).toBe(5);
    expect(lineage['w:x']).toMatchObject({ reason: 'objection', shard: null, shard_row: null, leaf: null });
  });
});

/** Builds `rows` under a facebook/post/public/EU policy with these extra lines, into snapshot folder `name`. */
/** Imports `accounts` into the home at `h` and files an objection for each of `subjects`. */
async function withObjectors(d: string, h: string, accounts: Record<string, unknown>[], subjects: string[]) {
  const file = join(d, 'objectors.jsonl');
  writeJsonl(file, accounts);
  await withHome(h, async (x) => {
    await importAccounts(x.store, file);
    for (const subject of subjects) await x.registry.object({ subject, channel: 'cli' });
  });
}

/** Builds `rows` with a policy of Facebook's public posts in the EU and `extra`, in the shared home or in `at`. */
async function buildWithPolicy(
  name: string,
  extra: string,
  rows: Record<string, unknown>[],
  at: { dir: string; home: string } = { dir, home },
) {
  const policy = join(at.dir, `${name}.yaml`);
  writeFileSync(policy, `sources: [facebook]\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n${extra}`);
  const input = join(at.dir, `${name}.jsonl`);
  writeJsonl(input, rows);
  const out = join(at.dir, `snap-${name}`);
  const s = await withHome(at.home, (h) =>
    runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out, policyFile: policy }),
  );
  return { summary: s, out };
}

describe('a policy that matches no record', () => {
  it('warns when not one of its kinds is among the records (a misspelt kinds: [posts]), and not for an unused source', async () => {
    const policy = join(dir, 'typo.yaml');
    writeFileSync(policy, 'sources: [facebook, mastodon]\nkinds: [posts]\nvisibility: [public]\njurisdictions: [EU]\n');
    const input = join(dir, 'typo.jsonl');
    writeJsonl(input, [record({ id: 't:1' }), record({ id: 't:2', kind: 'comment' })]);
    const s = await withHome(home, (h) =>
      runBuild({
        home: h,
        programme: 'ai-training-2025',
        inputs: [input],
        out: join(dir, 'snap-typo'),
        policyFile: policy,
      }),
    );
    expect([s.kept, s.excluded.kind]).toEqual([0, 2]);
    expect(s.warnings).toEqual([
      'no record read has one of the policy\'s kinds ("posts"), so none is kept; the records have "comment", "post": is the policy misspelt?',
    ]);
    // The same records under kinds they have: mastodon, which no record has, is no mistake.
    const { summary } = await buildWithPolicy('no-typo', '', [record({ id: 't:3' })]);
    expect(summary.warnings).toEqual([]);
  });

  it('never repeats personal data from the records in that warning: values that are no word (an e-mail, a name, a phone number in kind) are counted, not shown', async () => {
    const { summary } = await buildWithPolicy('kind-data', '', [
      record({ id: 'kd:0', kind: 'Post' }),
      record({ id: 'kd:1', kind: 'comment' }),
      record({ id: 'kd:2', kind: 'anna.m@example.org' }),
      record({ id: 'kd:3', kind: 'Anna Müller' }),
      record({ id: 'kd:4', kind: '+49 170 1234567' }),
      record({ id: 'kd:5', kind: 'fb:a:42' }),
    ]);
    expect(summary.kept).toBe(0);
    expect(summary.warnings).toEqual([
      'no record read has one of the policy\'s kinds ("post"), so none is kept; the records have "Post", "comment" and 4 other values, not shown as they are not words of lower-case letters (data in the wrong field?): is the policy misspelt?',
    ]);
    const { summary: none } = await buildWithPolicy('source-data', '', [
      record({ id: 'sd:1', source: 'anna.m@example.org' }),
    ]);
    expect(none.warnings).toEqual([
      'no record read has one of the policy\'s sources ("facebook"), so none is kept; the records have 1 other value, not shown as it is not a word of lower-case letters (data in the wrong field?): is the policy misspelt?',
    ]);
  });

  it('warns about one misspelt value beside correct ones (kinds: [post, coment]), naming what the records have', async () => {
    const build = async (name: string, kinds: string) => {
      const policy = join(dir, `${name}.yaml`);
      writeFileSync(policy, `sources: [facebook]\nkinds: [${kinds}]\nvisibility: [public]\njurisdictions: [EU]\n`);
      const input = join(dir, `${name}.jsonl`);
      writeJsonl(input, [record({ id: `${name}:1` }), record({ id: `${name}:2`, kind: 'comment' })]);
      const out = join(dir, `snap-${name}`);
      return withHome(home, (h) =>
        runBuild({ home: h, programme: 'ai-training-2025', inputs: [input], out, policyFile: policy }),
      );
    };
    const s = await build('one-typo', 'post, coment, story');
    expect([s.kept, s.excluded.kind]).toEqual([1, 1]);
    expect(s.warnings).toEqual([
      'no record read has the policy\'s kind "coment", but records have "comment", which the policy does not name and so excludes: is the policy misspelt?',
    ]);
    // A kind the policy names that these records merely lack (story, caption) is no mistake.
    const fine = await build('no-typo-2', 'post, comment, caption');
    expect(fine.warnings).toEqual([]);
  });
});

describe('participants: drop', () => {
  it('excludes a record that names an objector as participant with participant_objected', async () => {
    const { summary: s } = await buildWithPolicy('drop', 'participants: drop\n', [
      record({ id: 'd:1' }),
      record({ id: 'd:2', participants: ['ig:a:2'] }),
    ]);
    expect(s.excluded.participant_objected).toBe(1);
    expect(s.kept).toBe(1);
    expect(s.warnings).toEqual([]);
  });

  it('warns when the records name participants of which not one is an account of the identity graph', async () => {
    // The objector p:2 named by handle and by an id in another case: neither matches, so the record is kept.
    const { summary: s, out } = await buildWithPolicy('drop-handles', 'participants: drop\npii: []\n', [
      record({ id: 'h:1', text: 'Danke @user2!', participants: ['@user2'] }),
      record({ id: 'h:2', text: 'Gruß an Person2 Beispiel', participants: ['FB:A:2'] }),
    ]);
    expect((await readShards(out)).map((r) => r.id)).toEqual(['h:1', 'h:2']);
    expect(s.warnings).toEqual([
      "the records name 2 participants, and not one is an account of the identity graph, so no objector among them could be found and participants: drop dropped nothing: participants must be account ids as the graph writes them (as a record's account), not handles, names or a platform's own references",
    ]);
  });
});

describe('min_age: 0 and dedup: none', () => {
  it('keep the records of a child and of an account without birth date, and every copy of a repeated text', async () => {
    const { summary: s, out } = await buildWithPolicy('no-age-no-dedup', 'min_age: 0\ndedup: none\n', [
      record({ id: 'n:child', account: 'fb:a:7' }),
      record({ id: 'n:no-birth-date', account: 'fb:a:8' }),
      record({ id: 'n:copy-1', text: 'Zweimal derselbe Text.' }),
      record({ id: 'n:copy-2', text: 'Zweimal derselbe Text.' }),
    ]);
    expect((await readShards(out)).map((r) => r.id)).toEqual(['n:child', 'n:copy-1', 'n:copy-2', 'n:no-birth-date']);
    expect(s.kept).toBe(4);
    expect(Object.keys(s.excluded)).not.toContain('duplicate');
  });
});

describe('participants: keep', () => {
  it("leaves an objecting participant's handle and name in someone else's record, and the record in", async () => {
    const text = 'Danke @user2 und Person2 Beispiel!';
    const { summary: s, out } = await buildWithPolicy('keep', 'participants: keep\npii: []\n', [
      record({ id: 'p:1', text, participants: ['fb:a:2'] }),
    ]);
    expect(s.kept).toBe(1);
    expect((await readShards(out)).map((r) => r.text)).toEqual([text]);
  });
});

describe('participants: redact, as whole words', () => {
  it('replaces the objecting participant at the start, at the end and beside punctuation, and nowhere inside a word', async () => {
    const texts = {
      'w:1': 'Person2 Beispiel: @user2, (@user2) und @user2.',
      'w:2': '@user2s, x@user2 und xPerson2 Beispiel bleiben, @user2_x, @user2.ig und Person2 Beispielhaft auch',
      'w:3': 'Mit (Person2 Beispiel)? Ja: @user2',
    };
    const rows = Object.entries(texts).map(([id, text]) => record({ id, text, participants: ['fb:a:2'] }));
    const { out } = await buildWithPolicy('words', 'participants: redact\npii: []\n', rows);
    const byId = Object.fromEntries((await readShards(out)).map((r) => [r.id, r.text]));
    expect(byId).toEqual({
      'w:1': '[person]: [person], ([person]) und [person].',
      'w:2': texts['w:2'],
      'w:3': 'Mit ([person])? Ja: [person]',
    });
  });

  it("replaces the handles and names of the participant's other objecting accounts too, and of no one else's", async () => {
    // p:2 objected for the person, so the record that tags their Instagram account and names their Facebook handle
    // loses both; p:3 objected for fb:a:3 alone, so their Instagram handle stays.
    const rows = [
      record({ id: 'o:1', text: 'Hallo @insta2, @user2 und Person2 Beispiel!', participants: ['ig:a:2'] }),
      record({ id: 'o:2', text: 'Hallo @user3 und @insta3!', participants: ['fb:a:3'] }),
    ];
    const { out } = await buildWithPolicy('other-accounts', 'participants: redact\npii: []\n', rows);
    expect((await readShards(out)).map((r) => r.text)).toEqual([
      'Hallo [person], [person] und [person]!',
      'Hallo [person] und @insta3!',
    ]);
  });

  it('finds the participant in any case, and with decomposed accents', async () => {
    const rows = [
      record({ id: 'c:1', text: 'PERSON2 BEISPIEL, @USER2 und person2 beispiel', participants: ['fb:a:2'] }),
      // Platforms take handles in any case: `@User2` is the same account as the graph's `user2`.
      record({ id: 'c:2', text: 'Danke @User2 und @uSeR2, Person2 beispiel!', participants: ['fb:a:2'] }),
      // A character whose lower case is another letter (İ, Σ) before the name does not shift where it is found.
      record({ id: 'c:3', text: 'İSTANBUL ΣΑΣ mit @user2 und @User2', participants: ['fb:a:2'] }),
    ];
    const { out } = await buildWithPolicy('cases', 'participants: redact\npii: []\n', rows);
    expect((await readShards(out)).map((r) => r.text)).toEqual([
      '[person], [person] und [person]',
      'Danke [person] und [person], [person]!',
      'İSTANBUL ΣΑΣ mit [person] und [person]',
    ]);
    await inFreshHome(async (d, h) => {
      await withObjectors(
        d,
        h,
        [
          { account: 'fb:a:oez', person: 'p:oez', source: 'facebook', display_name: 'Jürgen Öz', country: 'DE' },
          // Not an objector, and stored with decomposed accents: still a known name in the rewritten (NFC) text.
          { account: 'fb:a:lm', person: 'p:lm', source: 'facebook', display_name: 'Lena Ma\u0308rz', country: 'DE' },
        ],
        ['fb:a:oez'],
      );
      // As macOS writes it: each umlaut a letter and a combining diaeresis (NFD).
      const rows = [
        record({ id: 'c:2', text: 'Gruß an Ju\u0308rgen O\u0308z und Lena Ma\u0308rz!', participants: ['fb:a:oez'] }),
      ];
      const { out: snap } = await buildWithPolicy('accents', 'participants: redact\npii: [known_name]\n', rows, {
        dir: d,
        home: h,
      });
      expect((await readShards(snap)).map((r) => r.text)).toEqual(['Gruß an [person] und [name]!']);
    });
  });
  it('finds a Greek or Turkish name written in capitals (ΝΊΚΟΣ for Νίκος, YILDIZ for Yıldız)', async () => {
    await inFreshHome(async (d, h) => {
      await withObjectors(
        d,
        h,
        [
          { account: 'fb:a:gr', person: 'p:gr', source: 'facebook', display_name: 'Νίκος Παπαδόπουλος', country: 'GR' },
          { account: 'fb:a:tr', person: 'p:tr', source: 'facebook', display_name: 'Yıldız Işık', country: 'DE' },
          { account: 'fb:a:ip', person: 'p:ip', source: 'facebook', handle: 'ipek', country: 'DE' },
        ],
        ['fb:a:gr', 'fb:a:tr', 'fb:a:ip'],
      );
      // In capitals the final ς is Σ and the dotless ı is I, whose lower case is σ and i: not what lower() makes of
      // the name as written.
      const rows = [
        record({
          id: 'u:1',
          text: 'ΝΊΚΟΣ ΠΑΠΑΔΌΠΟΥΛΟΣ, YILDIZ IŞIK und @İPEK; Νίκος Παπαδόπουλος, Yıldız Işık und @ipek',
          participants: ['fb:a:gr', 'fb:a:tr', 'fb:a:ip'],
        }),
        // Named many times, the spellings are found otherwise (by a regexp), to the same effect.
        record({
          id: 'u:2',
          text: `${'ΝΊΚΟΣ ΠΑΠΑΔΌΠΟΥΛΟΣ, YILDIZ IŞIK, @İPEK, YıLDIZ ıŞIK; '.repeat(70)}Ende`,
          participants: ['fb:a:gr', 'fb:a:tr', 'fb:a:ip'],
        }),
      ];
      const { out: snap } = await buildWithPolicy('capitals', 'participants: redact\npii: []\n', rows, {
        dir: d,
        home: h,
      });
      expect((await readShards(snap)).map((r) => r.text)).toEqual([
        '[person], [person] und [person]; [person], [person] und [person]',
        `${'[person], [person], [person], [person]; '.repeat(70)}Ende`,
      ]);
    });
  });
});

describe('participants: redact, a name that begins with its own end', () => {
  it('replaces the whole-word find that comes right after one that is none (Anna Ann in "Anna Anna Ann")', async () => {
    await inFreshHome(async (d, h) => {
      await withObjectors(
        d,
        h,
        [{ account: 'fb:a:aa', person: 'p:aa', source: 'facebook', display_name: 'Anna Ann', country: 'DE' }],
        ['fb:a:aa'],
      );
      const rows = [
        record({ id: 'o:1', text: 'Gruß an Anna Anna Ann, Anna Ann Anna Ann und Annas', participants: ['fb:a:aa'] }),
      ];
      const { out: snap } = await buildWithPolicy('anna', 'participants: redact\npii: []\n', rows, { dir: d, home: h });
      expect((await readShards(snap)).map((r) => r.text)).toEqual([
        'Gruß an Anna [person], [person] [person] und Annas',
      ]);
    });
  });
});

describe('dedup: exact, with texts that repeat byte for byte', () => {
  it('keeps the lowest id of a repeated text, redacted, and tells apart repeats that the participants rule changes', async () => {
    const mail = 'Schreibt mir an max.mustermann@web.de, danke!';
    const { summary: s, out } = await buildWithPolicy('exact', 'participants: redact\n', [
      record({ id: 'e:3', text: mail }),
      record({ id: 'e:1', text: mail }),
      record({ id: 'e:5', text: mail }),
      // The same text twice, but only e:2 names the objector fb:a:2 as a participant: its text changes first, so the
      // two are not repeats of each other.
      record({ id: 'e:2', text: 'Gruß an Person2 Beispiel', participants: ['fb:a:2'] }),
      record({ id: 'e:0', text: 'Gruß an Person2 Beispiel' }),
    ]);
    const byId = Object.fromEntries((await readShards(out)).map((r) => [r.id, r.text]));
    expect(byId).toEqual({
      'e:0': 'Gruß an [name]',
      'e:1': 'Schreibt mir an [email], danke!',
      'e:2': 'Gruß an [person]',
    });
    expect(s.excluded.duplicate).toBe(2);
    const reasons = Object.fromEntries((await readLineage(out)).map((r) => [r.id, r.reason]));
    expect([reasons['e:3'], reasons['e:5']]).toEqual(['duplicate', 'duplicate']);
  });
});

describe('age at the time of a record', () => {
  it('judges a record dated after the build at the build, a birthday only once it has come everywhere, 29 February on 1 March, and a placeholder birth date as unknown', async () => {
    await inFreshHome(async (d, h) => {
      const accounts = join(d, 'ages.jsonl');
      writeJsonl(accounts, [
        { account: 'fb:a:leap', person: 'p:leap', source: 'facebook', birth_date: '2008-02-29', country: 'DE' },
        { account: 'fb:a:june', person: 'p:june', source: 'facebook', birth_date: '2006-06-15', country: 'DE' },
        // What platforms store for "not given": no author is that old, so it proves no adulthood.
        { account: 'fb:a:1900', person: 'p:1900', source: 'facebook', birth_date: '1900-01-01', country: 'DE' },
        { account: 'fb:a:0001', person: 'p:0001', source: 'facebook', birth_date: '0001-01-01', country: 'DE' },
        { account: 'fb:a:1910', person: 'p:1910', source: 'facebook', birth_date: '1910-06-01', country: 'DE' },
      ]);
      const input = join(d, 'records.jsonl');
      writeJsonl(input, [
        // fb:a:7 was born in 2012: a child at the cut, whatever date the record claims.
        record({ id: 'a:future', account: 'fb:a:7', created_at: '2099-12-31T23:59:59Z' }),
        record({ id: 'a:leap-28', account: 'fb:a:leap', created_at: '2026-02-28T20:00:00Z' }),
        record({ id: 'a:leap-01', account: 'fb:a:leap', created_at: '2026-03-01T13:00:00Z' }),
        // 05:00 UTC on the 18th birthday is still the 14th west of UTC-5; 13:00 UTC is the 15th everywhere.
        record({ id: 'a:june-early', account: 'fb:a:june', created_at: '2024-06-15T05:00:00Z' }),
        record({ id: 'a:june-late', account: 'fb:a:june', created_at: '2024-06-15T13:00:00Z' }),
        record({ id: 'a:1900', account: 'fb:a:1900', created_at: '2024-06-15T13:00:00Z' }),
        record({ id: 'a:0001', account: 'fb:a:0001', created_at: '2024-06-15T13:00:00Z' }),
        // 114 years old: rare, but alive.
        record({ id: 'a:1910', account: 'fb:a:1910', created_at: '2024-06-15T13:00:00Z' }),
      ]);
      const out = join(d, 'snap');
      const s = await withHome(h, (x) =>
        runBuild({ home: x, programme: 'ai-training-2025', inputs: [input], out, accountsFile: accounts }),
      );
      const reasons = Object.fromEntries((await readLineage(out)).map((r) => [r.id, r.reason]));
      expect(reasons).toEqual({
        'a:future': 'minor',
        'a:leap-28': 'minor',
        'a:leap-01': null,
        'a:june-early': 'minor',
        'a:june-late': null,
        'a:1900': 'age_unknown',
        'a:0001': 'age_unknown',
        'a:1910': null,
      });
      expect(s.excluded.minor).toBe(3);
      expect(s.excluded.age_unknown).toBe(2);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(Date.parse(manifest.cut.taken_at)).toBeGreaterThan(Date.parse('2026-01-01'));
    });
  });
});

describe("a programme's own jurisdictions", () => {
  it('narrow a wider policy: content from a country the programme was not announced for is excluded, with a warning', async () => {
    await inFreshHome(async (d, h) => {
      const config = join(h, 'dissent.config.yaml');
      const text = readFileSync(config, 'utf8');
      expect(text).toMatch(/^ {4}jurisdictions: \[EU\]/m);
      // In lower case, as a config written before these were checked may have it.
      writeFileSync(config, text.replace(/^( {4}jurisdictions: )\[EU\]/m, '$1[de]'));
      const input = join(d, 'records.jsonl');
      writeJsonl(input, [record({ id: 'j:de', account: 'fb:a:1' }), record({ id: 'j:fr', account: 'fb:a:10' })]);
      const out = join(d, 'snap');
      const s = await withHome(h, (x) => runBuild({ home: x, programme: 'ai-training-2025', inputs: [input], out }));
      expect((await readShards(out)).map((r) => r.id)).toEqual(['j:de']);
      expect(s.excluded.jurisdiction).toBe(1);
      expect(s.warnings.join('\n')).toContain('which programme ai-training-2025 was not announced for (DE)');
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.programme.jurisdictions).toEqual(['DE']);
    });
  });
});

describe('an objection through an account that the identity graph later moves to another person', () => {
  it("keeps that account's content out, though the person it now belongs to has not objected", async () => {
    await inFreshHome(async (d, h) => {
      await withHome(h, (x) => x.registry.object({ subject: 'fb:a:4', channel: 'web' }));
      // Re-import: fb:a:4 now belongs to a new person, p:40, who never objected.
      const moved = join(d, 'moved.jsonl');
      writeJsonl(moved, [
        { account: 'fb:a:4', person: 'p:40', source: 'facebook', birth_date: '1980-01-01', country: 'DE' },
      ]);
      const input = join(d, 'records.jsonl');
      writeJsonl(input, [
        record({ id: 'x:moved-account', account: 'fb:a:4' }),
        record({ id: 'k:untouched', account: 'fb:a:1' }),
      ]);
      const s = await withHome(h, (x) =>
        runBuild({
          home: x,
          programme: 'ai-training-2025',
          inputs: [input],
          out: join(d, 'snap'),
          accountsFile: moved,
        }),
      );
      expect(s.excluded.objection).toBe(1);
      expect((await readShards(join(d, 'snap'))).map((r) => r.id)).toEqual(['k:untouched']);
    });
  });
});
