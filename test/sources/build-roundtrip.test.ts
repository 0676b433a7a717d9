import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readShards } from '../build/_fixture.ts';
import { dissent, repoPath, tempDir } from '../helpers/cli.ts';

const FIXTURES = repoPath('test', 'fixtures', 'sources');

/** Every byte of every file below `dir`, as one latin1 string, so that any leaked text can be searched for. */
function everything(dir: string): string {
  let all = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    all += statSync(p).isDirectory() ? everything(p) : readFileSync(p).toString('latin1');
  }
  return all;
}

describe('platform exports through dissent build', () => {
  const home = join(tempDir(), 'home');
  const policy = join(tempDir(), 'policy.yaml');

  beforeAll(() => {
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const accounts = join(tempDir(), 'accounts.jsonl');
    writeFileSync(
      accounts,
      `${JSON.stringify({ account: 'fb:a:owner', person: 'p:owner', source: 'facebook', handle: 'juergen.m', display_name: 'Jürgen Müller', email: 'j@example.org', birth_date: '1980-01-01', country: 'DE' })}\n`,
    );
    expect(dissent(['identities', 'import', accounts, '--home', home]).code).toBe(0);
    // Keep what the exports mark as friends-only too, so that the snapshot is not empty and the test can fail.
    writeFileSync(
      policy,
      'sources: [facebook, messenger, instagram]\nkinds: [post, comment, message]\nvisibility: [public, friends, private]\nmin_age: 18\njurisdictions: [EU]\nparticipants: redact\npii: [email, phone]\ndedup: exact\n',
    );
  });

  it('keeps the posts of a Facebook export while its end-to-end-encrypted threads appear in no output file', async () => {
    const out = join(tempDir(), 'snap');
    const r = dissent([
      'build',
      '--home',
      home,
      '--programme',
      'ai-training-2025',
      '--policy',
      policy,
      '--input',
      `facebook:${join(FIXTURES, 'facebook-new')}@fb:a:owner`,
      '--out',
      out,
      '--quiet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.kept).toBeGreaterThan(0);
    // What is kept is the export's own posts, with their mojibake repaired, under the owner's source and kind.
    const kept = await readShards(out);
    expect(kept).toHaveLength(summary.kept);
    expect(kept).toContainEqual(
      expect.objectContaining({
        source: 'facebook',
        kind: 'post',
        text: 'FB-NEW-POST Grüße aus München! Das kostet 5 € 🎉👍🏽',
      }),
    );
    expect(kept.map((k) => k.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^fb:p:/)]));
    expect(summary.read).toBe(
      summary.kept +
        Object.values(summary.excluded as Record<string, number>).reduce((a, b) => a + b, 0) +
        summary.quarantined,
    );
    const all = everything(out);
    expect(all).not.toContain('E2EE-SECRET-CONTENT');
    expect(all).not.toContain('Geheim Person');
    // The items the conversion could not read are in the snapshot's quarantine and counts, named by their file.
    const quarantine = readFileSync(join(out, 'quarantine', 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; reason: string });
    expect(summary.quarantined).toBe(3);
    expect(quarantine.map((q) => q.reason).sort()).toEqual(['bad_item', 'bad_item', 'bad_timestamp']);
    for (const q of quarantine) expect(q.file).toMatch(/facebook-new\/your_facebook_activity\/posts\/.+\.json$/);
    // An auditor's check agrees: the export's quarantined items are the quarantine file's entries and counts.
    const key = dissent(['log', 'key', '--home', home]).stdout.trim();
    const audit = dissent(['verify', 'snapshot', out, '--key', key]);
    expect(audit.stdout, audit.stdout).toContain('ok   quarantine: 3 entries, by reason as counted');
    expect(audit.code).toBe(0);
  });

  it('warns when the owner named for an export is not in the identity graph, whose records then all go as age_unknown', () => {
    const build = (owner: string) =>
      dissent([
        ...['build', '--home', home, '--programme', 'ai-training-2025', '--policy', policy, '--quiet', '--json'],
        ...['--input', `facebook:${join(FIXTURES, 'facebook-new')}@${owner}`, '--out', join(tempDir(), 'snap')],
      ]);
    const typo = build('fb:a:ownr');
    expect(typo.code, typo.stderr).toBe(0);
    const summary = JSON.parse(typo.stdout);
    expect(summary.kept).toBe(0);
    expect(summary.excluded.age_unknown).toBeGreaterThan(0);
    expect(summary.warnings).toEqual([
      expect.stringMatching(/^the export owner fb:a:ownr is not in the identity graph, so none of its records/),
    ]);
    expect(JSON.parse(build('fb:a:owner').stdout).warnings).toEqual([]);
  });

  it("warns when a Mastodon archive's owner set indexable: false, as sources convert does, since the build does not act on it", () => {
    const mastodonPolicy = join(tempDir(), 'mastodon.yaml');
    writeFileSync(mastodonPolicy, 'sources: [mastodon]\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n');
    const archive = join(FIXTURES, 'mastodon');
    const r = dissent([
      ...['build', '--home', home, '--programme', 'ai-training-2025', '--policy', mastodonPolicy, '--quiet', '--json'],
      ...['--input', `mastodon:${archive}@fb:a:owner`, '--out', join(tempDir(), 'snap')],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.kept).toBeGreaterThan(0);
    expect(summary.warnings).toEqual([
      // Its one mention is an actor URL, which the identity graph names no account by.
      "the records name 1 participant, and not one is an account of the identity graph, so no objector among them could be found and participants: redact redacted nothing: participants must be account ids as the graph writes them (as a record's account), not handles, names or a platform's own references",
      `the owner of the export ${archive} set indexable: false ("do not index me"); dissent does not act on it by itself, so its records were used as any others: to honour it, file an objection for that account (dissent object --subject ID --account-only) and build again`,
    ]);
    expect(r.stderr).toContain('indexable: false');
  });

  it('takes an export folder with an edited file for another input, not for the build already done', () => {
    const folder = join(tempDir(), 'fb-export');
    cpSync(join(FIXTURES, 'facebook-new'), folder, { recursive: true });
    const out = join(tempDir(), 'snap-folder');
    const args = ['build', '--home', home, '--programme', 'ai-training-2025', '--policy', policy];
    const build = (...more: string[]) =>
      dissent([...args, '--input', `facebook:${folder}@fb:a:owner`, '--out', out, '--quiet', ...more]);
    expect(build().code).toBe(0);
    expect(build().stdout).toContain('already built');
    // Touch one file deep inside the folder: the folder's own size and time stay the same.
    const posts = readdirSync(folder, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.json'));
    const file = join(folder, posts as string);
    writeFileSync(file, `${readFileSync(file, 'utf8')} `);
    const changed = build();
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('other inputs');
    expect(build('--force').code).toBe(0);
  });

  it('refuses a WhatsApp export as end-to-end encrypted and writes none of its messages', () => {
    const out = join(tempDir(), 'snap-wa');
    const r = dissent([
      'build',
      '--home',
      home,
      '--programme',
      'ai-training-2025',
      '--input',
      `whatsapp:${join(FIXTURES, 'whatsapp', 'android-de.txt')}@fb:a:owner`,
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/end-to-end encrypted/i);
    let written = '';
    try {
      written = everything(out);
    } catch {
      // no output folder at all is the best outcome
    }
    expect(written).not.toContain('WA-SECRET');
  });

  it('reads an export whose own name holds an @ (me@web.de) whole, and refuses an input that names two paths', () => {
    const dir = tempDir();
    const folder = join(dir, 'me@web.de');
    cpSync(join(FIXTURES, 'facebook-new'), folder, { recursive: true });
    const args = ['build', '--home', home, '--programme', 'ai-training-2025', '--policy', policy, '--quiet'];
    const owner = (out: string) =>
      JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).inputs.map(
        (i: { path: string; export: { account: string } }) => [i.path, i.export.account],
      );
    const withAccount = (out: string) =>
      dissent([...args, '--input', `facebook:${folder}`, '--account', 'fb:a:owner', '--out', join(dir, out)]);
    // Not `${dir}/me`, owned by web.de: the whole path exists, and --account names its owner.
    const whole = withAccount('s1');
    expect(whole.code, whole.stderr).toBe(0);
    expect(owner(join(dir, 's1'))).toEqual([[folder, 'fb:a:owner']]);
    // With an owner after it, the last @ still splits.
    const split = dissent([...args, '--input', `facebook:${folder}@fb:a:owner`, '--out', join(dir, 's2')]);
    expect(split.code, split.stderr).toBe(0);
    expect(owner(join(dir, 's2'))).toEqual([[folder, 'fb:a:owner']]);
    // When `me` exists too, either reading could be meant.
    cpSync(folder, join(dir, 'me'), { recursive: true });
    const both = withAccount('s3');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('is ambiguous');
  });

  it('reads each of several files listed after one --input once', () => {
    const dir = tempDir();
    const post = (id: string) =>
      `${JSON.stringify({ id, source: 'facebook', kind: 'post', account: 'fb:a:owner', created_at: '2024-05-01T12:00:00Z', visibility: 'public', e2ee: false, text: `Beitrag ${id}` })}\n`;
    writeFileSync(join(dir, 'a.jsonl'), post('list:a'));
    writeFileSync(join(dir, 'b.jsonl'), post('list:b'));
    const args = ['build', '--home', home, '--programme', 'ai-training-2025', '--policy', policy, '--quiet', '--json'];
    const r = dissent([...args, '--out', join(dir, 'snap'), '--input', join(dir, 'a.jsonl'), join(dir, 'b.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect([summary.read, summary.kept]).toEqual([2, 2]);
    const manifest = JSON.parse(readFileSync(join(dir, 'snap', 'manifest.json'), 'utf8'));
    expect(manifest.inputs.map((i: { path: string }) => i.path)).toEqual([join(dir, 'a.jsonl'), join(dir, 'b.jsonl')]);
  });
});
