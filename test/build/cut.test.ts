import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome } from '../../src/cli/commands/init.ts';
import { EXAMPLE_VALUES } from '../../src/config/template.ts';
import { runBuild } from '../../src/pipeline/build.ts';
import type { AccountRow } from '../../src/registry/types.ts';
import { RefusedError } from '../../src/shared/errors.ts';
import { makeHome, readShards, record, runCli, tempDir, withHome, writeJsonl } from './_fixture.ts';

const { dir, cleanup } = tempDir();
let home: string;
let input: string;
const P = 'ai-training-2025';

beforeAll(async () => {
  home = await makeHome(dir);
  input = join(dir, 'records.jsonl');
  writeJsonl(input, [
    record({ id: 'r:p4', account: 'fb:a:4' }),
    record({ id: 'r:p5', account: 'ig:a:5', source: 'instagram', kind: 'caption' }),
    record({ id: 'r:p6', account: 'fb:a:6' }),
  ]);
});
afterAll(cleanup);

async function keptIds(out: string): Promise<string[]> {
  return (await readShards(out)).map((r) => r.id as string);
}

describe('objections and the registry cut', () => {
  it('a withdrawal before the cut makes the data usable again', async () => {
    await withHome(home, async (h) => {
      await h.registry.object({ subject: 'p:5', channel: 'cli' });
      await h.registry.withdraw({ subject: 'p:5', channel: 'cli' });
    });
    const out = join(dir, 'snap-withdrawn');
    await withHome(home, (h) => runBuild({ home: h, programme: P, inputs: [input], out }));
    expect(await keptIds(out)).toContain('r:p5');
  });

  it('a late objection is honoured in the next snapshot', async () => {
    const first = join(dir, 'snap-before-late');
    await withHome(home, (h) => runBuild({ home: h, programme: P, inputs: [input], out: first }));
    expect(await keptIds(first)).toContain('r:p4');
    const late = await withHome(home, (h) => h.registry.object({ subject: 'fb:a:4', channel: 'web' }));
    expect(late.receipt.late[P]).toBe(true);
    const next = join(dir, 'snap-after-late');
    await withHome(home, (h) => runBuild({ home: h, programme: P, inputs: [input], out: next }));
    expect(await keptIds(next)).not.toContain('r:p4');
    expect(await keptIds(first)).toContain('r:p4');
  });

  it('a withdrawal after the cut changes nothing: a resumed build keeps its pinned cut', async () => {
    await withHome(home, (h) => h.registry.object({ subject: 'p:6', channel: 'cli' }));
    const out = join(dir, 'snap-pinned');
    const args = ['build', '--home', home, '--programme', P, '--input', input, '--out', out, '--quiet'];
    const killed = runCli(args, { DISSENT_TEST_KILL_AFTER: 'plan' });
    expect(killed.signal).toBe('SIGKILL');
    await withHome(home, (h) => h.registry.withdraw({ subject: 'p:6', channel: 'cli' }));
    const resumed = runCli(args);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain('(resumed)');
    expect(await keptIds(out)).not.toContain('r:p6');
    // The operator hears that the log has moved on since the cut, and how to take it into account.
    expect(resumed.stderr).toMatch(
      /resumed one pinned to the cut of log size \d+; the 1 log event\(s\) appended since/,
    );
    expect(resumed.stderr).toContain('--force');
    // The next, fresh snapshot takes the newer cut, in which the withdrawal counts.
    const fresh = join(dir, 'snap-fresh');
    await withHome(home, (h) => runBuild({ home: h, programme: P, inputs: [input], out: fresh }));
    expect(await keptIds(fresh)).toContain('r:p6');
  });

  it('an objection to the programme keeps excluding after the person withdraws their objection to *', async () => {
    const twice = await makeHome(join(dir, 'twice'));
    await withHome(twice, async (h) => {
      await h.registry.object({ subject: 'p:4', channel: 'cli' });
      await h.registry.object({ subject: 'fb:a:4', programme: P, channel: 'web' });
      await h.registry.withdraw({ subject: 'p:4', channel: 'cli' });
    });
    const out = join(dir, 'snap-twice');
    await withHome(twice, (h) => runBuild({ home: h, programme: P, inputs: [input], out }));
    expect(await keptIds(out)).not.toContain('r:p4');
  });

  it('warns when a person-wide objection covers no account any more, as after persons were renumbered', async () => {
    const renumbered = await makeHome(join(dir, 'renumbered'));
    // Every account of p:4 moves to the new id P-0004.
    const moved = await withHome(renumbered, async (h) => {
      await h.registry.object({ subject: 'p:4', channel: 'cli' });
      const all: AccountRow[] = [];
      for await (const batch of h.store.iterateAccounts()) all.push(...batch);
      return all.filter((a) => a.person === 'p:4').map((a) => ({ ...a, person: 'P-0004' }));
    });
    expect(moved.map((a) => a.account)).toContain('fb:a:4');
    const accounts = join(dir, 'renumbered.jsonl');
    writeJsonl(accounts, moved);
    const out = join(dir, 'snap-renumbered');
    const summary = await withHome(renumbered, (h) =>
      runBuild({ home: h, programme: P, inputs: [input], out, accountsFile: accounts }),
    );
    expect(summary.warnings.join('\n')).toMatch(/1 person-wide objection in force names a person that no account/);
    // Its content is kept: the objection follows the person id it was filed for, which is why the operator is told.
    expect(await keptIds(out)).toContain('r:p4');
  });

  it('a resumed build keeps the --accounts file its plan imported, and refuses another one', async () => {
    const accHome = await makeHome(join(dir, 'acc'));
    const a = join(dir, 'acc-a.jsonl');
    const b = join(dir, 'acc-b.jsonl');
    // A gives fb:a:4 to another person; B adds an account.
    writeJsonl(a, [
      { account: 'fb:a:4', person: 'p:moved', source: 'facebook', birth_date: '1990-01-01', country: 'DE' },
    ]);
    writeJsonl(b, [{ account: 'zz:a:1', person: 'zz:p:1', source: 'facebook' }]);
    const out = join(dir, 'snap-acc-resume');
    const args = (accounts: string) => [
      'build',
      '--home',
      accHome,
      '--programme',
      P,
      '--input',
      input,
      '--out',
      out,
      '--accounts',
      accounts,
      '--quiet',
    ];
    // Killed once the inputs are read: a build that has read nothing would simply start over with B.
    expect(runCli(args(a), { DISSENT_TEST_KILL_AFTER: 'read' }).signal).toBe('SIGKILL');
    const other = runCli(args(b));
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('holds a build with other inputs, policy or options; pass --force');
    expect(await withHome(accHome, (h) => h.store.getAccount('zz:a:1'))).toBeUndefined();
    const resumed = runCli(args(a));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(resumed)');
    // The warning of the import the killed run made is given when the build ends.
    expect(resumed.stderr).toContain('--accounts: 1 account now belongs to another person than before');
  });
});

describe('the first snapshot of a programme', () => {
  it('is refused before deadline plus grace window, naming when building is allowed', async () => {
    const early = join(dir, 'early-home');
    const deadline = new Date(Date.now() + 86_400_000);
    initHome(early, { ...EXAMPLE_VALUES, deadline: deadline.toISOString(), graceWindow: '72h' });
    const allowed = new Date(deadline.getTime() + 72 * 3_600_000).toISOString();
    const accountsFile = join(dir, 'early-accounts.jsonl');
    writeJsonl(accountsFile, [{ account: 'fb:a:4', person: 'p:4', source: 'facebook', birth_date: '1990-01-01' }]);
    const attempt = withHome(early, (h) =>
      runBuild({ home: h, programme: P, inputs: [input], out: join(dir, 'snap-early'), accountsFile }),
    );
    await expect(attempt).rejects.toBeInstanceOf(RefusedError);
    await expect(attempt).rejects.toThrow(allowed);
    // A refused build leaves the identity graph as it was, and no snapshot folder behind.
    expect(await withHome(early, (h) => h.store.countAccounts())).toEqual({ accounts: 0, persons: 0 });
    expect(existsSync(join(dir, 'snap-early'))).toBe(false);
  });
});
