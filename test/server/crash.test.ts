import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { WITNESS_FILE } from '../../src/config/log-witness.ts';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { fromBase64, hashLeaf } from '../../src/log/hash.ts';
import { parseVerifierKey } from '../../src/log/note.ts';
import { verifyConsistency, verifyInclusion } from '../../src/log/proofs.ts';
import { type Receipt, verifyReceipt } from '../../src/log/receipt.ts';
import { sessionUrl } from '../../src/registry/postgres/pg-url.ts';
import { dissent } from '../helpers/cli.ts';
import { postgresAvailability, TEST_DATABASE_URL, useTestRegistry } from '../helpers/postgres.ts';
import { describeWhere } from '../helpers/requires.ts';
import { API_TOKEN, api, Client, makeHome, parseMail } from './_harness.ts';
import { greylistingSmtp } from './_smtp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Starts `dissent serve` as a child process and resolves with its URL once it listens: by default the CLI module
 * under tsx, or the `dissent` command a user installs (`bin/dissent.js`).
 */
function startChild(
  home: string,
  via: 'module' | 'bin' = 'module',
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const entry = via === 'bin' ? ['bin/dissent.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...entry, 'serve', '--home', home, '--listen', '127.0.0.1:0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] as string, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`dissent serve exited with ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** A home of its own for a test, its registry named by `env` (DATABASE_URL) when given, else its registry.db. */
async function homeWith(env: NodeJS.ProcessEnv, persons: number) {
  const saved = process.env.DATABASE_URL;
  if (env.DATABASE_URL !== undefined) process.env.DATABASE_URL = env.DATABASE_URL;
  try {
    const t = await makeHome({ persons });
    await t.home.close();
    return t;
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

/**
 * Kills `dissent serve` (kill -9) under load, restarts it and checks that every receipt it returned verifies against
 * the new checkpoint, which is consistent with every earlier one; then that a SIGTERM checkpoints. On the registry
 * `env` names (DATABASE_URL), else the home's registry.db.
 */
async function killUnderLoad(dirs: string[], children: ChildProcess[], env: NodeJS.ProcessEnv = {}) {
  const t = await homeWith(env, 2000);
  dirs.push(t.dir);
  const first = await startChild(t.dir, 'module', env);
  children.push(first.child);

  const receipts: Receipt[] = [];
  let next = 1;
  let killed = false;
  const KILL_AFTER = 300;
  const worker = async () => {
    while (!killed) {
      const subject = `p:${next++}`;
      try {
        const res = await fetch(`${first.url}/api/v1/objections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subject }),
        });
        if (res.status === 201) receipts.push((await res.json()) as Receipt);
      } catch {
        return; // the server is gone
      }
      if (receipts.length >= KILL_AFTER && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const gone = await exited(first.child);
  expect(gone.signal).toBe('SIGKILL');
  expect(receipts.length).toBeGreaterThanOrEqual(KILL_AFTER);

  const second = await startChild(t.dir, 'module', env);
  children.push(second.child);
  const key = parseVerifierKey((await api(second.url, '/api/v1/log/key', { token: null })).text.trim());
  const note = (await api(second.url, '/api/v1/log/checkpoint', { token: null })).text;
  const now = openCheckpoint(note, key, 'test.dissent/log');

  const oldCheckpoints = new Map<number, Uint8Array>();
  for (const r of receipts) {
    expect(verifyReceipt(r, key).ok).toBe(true);
    const proof = (
      await api(second.url, `/api/v1/log/proof/inclusion?index=${r.leaf_index}&size=${now.size}`, { token: null })
    ).json as { proof: string[] };
    expect(verifyInclusion(hashLeaf(r.leaf), r.leaf_index, now.size, proof.proof.map(fromBase64), now.root)).toBe(true);
    const cp = openCheckpoint(r.checkpoint, key);
    oldCheckpoints.set(cp.size, cp.root);
  }
  expect(oldCheckpoints.size).toBeGreaterThan(1);
  for (const [size, root] of oldCheckpoints) {
    expect(size).toBeLessThanOrEqual(now.size);
    const c = (await api(second.url, `/api/v1/log/proof/consistency?from=${size}&to=${now.size}`, { token: null }))
      .json as { proof: string[] };
    expect(verifyConsistency(size, now.size, c.proof.map(fromBase64), root, now.root), `from ${size}`).toBe(true);
  }

  // The restarted server keeps taking objections, and a SIGTERM shuts it down cleanly.
  const more = await api(second.url, '/api/v1/objections', { body: { subject: `p:${next + 1}` } });
  expect(more.status).toBe(201);
  const last = (await api(second.url, '/api/v1/log/checkpoint', { token: null })).text;
  second.child.kill('SIGTERM');
  const stopped = await exited(second.child);
  expect(stopped.code).toBe(0);
  expect(second.stderr()).toContain('stopped; the log has');
  // The home's witness (which a registry restored from an older backup is checked against) holds the last one.
  expect(readFileSync(join(t.dir, WITNESS_FILE), 'utf8')).toBe(last);
  return { first: first.stderr(), second: second.stderr() };
}

