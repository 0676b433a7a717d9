import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import { openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.ts';
import { parseSignerKey, parseVerifierKey, verifierKeyOf } from '../../src/log/note.ts';
import { dissent, repoPath, spawnTsx, tempDir } from '../helpers/cli.ts';

const home = join(tempDir(), 'home');
let vkey = '';
let accountsFile = '';

beforeAll(() => {
  const init = dissent(['init', '--home', home]);
  expect(init.code, init.stderr).toBe(0);
  vkey = init.stdout.trim();
  accountsFile = join(tempDir(), 'accounts.jsonl');
  const rows = [...generateIdentityGraph({ persons: 60 })].map((r) => JSON.stringify(r));
  writeFileSync(accountsFile, `${rows.join('\n')}\n`);
  const imp = dissent(['identities', 'import', accountsFile, '--home', home]);
  expect(imp.code, imp.stderr).toBe(0);
});

describe('dissent init', () => {
  it('writes a commented 0600 config, a policy and a 0600 key, prints the verifier key, and refuses to overwrite', () => {
    expect(vkey).toMatch(/^dissent\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
    expect(readFileSync(join(home, 'dissent.config.yaml'), 'utf8')).toMatch(
      /deadline: \S+ +# objections submitted after this are late/,
    );
    expect(statSync(join(home, 'log.key')).mode & 0o777).toBe(0o600);
    // The config will hold API tokens and the SMTP password: owner only too.
    expect(statSync(join(home, 'dissent.config.yaml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, 'policies', 'ai-training-2025.yaml'), 'utf8')).toContain('min_age: 18');
    const again = dissent(['init', '--home', home]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect(dissent(['log', 'key', '--home', home]).stdout.trim()).toBe(vkey);
  });

  it('refuses an --origin no home could use before writing anything, and names the key after the origin', () => {
    const parent = tempDir();
    for (const origin of ['two words', '', 'a+b']) {
      const h = join(parent, 'h');
      const r = dissent(['init', '--home', h, '--origin', origin]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--origin (must be one word|is empty)/);
      expect(existsSync(h)).toBe(false);
    }
    const url = dissent(['init', '--home', join(parent, 'url'), '--origin', 'https://example.org/log']);
    expect(url.code).toBe(0);
    expect(url.stdout).toMatch(/^https:\/\/example\.org\/log\+[0-9a-f]{8}\+/);
    // Quoted in the config where YAML would read it otherwise; any script.
    for (const [name, origin] of [
      ['hash', '#log'],
      ['umlaut', 'bücher.example/log'],
      ['number', '123'],
      ['boolean', 'true'],
      ['colon', 'log:'],
    ]) {
      const h = join(parent, name as string);
      expect(dissent(['init', '--home', h, '--origin', origin as string]).code).toBe(0);
      expect(dissent(['log', 'checkpoint', '--home', h]).stdout.split('\n')[0]).toBe(origin);
    }
    const file = join(parent, 'file.txt');
    writeFileSync(file, 'x');
    expect(dissent(['init', '--home', file]).stderr).toContain('is a file, not a folder');
  });

  it('makes the home readable by its owner only, also a folder made empty beforehand', () => {
    const made = join(tempDir(), 'fresh');
    expect(dissent(['init', '--home', made]).code).toBe(0);
    expect(statSync(made).mode & 0o777).toBe(0o700);
    const before = join(tempDir(), 'mkdir');
    mkdirSync(before, { mode: 0o755 });
    chmodSync(before, 0o755);
    const r = dissent(['init', '--home', before]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(before).mode & 0o777).toBe(0o700);
  });

  it("says, of a home whose log.key is gone, that it is the log's key and what to do", () => {
    const h = join(tempDir(), 'no-key');
    expect(dissent(['init', '--home', h]).code).toBe(0);
    rmSync(join(h, 'log.key'));
    const r = dissent(['log', 'checkpoint', '--home', h]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `dissent: cannot read the signing key ${join(h, 'log.key')}, the log's key (log.key_file in dissent.config.yaml); put it back from a backup (with several hosts, copy it from another host's home); if it is lost, see "The log's key lost" in docs/portal.md\n`,
    );
  });

  it('names the file, line and field of a config error', () => {
    const bad = join(tempDir(), 'home');
    expect(dissent(['init', '--home', bad]).code).toBe(0);
    const file = join(bad, 'dissent.config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/deadline: \S+/, 'deadline: next-tuesday'));
    const r = dissent(['log', 'checkpoint', '--home', bad]);
    expect(r.code).toBe(2);
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('next-tuesday')) + 1;
    expect(r.stderr).toContain(`dissent.config.yaml:${line}: programmes.0.deadline:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a deadline without a UTC offset, a date alone and an impossible date, instead of guessing', () => {
    const bad = join(tempDir(), 'home');
    expect(dissent(['init', '--home', bad]).code).toBe(0);
    const file = join(bad, 'dissent.config.yaml');
    const good = readFileSync(file, 'utf8');
    // Without an offset the deadline moved with the time zone of the machine that read the config.
    for (const deadline of ['2025-05-26T23:59:59', '2025-05-26', 'May 26, 2025', '2025-02-30T12:00:00Z']) {
      writeFileSync(file, good.replace(/deadline: \S+/, `deadline: ${deadline}`));
      const r = dissent(['log', 'checkpoint', '--home', bad], { env: { TZ: 'Europe/Berlin' } });
      expect(r.code, deadline).toBe(2);
      expect(r.stderr).toMatch(/programmes\.0\.deadline: must be a real ISO 8601 date-time with its UTC offset/);
    }
    // A YAML 1.1 header, under which a YAML parser turns dates into timestamps of its own, changes nothing.
    writeFileSync(file, `%YAML 1.1\n---\n${good.replace(/deadline: \S+/, 'deadline: 2025-05-26')}`);
    const yaml11 = dissent(['log', 'checkpoint', '--home', bad]);
    expect(yaml11.code).toBe(2);
    expect(yaml11.stderr).toMatch(/deadline: must be a real ISO 8601 date-time with its UTC offset/);
    writeFileSync(file, good.replace(/deadline: \S+/, 'deadline: 2025-05-26T21:59:59Z'));
    expect(dissent(['log', 'checkpoint', '--home', bad]).code).toBe(0);
  });

  it('refuses a grace_window without a unit instead of reading "72" as 72 seconds', () => {
    const bad = join(tempDir(), 'home');
    expect(dissent(['init', '--home', bad]).code).toBe(0);
    const file = join(bad, 'dissent.config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/grace_window: 72h/, 'grace_window: 72'));
    const r = dissent(['log', 'checkpoint', '--home', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /dissent\.config\.yaml:\d+: programmes\.0\.grace_window: must be a duration with its unit/,
    );
  });

  it('refuses an operator token that could never authenticate (a space, or a letter beyond ASCII)', () => {
    const bad = join(tempDir(), 'home');
    expect(dissent(['init', '--home', bad]).code).toBe(0);
    const file = join(bad, 'dissent.config.yaml');
    for (const token of ['correct horse battery staple', 'geheimes-tökenchen-12345']) {
      writeFileSync(file, readFileSync(file, 'utf8').replace(/api_tokens: .*/, `api_tokens: ["${token}"]`));
      const r = dissent(['log', 'checkpoint', '--home', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/server\.api_tokens\.0: must be visible ASCII without spaces/);
      expect(r.stderr).not.toContain(token);
    }
  });

  it('reads server.trust_proxy as addresses and CIDR ranges, and refuses anything else naming the field', () => {
    const dir = join(tempDir(), 'home');
    expect(dissent(['init', '--home', dir]).code).toBe(0);
    const file = join(dir, 'dissent.config.yaml');
    const config = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      config.replace('  # trust_proxy: [127.0.0.1]', '  trust_proxy: [127.0.0.1, "10.0.0.0/8", "::1"]'),
    );
    expect(dissent(['log', 'checkpoint', '--home', dir]).code).toBe(0);
    writeFileSync(file, config.replace('  # trust_proxy: [127.0.0.1]', '  trust_proxy: [true, "10.0.0.0/40"]'));
    const r = dissent(['log', 'checkpoint', '--home', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server\.trust_proxy\.0/);
  });

  it('names the config line of a server.listen that is not HOST:PORT, instead of blaming a --listen never given', () => {
    const dir = join(tempDir(), 'home');
    expect(dissent(['init', '--home', dir]).code).toBe(0);
    const file = join(dir, 'dissent.config.yaml');
    const config = readFileSync(file, 'utf8');
    for (const listen of ['localhost', '127.0.0.1:80800']) {
      writeFileSync(file, config.replace('listen: 127.0.0.1:8080', `listen: "${listen}"`));
      const r = dissent(['serve', '--home', dir]);
      expect(r.code, listen).toBe(2);
      expect(r.stderr).toMatch(/dissent\.config\.yaml:\d+: server\.listen: must be HOST:PORT/);
      expect(r.stderr).not.toContain('--listen');
    }
    writeFileSync(file, config.replace('listen: 127.0.0.1:8080', 'listen: "[::1]:0"'));
    expect(dissent(['log', 'checkpoint', '--home', dir]).code).toBe(0);
  });

  it('reads server.time_zone as an IANA zone, and refuses a zone name that is none, naming the field', () => {
    const dir = join(tempDir(), 'home');
    expect(dissent(['init', '--home', dir]).code).toBe(0);
    const file = join(dir, 'dissent.config.yaml');
    const config = readFileSync(file, 'utf8');
    writeFileSync(file, config.replace('  time_zone: Europe/Berlin', '  time_zone: Europe/Dublin'));
    expect(dissent(['log', 'checkpoint', '--home', dir]).code).toBe(0);
    writeFileSync(file, config.replace('  time_zone: Europe/Berlin', '  time_zone: Europe/Dubln'));
    const r = dissent(['log', 'checkpoint', '--home', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server\.time_zone: must be an IANA time zone/);
  });

  it('says that DATABASE_URL, not the config, names a database it cannot open, and never echoes the password', () => {
    // The generated config tells of the server mode it opens.
    expect(readFileSync(join(home, 'dissent.config.yaml'), 'utf8')).toMatch(
      /PostgreSQL database .*\n.*postgresql:\/\//,
    );
    // A PostgreSQL url that answers nowhere (port 1), and a kind of url dissent does not open.
    for (const url of ['postgres://ops:s3cret@127.0.0.1:1/app', 'mysql://ops:s3cret@db.internal/app']) {
      const r = dissent(['log', 'checkpoint', '--home', home], { env: { DATABASE_URL: url } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the DATABASE_URL environment variable');
      expect(r.stderr).toContain('unset DATABASE_URL');
      expect(r.stderr).not.toContain('s3cret');
    }
  });

  it('takes the home from DISSENT_HOME', () => {
    const r = dissent(['log', 'key'], { env: { DISSENT_HOME: home } });
    expect(r.stdout.trim()).toBe(vkey);
  });

  it('reads an empty DISSENT_HOME as unset and refuses an empty --home, instead of making the current folder a home', () => {
    const cwd = tempDir();
    const r = dissent(['init'], { cwd, env: { DISSENT_HOME: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, '.dissent', 'dissent.config.yaml'))).toBe(true);
    expect(existsSync(join(cwd, 'dissent.config.yaml'))).toBe(false);
    const other = tempDir();
    for (const args of [
      ['init', '--home', ''],
      ['init', '--home='],
      ['--home', '', 'log', 'key'],
    ]) {
      const e = dissent(args, { cwd: other });
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.stderr).toContain('--home is empty');
    }
    expect(readdirSync(other)).toEqual([]);
  });
});

describe('dissent identities import', () => {
  it('reports bad lines by number, imports the rest, and upserts on re-import', () => {
    const file = join(tempDir(), 'mixed.jsonl');
    const good = (n: number) =>
      JSON.stringify({
        account: `x:a:${n}`,
        person: `x:p:${n}`,
        source: 'mastodon',
        handle: `h${n}`,
        display_name: null,
        email: null,
        birth_date: '1970-01-01',
        country: 'AT',
      });
    // Starts with a byte order mark, as some editors write one.
    writeFileSync(
      file,
      `\uFEFF${[
        good(1),
        '{not json',
        JSON.stringify({ account: 'x:a:9', source: 'x' }),
        good(2),
        JSON.stringify({ account: 'x:a:3', person: 'x:p:3', source: 's', birth_date: '31.12.1999' }),
        good(1),
      ].join('\n')}`,
    );
    const r = dissent(['identities', 'import', file, '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mixed.jsonl:2: invalid JSON');
    expect(r.stderr).toContain('mixed.jsonl:3: field person');
    expect(r.stderr).toContain('mixed.jsonl:5: field birth_date: must be a date YYYY-MM-DD');
    expect(r.stderr).toContain('mixed.jsonl:6: the account id of line 1 again (one line per account)');
    expect(r.stderr).toMatch(/imported 2 of 6 lines \(4 bad\)/);
    expect(dissent(['object', '--subject', 'x:a:2', '--home', home]).code).toBe(0);
    // Another import of an account updates it.
    const again = join(tempDir(), 'again.jsonl');
    writeFileSync(again, `${good(1).replace('"x:p:1"', '"x:p:2"')}\n`);
    const re = dissent(['identities', 'import', again, '--home', home]);
    expect(re.code, re.stderr).toBe(0);
    expect(re.stderr).toContain('warning: 1 account now belongs to another person than before');
    expect(dissent(['object', '--subject', 'x:a:1', '--home', home]).stdout).toContain('"subject": "x:p:2"');
  });

  it('reports a huge file that is bad on every line, in little memory, with counts that add up', () => {
    // An export with one field too many on every row: each line is bad, and none may be held until the end.
    const file = join(tempDir(), 'extra-field.jsonl');
    const lines = Array.from(
      { length: 250_000 },
      (_, i) => `{"account":"z:a:${i}","person":"z:p:${i}","source":"facebook","created":"2020-01-01"}`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = dissent(['identities', 'import', file, '--home', home], {
      env: { NODE_OPTIONS: '--max-old-space-size=40' },
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(2);
    expect(r.stderr).toContain('extra-field.jsonl:1: an unknown field');
    expect(r.stderr).toContain('... and 249950 more bad lines');
    expect(r.stderr).toMatch(/imported 0 of 250000 lines \(250000 bad\)/);
  });

  it('gives a clear error for a missing file', () => {
    const r = dissent(['identities', 'import', '/nonexistent/accounts.jsonl', '--home', home]);
    expect(r.code).toBe(2);
    // Why it cannot be read, so that a typo in the path is not taken for a permission problem.
    expect(r.stderr).toContain('cannot read accounts file /nonexistent/accounts.jsonl: it does not exist\n');
    // So for the files the verify and object commands read.
    const vkey = dissent(['log', 'key', '--home', home]).stdout.trim();
    const receipt = dissent(['verify', 'receipt', '/nonexistent/receipt.json', '--key', vkey]);
    expect([receipt.code, receipt.stderr]).toEqual([
      2,
      'dissent: cannot read the receipt file /nonexistent/receipt.json: it does not exist\n',
    ]);
    const subjects = dissent(['object', '--subjects', '/nonexistent/subjects.jsonl', '--home', home]);
    expect(subjects.stderr).toContain('cannot read the subjects file /nonexistent/subjects.jsonl: it does not exist\n');
    const folder = dissent(['identities', 'import', tempDir(), '--home', home]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder; give the JSONL file itself/);
    expect(folder.stderr).not.toContain('unexpected');
  });
});

describe('objections, receipts and offline verification', () => {
  it('files an objection whose receipt verifies offline with no home, and a repeat returns the same receipt', () => {
    const dir = tempDir();
    const withInstagram = [...generateIdentityGraph({ persons: 60 })].find(
      (a) => a.source === 'instagram' && a.person !== 'p:1',
    );
    const person = withInstagram?.person as string;
    const first = dissent([
      'object',
      '--subject',
      withInstagram?.account as string,
      '--home',
      home,
      '--out',
      join(dir, 'r.json'),
    ]);
    expect(first.code, first.stderr).toBe(0);
    const receipt = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(receipt).toMatchObject({ v: 1, subject: person, scope: 'person', programme: '*' });
    expect(receipt.late).toEqual({ 'ai-training-2025': true });
    const v = dissent(['verify', 'receipt', join(dir, 'r.json'), '--key', vkey], { cwd: dir });
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/VALID/);
    // Saved again by an editor that writes a byte order mark: the browser and the portal take it, so must the CLI.
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${readFileSync(join(dir, 'r.json'), 'utf8')}`);
    const bom = dissent(['verify', 'receipt', join(dir, 'bom.json'), '--key', vkey]);
    expect(bom.code, bom.stdout).toBe(0);
    expect(bom.stdout).toMatch(/^VALID$/m);
    // docs/verifying.md checks a receipt's checkpoint against today's: given the receipt itself instead of the
    // checkpoint taken out of it, the command says how to take it out, not only that there is no signature block.
    const asCheckpoint = dissent(['verify', 'checkpoint', join(dir, 'r.json'), '--key', vkey]);
    expect(asCheckpoint.code).toBe(1);
    expect(asCheckpoint.stdout).toContain(
      `FAIL checkpoint: ${join(dir, 'r.json')} is a receipt, not a checkpoint: take its checkpoint out with jq -j .checkpoint ${join(dir, 'r.json')} > then.txt\n`,
    );
    const again = dissent(['object', '--subject', person, '--home', home]);
    expect(JSON.parse(again.stdout).objection_id).toBe(receipt.objection_id);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('names the failing check for a tampered receipt and a wrong key (exit 1), and a malformed key (exit 2)', () => {
    const dir = tempDir();
    const r = JSON.parse(dissent(['object', '--subject', 'p:3', '--home', home]).stdout);
    const write = (name: string, v: unknown) => {
      writeFileSync(join(dir, name), typeof v === 'string' ? v : JSON.stringify(v));
      return join(dir, name);
    };
    const cases: [string, unknown, RegExp][] = [
      ['subject.json', { ...r, subject: 'p:4' }, /FAIL subject/],
      ['index.json', { ...r, leaf_index: r.leaf_index + 1 }, /FAIL (inclusion|checkpoint)/],
      ['leaf.json', { ...r, leaf: r.leaf.replace('"v":1', '"v":2') }, /FAIL leaf/],
      [
        'sig.json',
        { ...r, checkpoint: r.checkpoint.replace(/\n(\d+)\n/, (_: string, n: string) => `\n${Number(n) + 1}\n`) },
        /FAIL checkpoint: note signature is invalid/,
      ],
      ['garbage.json', '{"v":1, trunc', /FAIL format/],
    ];
    for (const [name, content, msg] of cases) {
      const out = dissent(['verify', 'receipt', write(name, content), '--key', vkey]);
      expect(out.code, name).toBe(1);
      expect(out.stdout, name).toMatch(msg);
      expect(out.stdout).toMatch(/INVALID/);
    }
    const otherHome = join(tempDir(), 'other');
    const otherKey = dissent(['init', '--home', otherHome]).stdout.trim();
    const wrong = dissent([
      'verify',
      'receipt',
      write('ok.json', r),
      '--key',
      otherKey.replace(/^[^+]+/, 'dissent.example/log'),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL checkpoint: note is not signed by key/);
    // Damaged by a stray brace at its end: one receipt that is not JSON, not a JSON Lines file of 20-odd failed ones
    // (the last proof hash of a pretty-printed receipt, `"…="`, is valid JSON on its own line).
    const second = JSON.parse(dissent(['object', '--subject', 'p:4', '--home', home]).stdout);
    expect(second.inclusion_proof.length).toBeGreaterThan(0);
    const brace = dissent([
      'verify',
      'receipt',
      write('brace.json', `${JSON.stringify(second, null, 2)}\n}\n`),
      '--key',
      vkey,
    ]);
    expect([brace.code, brace.stdout]).toEqual([
      1,
      'FAIL format: the receipt is not valid JSON (nor JSON Lines of receipts)\nINVALID\n',
    ]);
    const malformed = dissent(['verify', 'receipt', write('ok2.json', r), '--key', 'not-a-key']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--key value is neither a verifier key/);
  });

  it('tells an operator who passes the home log.key as --key to pass the verifier key instead', () => {
    const dir = tempDir();
    const receipt = join(dir, 'r.json');
    writeFileSync(receipt, dissent(['object', '--subject', 'p:6', '--home', home]).stdout);
    const secret = readFileSync(join(home, 'log.key'), 'utf8').trim();
    const r = dissent(['verify', 'receipt', receipt, '--key', join(home, 'log.key')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/signing key, not a verifier key; pass the verifier key that "dissent log key" prints/);
    expect(r.stderr).toContain('dissent log key --programme ID');
    // PRIVATE+KEY+name+hash+base64: the base64 may hold a '+' itself, so the secret is all after the fourth.
    expect(r.stderr).not.toContain(secret.split('+').slice(4).join('+'));
  });

  it("prints a programme's own manifest key with log key --programme, and the log's key for one without", () => {
    const own = join(tempDir(), 'home');
    expect(dissent(['init', '--home', own]).code).toBe(0);
    // dissent log keygen makes the key: owner-only, never over an existing file, its verifier key printed.
    const made = dissent(['log', 'keygen', '--out', 'programme.key', '--name', 'programme.example/snapshots'], {
      cwd: own,
    });
    expect(made.code, made.stderr).toBe(0);
    // Absolute, since a relative key_file is read from the home folder, not from where the command ran.
    expect(made.stderr).toContain(`key_file: ${join(own, 'programme.key')} `);
    expect(statSync(join(own, 'programme.key')).mode & 0o777).toBe(0o600);
    const programmeKey = readFileSync(join(own, 'programme.key'), 'utf8').trim();
    expect(made.stdout.trim()).toBe(verifierKeyOf(parseSignerKey(programmeKey)));
    // Under the name given: the name verifiers see the manifests signed by.
    expect(parseVerifierKey(made.stdout.trim()).name).toBe('programme.example/snapshots');
    const again = dissent(['log', 'keygen', '--out', join(own, 'programme.key'), '--name', 'other']);
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('exists; a key is never written over')]);
    expect(readFileSync(join(own, 'programme.key'), 'utf8').trim()).toBe(programmeKey);
    const badName = dissent(['log', 'keygen', '--out', join(own, 'x.key'), '--name', 'has space']);
    expect([badName.code, badName.stderr]).toEqual([2, expect.stringContaining('--name must be non-empty')]);
    expect(existsSync(join(own, 'x.key'))).toBe(false);
    const config = join(own, 'dissent.config.yaml');
    const text = readFileSync(config, 'utf8');
    const logKey = dissent(['log', 'key', '--home', own]).stdout.trim();
    const id = /- id: (\S+)/.exec(text)?.[1] as string;
    // Without a key_file, the programme's manifests are signed with the log's key.
    expect(dissent(['log', 'key', '--programme', id, '--home', own]).stdout.trim()).toBe(logKey);
    writeFileSync(config, text.replace(/(\n {4}policy: .*\n)/, '$1    key_file: programme.key\n'));
    const r = dissent(['log', 'key', '--programme', id, '--home', own]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(verifierKeyOf(parseSignerKey(programmeKey)));
    expect(dissent(['log', 'key', '--programme', 'nope', '--home', own]).code).toBe(2);
  });

  it('refuses an unknown subject and an unknown programme with exit 2 and no stack trace', () => {
    const u = dissent(['object', '--subject', 'who-is-this', '--home', home]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown subject/);
    expect(u.stderr).not.toContain('who-is-this');
    expect(u.stderr).not.toMatch(/\n\s+at /);
    const p = dissent(['object', '--subject', 'p:5', '--programme', 'nope', '--home', home]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/unknown programme "nope"; use "\*" or one of: ai-training-2025/);
    const d = dissent(['object', '--subject', 'who-is-this', '--home', home, '--debug']);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('refuses a misspelt option (exit 2) instead of filing an objection to every programme', () => {
    const before = dissent(['log', 'checkpoint', '--home', home]).stdout;
    const r = dissent(['object', '--subject', 'p:6', '--programe', 'ai-training-2025', '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --programe');
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout).toBe(before);
    expect(dissent(['log', 'key', '--hme', home]).code).toBe(2);
  });

  it('refuses an option given an empty value (an unset variable) instead of acting as if it were left out', () => {
    const before = dissent(['log', 'checkpoint', '--home', home]).stdout;
    for (const args of [
      ['object', '--subject', 'p:6', '--out', '', '--home', home],
      ['object', '--subject', 'p:6', '--programme=', '--home', home],
      ['build', '--programme', 'ai-training-2025', '--input', accountsFile, '--out', tempDir(), '--policy', ''],
      ['sources', 'convert', '--format', 'claude', repoPath('test', 'fixtures', 'sources', 'claude'), '--account'],
    ]) {
      const r = dissent(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--(out|programme|policy|account) is empty \(an unset shell variable\?\)/);
      expect(r.stdout).toBe('');
    }
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout).toBe(before);
  });

  it('refuses a switch given a value other than true or false, which citty would read as true', () => {
    const before = dissent(['log', 'checkpoint', '--home', home]).stdout;
    const r = dissent(['object', '--subject', 'fb:a:7', '--account-only=no', '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--account-only is a switch: give it alone (or =true or =false), not =no');
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout).toBe(before);
    const account = dissent(['object', '--subject', 'fb:a:7', '--account-only=true', '--home', home]);
    expect(account.code, account.stderr).toBe(0);
    expect(JSON.parse(account.stdout).scope).toBe('account');
    expect(dissent(['demo', '--home', join(tempDir(), 'd'), '--serve=0']).stderr).toContain('--serve is a switch');
  });

  it('refuses an option given twice instead of acting on the last one only', () => {
    const before = dissent(['log', 'checkpoint', '--home', home]).stdout;
    const r = dissent(['object', '--subject', 'p:8', '--subject', 'p:9', '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--subject is given more than once');
    expect(r.stderr).not.toMatch(/p:8|p:9/);
    expect(dissent(['--home', home, 'log', 'key', '--home', tempDir()]).stderr).toContain('--home is given more');
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout).toBe(before);
  });

  it('refuses an argument too many (exit 2) instead of acting on the first and ignoring the rest', () => {
    const before = dissent(['log', 'checkpoint', '--home', home]).stdout;
    const two = dissent(['object', '--subject', 'p:6', 'p:7', '--home', home]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('dissent object takes no arguments besides its options, but was given 1 more');
    // The stray word may be a subject id: it is not echoed.
    expect(two.stderr).not.toContain('p:7');
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout).toBe(before);
    const files = dissent(['verify', 'receipt', 'a.json', 'b.json', '--key', 'k.txt']);
    expect(files.code).toBe(2);
    expect(files.stderr).toContain('dissent verify receipt takes 1 argument besides its options');
    expect(dissent(['log', 'consistency', '1', '2', '3', '--home', home]).stderr).toContain(
      'takes at most 2 arguments',
    );
    expect(dissent(['--home', home, 'log', 'entry', '0']).code).toBe(0);
    expect(dissent(['log', 'entry', '--home', home, '--', '0']).code).toBe(0);
  });

  it('names a misspelt command as such, takes --home before the command, and prints its version', () => {
    const typo = dissent(['objekt', '--subject', 'p:6', '--home', home]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "objekt"');
    expect(dissent(['identities', 'imprt', 'x.jsonl', '--home', home]).stderr).toContain('unknown command "imprt"');
    const first = dissent(['--home', home, 'log', 'key']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(dissent(['log', 'key', '--home', home]).stdout.trim());
    expect(dissent(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(dissent(['--version', '--home', home]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('withdraws with a receipt that verifies, and a second withdrawal fails clearly', () => {
    const dir = tempDir();
    const o = dissent(['object', '--subject', 'p:6', '--home', home, '--out', join(dir, 'o.json')]);
    expect(o.code).toBe(0);
    const w = dissent(['withdraw', '--subject', 'fb:a:6', '--home', home, '--out', join(dir, 'w.json')]);
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')).leaf).toContain('"type":"withdrawal"');
    const wv = dissent(['verify', 'receipt', join(dir, 'w.json'), '--key', vkey]);
    expect(wv.code).toBe(0);
    // A withdrawal's receipt proves like an objection's: the check says which it is, and of which log.
    expect(wv.stdout).toContain('ok   leaf: a WITHDRAWAL of an objection to all current and future AI training');
    expect(wv.stdout).toContain('checkpoint: log dissent.example/log');
    const other = dissent(['verify', 'receipt', join(dir, 'w.json'), '--key', vkey, '--origin', 'staging.example/log']);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('FAIL checkpoint: checkpoint origin is not staging.example/log');
    // In a JSON Lines file of receipts too: a withdrawal's line says what it is, and so does the verdict.
    const both = join(dir, 'both.jsonl');
    const oneLine = (f: string) => JSON.stringify(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    writeFileSync(both, `${oneLine('o.json')}\n${oneLine('w.json')}\n`);
    const many = dissent(['verify', 'receipt', both, '--key', vkey]);
    expect(many.code).toBe(0);
    expect(many.stdout).toMatch(
      /^ok {3}line 1\nok {3}line 2: a WITHDRAWAL of an objection to all current and future AI training .*\nVALID \(all 2 receipts; 1 of them records a WITHDRAWAL, not an objection\)\n$/,
    );
    const again = dissent(['withdraw', '--subject', 'p:6', '--home', home]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no effective objection to withdraw/);
  });

  it('files bulk objections in one go with one receipt a line, reporting bad lines', () => {
    const file = join(tempDir(), 'subjects.jsonl');
    writeFileSync(
      file,
      [
        '{"subject":"p:10"}',
        '{"subject":"fb:a:11","account_only":true}',
        'oops',
        '{"subject":"nobody"}',
        '{"subject":"p:12","programme":"ai-training-2025"}',
      ].join('\n'),
    );
    const r = dissent(['object', '--subjects', file, '--home', home]);
    expect(r.code).toBe(2);
    const receipts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(receipts.map((x) => x.subject)).toEqual(['p:10', 'fb:a:11', 'p:12']);
    expect(new Set(receipts.map((x) => x.checkpoint)).size).toBe(1);
    expect(r.stderr).toContain('subjects.jsonl:3: invalid JSON');
    expect(r.stderr).toMatch(/subjects\.jsonl:4: unknown subject/);
  });

  it('refuses a bulk line with a field it does not know, naming the field meant, so a typo never widens an objection', () => {
    // Taken without a word, "accountOnly" filed a person-scope objection for every linked account, and "programm" one
    // to all programmes, instead of what the line asked for.
    const file = join(tempDir(), 'subjects.jsonl');
    writeFileSync(
      file,
      [
        '{"subject":"fb:a:51","accountOnly":true}',
        '{"subject":"p:52","programm":"ai-training-2025"}',
        '{"subject":"fb:a:53","scope":"account"}',
        '{"subject":"p:54","Anna Müller":1}',
        '{"subject":"p:50"}',
      ].join('\n'),
    );
    const r = dissent(['object', '--subjects', file, '--home', home]);
    expect(r.code).toBe(2);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).subject),
    ).toEqual(['p:50']);
    expect(r.stderr).toContain('subjects.jsonl:1: an unknown field (did you mean account_only?)');
    expect(r.stderr).toContain('subjects.jsonl:2: an unknown field (did you mean programme?)');
    expect(r.stderr).toContain('subjects.jsonl:3: an unknown field (did you mean account_only?)');
    expect(r.stderr).toContain(
      'subjects.jsonl:4: an unknown field (the fields are subject, programme, account_only, reason)',
    );
    // The key itself could be data: it is never repeated.
    expect(r.stderr).not.toContain('Anna');
    expect(r.stderr).toContain('1 new objections, 0 already effective, 4 bad lines');
  });

  it('files nothing and leaves no --out file when every bulk line is bad, so that the fixed file can be run again', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.jsonl');
    const out = join(dir, 'receipts.jsonl');
    writeFileSync(file, 'oops\n{"subject":"nobody"}\n');
    const r = dissent(['object', '--subjects', file, '--out', out, '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing filed: all 2 lines are bad');
    expect(existsSync(out)).toBe(false);
    writeFileSync(file, '{"subject":"p:13"}\n');
    const again = dissent(['object', '--subjects', file, '--out', out, '--home', home]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).subject).toBe('p:13');
  });

  it('applies --programme, --account-only and --reason to bulk lines without their own, and writes --out', () => {
    const dir = tempDir();
    const file = join(dir, 'subjects.jsonl');
    writeFileSync(
      file,
      ['{"subject":"fb:a:30"}', '{"subject":"p:31","programme":"*","account_only":false,"reason":"my own"}'].join('\n'),
    );
    const out = join(dir, 'receipts.jsonl');
    const r = dissent([
      'object',
      '--subjects',
      file,
      '--programme',
      'ai-training-2025',
      '--account-only',
      '--reason',
      'filed for the family',
      '--out',
      out,
      '--home',
      home,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const receipts = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(receipts.map((x) => [x.subject, x.programme, x.scope])).toEqual([
      ['fb:a:30', 'ai-training-2025', 'account'],
      ['p:31', '*', 'person'],
    ]);
    const db = new Database(join(home, 'registry.db'), { readonly: true });
    const reasons = receipts.map((x) =>
      db.prepare('SELECT reason FROM objections WHERE id = ?').pluck().get(x.objection_id),
    );
    db.close();
    expect(reasons).toEqual(['filed for the family', 'my own']);
    // The bulk file is checked as it is, a receipt a line; a tampered line fails alone.
    const ok = dissent(['verify', 'receipt', out, '--key', vkey]);
    expect([ok.code, ok.stdout]).toEqual([0, 'ok   line 1\nok   line 2\nVALID (all 2 receipts)\n']);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    writeFileSync(out, `${lines[0]}\n${(lines[1] as string).replace('"p:31"', '"p:32"')}\n`);
    const bad = dissent(['verify', 'receipt', out, '--key', vkey]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^ok {3}line 1\nFAIL line 2: .+\nINVALID \(1 of 2 receipts failed\)\n$/);
    // A line cut off (or garbage after the last one) fails on its own too; the others are still checked.
    writeFileSync(out, `${lines[0]}\n${(lines[1] as string).slice(0, 40)}\n`);
    const cut = dissent(['verify', 'receipt', out, '--key', vkey]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/^ok {3}line 1\nFAIL line 2: .*not valid JSON.*\nINVALID \(1 of 2 receipts failed\)\n$/);
  });

  it('writes the receipts of a large bulk without joining them into one string', () => {
    // Joined, some 300,000 receipts pass the longest string JavaScript holds, and the command failed after filing
    // them all, printing none. The same happens with far fewer receipts in a small heap, as here.
    const dir = tempDir();
    const bulkHome = join(dir, 'home');
    expect(dissent(['init', '--home', bulkHome]).code).toBe(0);
    const n = 30_000;
    const accounts = join(dir, 'accounts.jsonl');
    const subjects = join(dir, 'subjects.jsonl');
    const ids = Array.from({ length: n }, (_, i) => `b:a:${i}`);
    writeFileSync(accounts, ids.map((a, i) => `{"account":"${a}","person":"b:p:${i}","source":"facebook"}\n`).join(''));
    writeFileSync(subjects, ids.map((a) => `{"subject":"${a}"}\n`).join(''));
    expect(dissent(['identities', 'import', accounts, '--home', bulkHome]).code).toBe(0);
    const out = join(dir, 'receipts.jsonl');
    const r = dissent(['object', '--subjects', subjects, '--out', out, '--home', bulkHome], {
      env: { NODE_OPTIONS: '--max-old-space-size=150' },
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain(`${n} new objections, 0 already effective, 0 bad lines`);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(JSON.parse(lines[n - 1] as string).subject).toBe(`b:p:${n - 1}`);
  });

  it('takes a bulk file with a byte order mark and CR LF line ends, and refuses an empty one', () => {
    const dir = tempDir();
    const file = join(dir, 'bom.jsonl');
    writeFileSync(file, '\uFEFF{"subject":"p:33"}\r\n{"subject":"p:34"}\r\n');
    const r = dissent(['object', '--subjects', file, '--home', home]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2 new objections, 0 already effective, 0 bad lines');
    writeFileSync(file, '\n\n');
    const empty = dissent(['object', '--subjects', file, '--home', home]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no lines: nothing to file');
  });

  it('takes bare CR line ends in a bulk file, as identities import does', () => {
    const file = join(tempDir(), 'cr.jsonl');
    writeFileSync(file, '{"subject":"p:37"}\r{"subject":"p:38"}\r');
    const r = dissent(['object', '--subjects', file, '--home', home]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 new objections, 0 already effective, 0 bad lines');
  });

  it('refuses a reason longer than the portal takes, by line in a bulk file, before filing it', () => {
    const long = 'x'.repeat(2001);
    const single = dissent(['object', '--subject', 'p:39', '--reason', long, '--home', home]);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('the reason is longer than 2000 characters');
    expect(single.stdout).toBe('');
    const file = join(tempDir(), 'reasons.jsonl');
    writeFileSync(file, `${JSON.stringify({ subject: 'p:39', reason: long })}\n{"subject":"p:40","reason":"ok"}\n`);
    const bulk = dissent(['object', '--subjects', file, '--home', home]);
    expect(bulk.code).toBe(2);
    expect(bulk.stderr).toContain('reasons.jsonl:1: the reason is longer than 2000 characters');
    expect(bulk.stderr).toContain('1 new objections, 0 already effective, 1 bad lines');
    expect(bulk.stdout.trim().split('\n')).toHaveLength(1);
    // p:39 was never filed: a reason of the right length files it anew.
    const ok = dissent(['object', '--subject', 'p:39', '--reason', 'x'.repeat(2000), '--home', home]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/already/);
  });

  it('takes --out - as stdout, and writes no file named -', () => {
    const cwd = tempDir();
    const r = dissent(['object', '--subject', 'p:41', '--out', '-', '--home', home], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scope: 'person' });
    expect(existsSync(join(cwd, '-'))).toBe(false);
  });

  it('refuses an --out it cannot write before filing anything, so no receipt is lost', () => {
    const missing = join(tempDir(), 'no-such-folder', 'w.json');
    expect(dissent(['object', '--subject', 'p:32', '--home', home]).code).toBe(0);
    const w = dissent(['withdraw', '--subject', 'p:32', '--out', missing, '--home', home]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/no-such-folder does not exist/);
    // Nothing was withdrawn: the same command with a good path still works.
    const good = join(tempDir(), 'w.json');
    expect(dissent(['withdraw', '--subject', 'p:32', '--out', good, '--home', home]).code).toBe(0);
    expect(JSON.parse(readFileSync(good, 'utf8')).leaf).toContain('"type":"withdrawal"');
    const asFolder = dissent(['object', '--subject', 'p:33', '--out', tempDir(), '--home', home]);
    expect(asFolder.code).toBe(2);
    expect(asFolder.stderr).toMatch(/it is a folder/);
  });

  it('never writes a receipt over an existing file: the objection receipt survives a withdraw --out onto it', () => {
    const dir = tempDir();
    const file = join(dir, 'receipt.json');
    expect(dissent(['object', '--subject', 'p:34', '--out', file, '--home', home]).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const objection = readFileSync(file, 'utf8');
    chmodSync(file, 0o644);
    const w = dissent(['withdraw', '--subject', 'p:34', '--out', file, '--home', home]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/the file exists/);
    expect(readFileSync(file, 'utf8')).toBe(objection);
    // Refused before anything was withdrawn: the objection still stands, and a new file gets the withdrawal.
    const fresh = join(dir, 'withdrawal.json');
    expect(dissent(['withdraw', '--subject', 'p:34', '--out', fresh, '--home', home]).code).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const bulk = join(dir, 'bulk.jsonl');
    writeFileSync(bulk, 'receipts of an earlier run\n');
    const subjects = join(dir, 'subjects.jsonl');
    writeFileSync(subjects, '{"subject":"p:35"}\n');
    const b = dissent(['object', '--subjects', subjects, '--out', bulk, '--home', home]);
    expect(b.code).toBe(2);
    expect(readFileSync(bulk, 'utf8')).toBe('receipts of an earlier run\n');
  });

  it('says so and exits 2, with no stack trace, when the reader of its receipts closes the pipe (| head)', async () => {
    const child = spawnTsx(repoPath('src', 'cli', 'main.ts'), ['object', '--subject', 'p:36', '--home', home]);
    // The reader goes away before the receipt is written, as `| head -c 0` or a crashed consumer would.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const [code] = await once(child, 'exit');
    expect(stderr).not.toMatch(/node:events|Unhandled 'error' event|\n +at /);
    expect(stderr).toMatch(/standard output closed it \(EPIPE\); what was filed stands/);
    expect(code).toBe(2);
    // It was filed: the receipt is there to be had again.
    expect(dissent(['object', '--subject', 'p:36', '--home', home]).stderr).toMatch(/already exists/);
  });

  it('says so and exits 2, with no stack trace, when its receipts go to a full disk (> FILE on ENOSPC)', () => {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        repoPath('src', 'cli', 'main.ts'),
        'object',
        '--subject',
        'p:41',
        '--home',
        home,
      ],
      { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' },
    );
    closeSync(full);
    expect(r.stderr).not.toMatch(/\n +at /);
    expect(r.stderr).toMatch(/standard output could not be written \(ENOSPC\); what was filed stands, give --out FILE/);
    expect(r.status).toBe(2);
    expect(dissent(['object', '--subject', 'p:41', '--home', home]).stderr).toMatch(/already exists/);
  });

  it('serves log entries, inclusion and consistency proofs that the offline verifier accepts', () => {
    const dir = tempDir();
    // The old checkpoint covers one entry at least, so that the proof from it has hashes to check.
    expect(dissent(['object', '--subject', 'p:19', '--home', home]).code).toBe(0);
    // Saved with one newline more than the note has, as `jq -r` or an editor would.
    writeFileSync(join(dir, 'old.txt'), `${dissent(['log', 'checkpoint', '--home', home]).stdout}\n`);
    const oldSize = Number(readFileSync(join(dir, 'old.txt'), 'utf8').split('\n')[1]);
    expect(dissent(['object', '--subject', 'p:20', '--home', home]).code).toBe(0);
    writeFileSync(join(dir, 'new.txt'), dissent(['log', 'checkpoint', '--home', home]).stdout);
    const proof = dissent(['log', 'consistency', String(oldSize), '--home', home]);
    writeFileSync(join(dir, 'proof.json'), proof.stdout);
    expect(JSON.parse(proof.stdout)).toMatchObject({ from: oldSize, to: oldSize + 1 });
    const ok = dissent([
      'verify',
      'consistency',
      join(dir, 'old.txt'),
      join(dir, 'new.txt'),
      '--proof',
      join(dir, 'proof.json'),
      '--key',
      vkey,
    ]);
    expect(ok.code, ok.stdout).toBe(0);
    const swapped = dissent([
      'verify',
      'consistency',
      join(dir, 'new.txt'),
      join(dir, 'old.txt'),
      '--proof',
      join(dir, 'proof.json'),
      '--key',
      vkey,
    ]);
    expect(swapped.code).toBe(1);
    // Sizes written as strings: the file is not a proof, rather than a proof "for sizes 3→5, not 3→5".
    const proofJson = JSON.parse(proof.stdout);
    const quoted = { ...proofJson, from: String(proofJson.from), to: String(proofJson.to) };
    writeFileSync(join(dir, 'quoted.json'), JSON.stringify(quoted));
    const strings = dissent([
      'verify',
      'consistency',
      join(dir, 'old.txt'),
      join(dir, 'new.txt'),
      '--proof',
      join(dir, 'quoted.json'),
      '--key',
      vkey,
    ]);
    expect(strings.code).toBe(1);
    expect(strings.stdout).toContain('FAIL consistency: the proof file is not {from,to,proof:[base64]}');
    const verifyWith = (newFile: string, proofFile: string) =>
      dissent(['verify', 'consistency', join(dir, 'old.txt'), newFile, '--proof', proofFile, '--key', vkey]);
    // A proof with one hash changed does not link the roots: what a rewritten log would give.
    expect(proofJson.proof.length).toBeGreaterThan(0);
    const bent = proofJson.proof.map((h: string, i: number) =>
      i === 0 ? Buffer.from(Buffer.from(h, 'base64').map((b, j) => (j === 0 ? b ^ 1 : b))).toString('base64') : h,
    );
    writeFileSync(join(dir, 'bent.json'), JSON.stringify({ ...proofJson, proof: bent }));
    const broken = verifyWith(join(dir, 'new.txt'), join(dir, 'bent.json'));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      'FAIL consistency: the proof does not link the two roots: the log was rewritten or the proof is wrong',
    );
    // The same tree signed by the same key under another origin is another log.
    const signer = parseSignerKey(readFileSync(join(home, 'log.key'), 'utf8').trim());
    const cp = openCheckpoint(readFileSync(join(dir, 'new.txt'), 'utf8'), parseVerifierKey(vkey));
    writeFileSync(join(dir, 'other.txt'), signCheckpoint({ ...cp, origin: 'other.example/log' }, signer));
    const other = verifyWith(join(dir, 'other.txt'), join(dir, 'proof.json'));
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('FAIL consistency: the checkpoints are from different logs');
    expect(dissent(['verify', 'checkpoint', join(dir, 'new.txt'), '--key', vkey]).code).toBe(0);
    const entry = dissent(['log', 'entry', '0', '--home', home]);
    expect(JSON.parse(entry.stdout)).toMatchObject({ v: 1, type: 'objection' });
    const negative = dissent(['log', 'entry', '-1', '--home', home]);
    expect([negative.code, negative.stderr]).toEqual([
      2,
      'dissent: -1: must be a non-negative integer (indexes and sizes count from 0)\n',
    ]);
    const prove = JSON.parse(dissent(['log', 'prove', '0', '--size', '2', '--home', home]).stdout);
    expect(prove).toMatchObject({ index: 0, size: 2 });
    expect(prove.proof).toHaveLength(1);
    // Too large to read exactly: said so, rather than an error naming a rounded number the user never gave.
    const huge = dissent(['log', 'entry', '99999999999999999999', '--home', home]);
    expect([huge.code, huge.stderr]).toEqual([2, 'dissent: N is too large for any log\n']);
    const beyond = dissent(['log', 'prove', '0', '--size', '99999', '--home', home]);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toMatch(/beyond the log/);
  });

  it('keeps subject ids and e-mails out of the log table and every checkpoint', () => {
    const db = new Database(join(home, 'registry.db'), { readonly: true });
    const leaves = (db.prepare('SELECT leaf FROM log_leaves').pluck().all() as string[]).join('\n');
    const notes = (db.prepare('SELECT note FROM checkpoints').pluck().all() as string[]).join('\n');
    const subjects = db
      .prepare('SELECT subject FROM objections UNION SELECT account FROM accounts')
      .pluck()
      .all() as string[];
    const emails = db.prepare('SELECT email FROM accounts WHERE email IS NOT NULL').pluck().all() as string[];
    db.close();
    expect(leaves.length).toBeGreaterThan(0);
    for (const needle of [...subjects, ...emails]) {
      expect(leaves).not.toContain(`"${needle}"`);
      expect(leaves).not.toContain(needle.includes('@') ? needle : `"${needle}`);
      expect(notes).not.toContain(needle);
    }
  });

  it('prints --help for every command', () => {
    for (const cmd of [
      [],
      ['object'],
      ['withdraw'],
      ['log', 'prove'],
      ['verify', 'receipt'],
      ['identities', 'import'],
      ['init'],
      ['demo'],
    ]) {
      const r = dissent([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/USAGE/);
    }
    // Commands that read no home say so, rather than offer a --home that changes nothing.
    for (const cmd of [['redact'], ['sources', 'convert']]) {
      expect(dissent([...cmd, '--help']).stdout, cmd.join(' ')).toMatch(
        /--home=<DIR>\s+taken like every command, but not read/,
      );
    }
  });
});
