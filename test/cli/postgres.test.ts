import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { fromBase64, hashLeaf } from '../../src/log/hash.ts';
import { parseVerifierKey } from '../../src/log/note.ts';
import { verifyInclusion } from '../../src/log/proofs.ts';
import type { Receipt } from '../../src/log/receipt.ts';
import { sessionUrl } from '../../src/registry/postgres/pg-url.ts';
import { ACCOUNTS, readShards, record, writeJsonl } from '../build/_fixture.ts';
import { dissent, tempDir } from '../helpers/cli.ts';
import { postgresAvailability, useTestRegistry } from '../helpers/postgres.ts';
import { describeWhere } from '../helpers/requires.ts';

describeWhere(await postgresAvailability(), 'dissent with its registry in PostgreSQL (DATABASE_URL)', () => {
  const reg = useTestRegistry();

  it('files objections, keeps them across restarts with receipts that verify against the newest checkpoint, and builds without the objectors', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const init = dissent(['init', '--home', home]);
    expect(init.code, init.stderr).toBe(0);
    const vkey = init.stdout.trim();
    const accounts = join(dir, 'accounts.jsonl');
    writeJsonl(accounts, ACCOUNTS as unknown as Record<string, unknown>[]);
    const run = (args: string[]) => {
      const r = dissent([...args, '--home', home], { env: reg.env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toContain(reg.password);
      return r;
    };
    run(['identities', 'import', accounts]);

    // Each command is a process of its own: every one after the first opens the registry anew, as a restart does.
    const receipts: Receipt[] = [];
    for (const subject of ['p:4', 'ig:a:5']) {
      const file = join(dir, `receipt-${receipts.length}.json`);
      run(['object', '--subject', subject, '--out', file]);
      receipts.push(JSON.parse(readFileSync(file, 'utf8')) as Receipt);
    }
    expect(receipts.map((r) => r.subject)).toEqual(['p:4', 'p:5']);
    // A later objection moves the log on: the earlier receipts must be in the newer checkpoint's tree.
    run(['object', '--subject', 'p:6', '--programme', 'ai-training-2025']);
    const note = run(['log', 'checkpoint']).stdout;
    const latest = openCheckpoint(note, parseVerifierKey(vkey));
    expect(latest.size).toBe(3);
    for (const [i, r] of receipts.entries()) {
      const file = join(dir, `receipt-${i}.json`);
      const verified = dissent(['verify', 'receipt', file, '--key', vkey]);
      expect(verified.code, verified.stdout).toBe(0);
      const proof = JSON.parse(run(['log', 'prove', String(r.leaf_index)]).stdout) as {
        size: number;
        proof: string[];
      };
      expect(proof.size).toBe(latest.size);
      expect(
        verifyInclusion(hashLeaf(r.leaf), r.leaf_index, latest.size, proof.proof.map(fromBase64), latest.root),
        `receipt ${i} in the newest checkpoint`,
      ).toBe(true);
    }

    const input = join(dir, 'records.jsonl');
    writeJsonl(input, [
      record({ id: 'r:p1', account: 'fb:a:1' }),
      record({ id: 'r:p4', account: 'fb:a:4' }),
      record({ id: 'r:p5', account: 'ig:a:5', source: 'instagram', kind: 'caption' }),
      record({ id: 'r:p6', account: 'fb:a:6' }),
    ]);
    const out = join(dir, 'snapshot');
    run(['build', '--programme', 'ai-training-2025', '--input', input, '--out', out, '--quiet']);
    expect((await readShards(out)).map((r) => r.id)).toEqual(['r:p1']);

    // All of it lives in PostgreSQL: the home's own registry.db, which dissent init made, was never written.
    expect(statSync(join(home, 'registry.db')).size).toBe(0);
    // Without DATABASE_URL the home opens its empty registry.db, and the witness refuses it, naming that file.
    const shell = dissent(['object', '--subject', 'p:1', '--home', home]);
    expect(shell.code).toBe(2);
    expect(shell.stderr).toMatch(/holds 0 entries, but this home's log signed a checkpoint of 3/);
  });

  it('refuses dissent backup with a pg_dump command that, run as given, writes a dump only its owner can read', () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const refused = dissent(['backup', '--out', join(dir, 'registry.db'), '--home', home], { env: reg.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain(reg.password);
    // The command the refusal gives, as an operator pastes it, with the file and the url filled in; under the usual
    // umask of 022, a plain pg_dump leaves the identity graph's e-mails and birth dates readable by every user.
    const command = /(umask 077; pg_dump [^\n]*?'URL')/.exec(refused.stderr)?.[1];
    expect(command, refused.stderr).toBeDefined();
    const dump = join(dir, 'registry.dump');
    const run = spawnSync(
      'sh',
      ['-c', `umask 022; ${(command as string).replace('FILE', dump).replace("'URL'", '"$DATABASE_URL"')}`],
      {
        env: { ...process.env, ...reg.env },
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(statSync(dump).mode & 0o777).toBe(0o600);
  });

  it("refuses a database without dissent's tables, for a home whose log has entries, before it makes them there", async () => {
    // The new database that a dump is to be restored into, opened first by mistake: dissent made its tables there,
    // said "Nothing was changed", and pg_restore then failed on every table.
    const dir = tempDir();
    const home = join(dir, 'home');
    expect(dissent(['init', '--home', home]).code).toBe(0);
    const accounts = join(dir, 'accounts.jsonl');
    writeJsonl(accounts, ACCOUNTS as unknown as Record<string, unknown>[]);
    const filed = { DATABASE_URL: await schemaOfRole('filed') };
    expect(dissent(['identities', 'import', accounts, '--home', home], { env: filed }).code).toBe(0);
    expect(dissent(['object', '--subject', 'p:4', '--home', home], { env: filed }).code).toBe(0);
    const empty = await schemaOfRole('restore_target');
    for (const command of [
      ['object', '--subject', 'p:5'],
      ['log', 'checkpoint'],
    ]) {
      const r = dissent([...command, '--home', home], { env: { DATABASE_URL: empty } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/holds 0 entries, but this home's log signed a checkpoint of 1/);
      expect(r.stderr).not.toContain(reg.password);
    }
    expect(await tablesIn('restore_target')).toEqual([]);
  });

  /** A url of a new, empty schema of the test database as the password role (a database of its own, as dissent sees it). */
  async function schemaOfRole(schema: string): Promise<string> {
    const owned = await reg.db.inSchema(schema);
    await asSuperuser(owned, `ALTER SCHEMA ${schema} OWNER TO ${reg.db.name}_pw`);
    const u = new URL(reg.env.DATABASE_URL as string);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  }

  async function tablesIn(schema: string): Promise<string[]> {
    const rows = await asSuperuser(
      reg.db.url,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    return rows.map((r) => String(r.table_name));
  }

  async function asSuperuser(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const c = new pg.Client({ connectionString: sessionUrl(url) });
    await c.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  }
});