describe('dissent serve as a process: kill -9 under load, and SIGTERM', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every receipt the server returned verifies against the checkpoint after restart, which is consistent with all earlier ones', async () => {
    await killUnderLoad(dirs, children);
  });

  /** `dissent serve` started as the installed command (bin/) on a new home, with one objection filed through the API. */
  async function installedServerWithOneObjection() {
    const t = await makeHome({ persons: 20 });
    await t.home.close();
    dirs.push(t.dir);
    const server = await startChild(t.dir, 'bin');
    children.push(server.child);
    expect((await api(server.url, '/api/v1/objections', { body: { subject: 'p:1' } })).status).toBe(201);
    return server;
  }

  it('the installed dissent command shuts the server down gracefully when its own pid gets SIGTERM', async () => {
    const server = await installedServerWithOneObjection();
    // A service manager signals the pid it started, which is the launcher's.
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('stopped; the log has 1 entries');
    // The home sets no public_url: the operator is told where the mailed links point.
    expect(server.stderr()).toContain(
      `server.public_url is not set, so the links in confirmation mails point at ${server.url}`,
    );
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('warns at start when no API token is configured, since every operator request and /metrics then gets 401', async () => {
    const t = await makeHome({ persons: 5 });
    await t.home.close();
    dirs.push(t.dir);
    // As dissent init writes it: an operator who forgot to add one would take the 401s for a wrong token of theirs.
    const file = join(t.dir, 'dissent.config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`api_tokens: ["${API_TOKEN}"]`, 'api_tokens: []'));
    const server = await startChild(t.dir, 'bin');
    children.push(server.child);
    expect((await api(server.url, '/api/v1/objections', { body: { subject: 'p:1' } })).status).toBe(401);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain(
      `warning: server.api_tokens is empty, so the operator API and /metrics refuse every request (401); add a token to server.api_tokens in ${t.dir}/dissent.config.yaml`,
    );
  });

  it('says at shutdown the size of the stored log, counting the entries the CLI appended while it ran', async () => {
    const server = await installedServerWithOneObjection();
    const home = /--home (\S+)/.exec(server.child.spawnargs.join(' '))?.[1] as string;
    const cli = dissent(['object', '--subject', 'p:2', '--home', home]);
    expect(cli.code, cli.stderr).toBe(0);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toEqual({ code: 0, signal: null });
    // The operator reads this line after a stop; it must not give a size that no checkpoint of the log has.
    expect(server.stderr()).toContain('stopped; the log has 2 entries');
    expect(dissent(['log', 'checkpoint', '--home', home]).stdout.split('\n')[1]).toBe('2');
  });

  it('a hangup (the terminal or SSH session that ran dissent serve closed) shuts the server down gracefully too', async () => {
    const server = await installedServerWithOneObjection();
    server.child.kill('SIGHUP');
    expect(await exited(server.child)).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('SIGHUP: finishing in-flight requests');
    expect(server.stderr()).toContain('stopped; the log has 1 entries');
  });

  it('a link mail the mail server had not taken when the server was killed (kill -9) is sent at the next start', async () => {
    // The mail server refuses the first attempt for now (451); the next one, 5 s later, would pass: the kill comes first.
    const smtp = await greylistingSmtp(1);
    const t = await makeHome({ persons: 20, smtpUrl: smtp.url });
    const account = t.accounts[3];
    await t.home.close();
    dirs.push(t.dir);
    try {
      const first = await startChild(t.dir);
      children.push(first.child);
      const c = new Client(first.url);
      const { csrf } = await c.page('/?lang=en');
      const res = await c.post('/object', { _csrf: csrf, account: account?.handle as string, programme: '*' });
      expect(res.status).toBe(200);
      await smtp.state.refusedOnce;
      first.child.kill('SIGKILL');
      await exited(first.child);
      expect(smtp.state.received).toBe(0);

      const second = await startChild(t.dir);
      children.push(second.child);
      await expect
        .poll(second.stderr)
        .toContain('mail spool: 1 link mail the last run left undelivered is being sent now');
      await expect.poll(() => smtp.state.received, { timeout: 10_000 }).toBe(1);
      expect(parseMail(smtp.state.mails[0] as string).to).toContain(account?.email);
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toEqual({ code: 0, signal: null });
    } finally {
      await smtp.stop();
    }
  }, 30_000);
});

describeWhere(await postgresAvailability(), 'dissent serve on a PostgreSQL registry as a process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const reg = useTestRegistry();
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('kill -9 under load: every receipt verifies against the checkpoint after restart, consistent with all earlier ones', async () => {
    const { first, second } = await killUnderLoad(dirs, children, { DATABASE_URL: await schemaUrl('killed') });
    expect(first + second).not.toContain(reg.password);
  });

  it('PostgreSQL ending every connection under load (a restart): answers 503 problem+json with Retry-After naming nothing, recovers by itself, and loses no receipt', async () => {
    const t = await homeWith({ DATABASE_URL: await schemaUrl('restarted') }, 2000);
    dirs.push(t.dir);
    const server = await startChild(t.dir, 'module', { DATABASE_URL: await schemaUrl('restarted') });
    children.push(server.child);
    const receipts: Receipt[] = [];
    const failures = new Map<string, number>();
    let next = 1;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const res = await api(server.url, '/api/v1/objections', { body: { subject: `p:${next++}` } }).catch(() => {
          failures.set('no answer: the server is gone', 1);
          stop = true;
        });
        if (!res) return;
        if (res.status === 201) receipts.push(res.json as Receipt);
        else {
          const key = `${res.status} ${res.headers.get('content-type')} retry-after=${res.headers.get('retry-after')} ${res.text}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, worker));
    // What a restart does to the server's connections, a few times over, while the requests keep coming.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 150));
      await asAdmin(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [reg.db.name],
      );
    }
    // Recovered by itself: objections are filed again.
    const before = receipts.length;
    await expect.poll(() => receipts.length, { timeout: 10_000 }).toBeGreaterThan(before + 50);
    stop = true;
    await load;
    expect(server.child.exitCode, server.stderr()).toBe(null);
    // A client (the operator's backend) can tell an outage from a defect, and knows when to retry.
    for (const [answer] of failures) {
      expect(answer).toMatch(/^503 application\/problem\+json(; charset=utf-8)? retry-after=5 /);
      expect(answer).toContain('"code":"E_DB_UNAVAILABLE"');
    }
    expect(server.stderr()).not.toContain(reg.password);
    expect(server.stderr()).not.toMatch(/p:\d/);

    const key = parseVerifierKey((await api(server.url, '/api/v1/log/key', { token: null })).text.trim());
    const last = (await api(server.url, '/api/v1/log/checkpoint', { token: null })).text;
    const now = openCheckpoint(last, key, 'test.dissent/log');
    expect(new Set(receipts.map((r) => r.leaf_index)).size).toBe(receipts.length);
    for (const r of receipts) {
      expect(verifyReceipt(r, key).ok).toBe(true);
      expect(r.leaf_index).toBeLessThan(now.size);
    }
    const proofs = receipts.filter((_, i) => i % 50 === 0);
    for (const r of proofs) {
      const proof = (
        await api(server.url, `/api/v1/log/proof/inclusion?index=${r.leaf_index}&size=${now.size}`, { token: null })
      ).json as { proof: string[] };
      expect(verifyInclusion(hashLeaf(r.leaf), r.leaf_index, now.size, proof.proof.map(fromBase64), now.root)).toBe(
        true,
      );
    }
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(t.dir, WITNESS_FILE), 'utf8')).toBe(last);
  });

  it('SIGTERM while PostgreSQL cannot be reached still writes the witness and the access log before it says so', async () => {
    const url = await schemaUrl('unreachable');
    const t = await homeWith({ DATABASE_URL: url }, 200);
    dirs.push(t.dir);
    const server = await startChild(t.dir, 'module', { DATABASE_URL: url });
    children.push(server.child);
    const receipts: Receipt[] = [];
    for (let i = 1; i <= 20; i++) {
      const res = await api(server.url, '/api/v1/objections', { body: { subject: `p:${i}` } });
      expect(res.status).toBe(201);
      receipts.push(res.json as Receipt);
    }
    // The database goes away: its role may no longer log in, and the server's connections are ended.
    await asAdmin(`ALTER ROLE ${reg.db.name}_pw NOLOGIN`);
    try {
      await asAdmin(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
        [`${reg.db.name}_pw`],
      );
      server.child.kill('SIGTERM');
      const stopped = await exited(server.child);
      expect(stopped.code).toBe(2);
      expect(server.stderr()).toMatch(/dissent: the registry postgresql:\/\/\S+:\*\*\*@/);
      expect(server.stderr()).not.toContain(reg.password);
    } finally {
      await asAdmin(`ALTER ROLE ${reg.db.name}_pw LOGIN`);
    }
    // What the server signed last is in the witness, and every request it answered is in the access log.
    expect(readFileSync(join(t.dir, WITNESS_FILE), 'utf8')).toBe(receipts.at(-1)?.checkpoint);
    expect(server.stderr().match(/"status":201/g)).toHaveLength(20);
  });

  it("logs the database's own reason (its SQLSTATE) when the registry refuses the server, as after a password change", async () => {
    // The error line said only E_DB: the operator could not tell a changed password from a dropped table or a missing
    // right, and the message, which says it, is never logged.
    const url = await schemaUrl('rotated');
    const t = await homeWith({ DATABASE_URL: url }, 20);
    dirs.push(t.dir);
    const server = await startChild(t.dir, 'module', { DATABASE_URL: url });
    children.push(server.child);
    expect((await api(server.url, '/api/v1/objections', { body: { subject: 'p:1' } })).status).toBe(201);
    await asAdmin(`ALTER ROLE ${reg.db.name}_pw PASSWORD 'rotated-elsewhere'`);
    try {
      await asAdmin(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
        [`${reg.db.name}_pw`],
      );
      const refused = await api(server.url, '/api/v1/objections', { body: { subject: 'p:2' } });
      expect(refused.status).toBeGreaterThanOrEqual(500);
      await expect
        .poll(() => server.stderr())
        .toMatch(/"level":"error","code":"E_DB","name":"DissentError","cause":"28P01"/);
    } finally {
      await asAdmin(`ALTER ROLE ${reg.db.name}_pw PASSWORD '${reg.password}'`);
    }
    expect(server.stderr()).not.toContain(reg.password);
    expect(server.stderr()).not.toContain('rotated-elsewhere');
    server.child.kill('SIGTERM');
    expect((await exited(server.child)).code).toBe(0);
  });

  /** A url of a fresh registry of its own in the test database, as the role with a password. */
  async function schemaUrl(schema: string): Promise<string> {
    const owned = await reg.db.inSchema(schema);
    await asAdmin(`ALTER SCHEMA ${schema} OWNER TO ${reg.db.name}_pw`, [], owned);
    const u = new URL(reg.env.DATABASE_URL as string);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  }

  async function asAdmin(text: string, params: unknown[] = [], url = TEST_DATABASE_URL): Promise<void> {
    const c = new pg.Client({ connectionString: sessionUrl(url) });
    await c.connect();
    try {
      await c.query(text, params);
    } finally {
      await c.end();
    }
  }
});
