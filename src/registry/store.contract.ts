import { describe, expect, it } from 'vitest';
import { hashLeaf } from '../log/hash.ts';
import { Frontier } from '../log/merkle.ts';
import { EffectiveExistsError, LogConflictError, type Store } from './store.ts';
import type { AccountRow, ObjectionRow } from './types.ts';

const account = (n: number, person = `p:${n}`): AccountRow => ({
  account: `fb:a:${n}`,
  person,
  source: 'facebook',
  handle: `user${n}`,
  display_name: `User ${n}`,
  email: `user${n}@example.org`,
  birth_date: '1990-01-01',
  country: 'DE',
});

/** An objection row with the fields a test does not care about filled in. */
export const objection = (id: string, subject: string, over: Partial<ObjectionRow> = {}): ObjectionRow => ({
  id,
  subject,
  scope: 'person',
  programme: '*',
  state: 'effective',
  channel: 'cli',
  submitted_at: '2025-05-01T00:00:00.000Z',
  effective_at: '2025-05-01T00:00:00.000Z',
  withdrawn_at: null,
  reason: null,
  salt: 'ab'.repeat(32),
  leaf_index: null,
  withdrawal_id: null,
  via_account: null,
  ...over,
});

/**
 * The contract every Store implementation must keep. It runs on SQLite always, and on PostgreSQL when the server
 * mode driver is configured.
 */
export function describeStore(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const fresh = async () => {
      const s = await open();
      await s.migrate();
      return s;
    };

    it('migrates idempotently', async () => {
      const s = await fresh();
      expect(await s.migrate()).toBeGreaterThanOrEqual(2);
      await s.close();
    });

    it('finds a handle or e-mail beyond ASCII in any case and Unicode form', async () => {
      const s = await fresh();
      await s.upsertAccounts([{ ...account(4), handle: 'jürgen.öz', email: 'jürgen@example.org' }]);
      // The decomposed form (u + combining diaeresis) is what macOS sends for a typed ü.
      for (const typed of ['JÜRGEN.ÖZ', '@Jürgen.Öz', 'ju\u0308rgen.o\u0308z', 'JÜRGEN@EXAMPLE.ORG']) {
        expect(
          (await s.findAccounts(typed)).map((a) => a.account),
          typed,
        ).toEqual(['fb:a:4']);
      }
      await s.close();
    });

    it("finds a handle stored with its '@' (as Mastodon's often are), typed with or without it", async () => {
      const s = await fresh();
      await s.upsertAccounts([{ ...account(5), handle: '@anna@social.example', email: null }]);
      for (const typed of ['@anna@social.example', 'anna@social.example', 'ANNA@social.example']) {
        expect(
          (await s.findAccounts(typed)).map((a) => a.account),
          typed,
        ).toEqual(['fb:a:5']);
      }
      await s.close();
    });

    it('finds nothing by a value or id holding a NUL character (as a crafted request sends), without failing', async () => {
      const s = await fresh();
      await s.upsertAccounts([account(1)]);
      await s.commit({ objections: [objection('o_1', 'p:1')], withdrawals: [], leaves: [], nodes: [] });
      expect(await s.findAccounts('user1\u0000')).toEqual([]);
      expect(await s.getAccount('fb:a:1\u0000')).toBeUndefined();
      expect(await s.accountsOfPerson('p:1\u0000')).toEqual([]);
      expect(await s.lookupSubjects(['p:1', 'p:\u0000', 'fb:a:1\u0000'])).toEqual([
        { kind: 'person', person: 'p:1' },
        undefined,
        undefined,
      ]);
      expect(await s.getObjection('o_1\u0000')).toBeUndefined();
      expect(await s.findEffective('p:1\u0000', 'person', '*')).toBeUndefined();
      expect(await s.findEffective('p:1', 'person', 'prog\u0000')).toMatchObject({ id: 'o_1' });
      expect(await s.getWithdrawal('w\u0000')).toBeUndefined();
      expect(await s.getIdempotency('k\u0000')).toBeUndefined();
      await s.close();
    });

    it('upserts accounts, finds them by handle or e-mail, and groups them by person', async () => {
      const s = await fresh();
      expect(await s.upsertAccounts([account(1), account(2, 'p:1'), account(3)])).toEqual({ moved: 0 });
      expect(await s.upsertAccounts([{ ...account(3), display_name: 'Renamed' }])).toEqual({ moved: 0 });
      expect((await s.getAccount('fb:a:3'))?.display_name).toBe('Renamed');
      expect((await s.accountsOfPerson('p:1')).map((a) => a.account)).toEqual(['fb:a:1', 'fb:a:2']);
      expect((await s.findAccounts('@USER2')).map((a) => a.account)).toEqual(['fb:a:2']);
      expect((await s.findAccounts('User3@Example.org')).map((a) => a.account)).toEqual(['fb:a:3']);
      expect(await s.countAccounts()).toEqual({ accounts: 3, persons: 2 });
      const again = await s.upsertAccounts([account(2, 'p:9'), account(2, 'p:1')]);
      expect(again).toEqual({ moved: 2 });
      expect(await s.lookupSubjects(['fb:a:2', 'p:1', 'p:9', 'fb:a:9', 'p:3'])).toEqual([
        { kind: 'account', account: 'fb:a:2', person: 'p:1' },
        { kind: 'person', person: 'p:1' },
        undefined,
        undefined,
        { kind: 'person', person: 'p:3' },
      ]);
      expect(await s.lookupSubjects([])).toEqual([]);
      const batches: string[][] = [];
      for await (const b of s.iterateAccounts(2)) batches.push(b.map((a) => a.account));
      expect(batches).toEqual([['fb:a:1', 'fb:a:2'], ['fb:a:3']]);
      const chunks: string[] = [];
      for await (const c of s.accountLines(2)) chunks.push(c);
      expect(chunks).toHaveLength(2);
      const lines = chunks.join('').split('\n');
      expect(lines.pop()).toBe('');
      const rows = lines.map((l) => JSON.parse(l) as unknown);
      const byAccount = (await Promise.all(['fb:a:1', 'fb:a:2', 'fb:a:3'].map((a) => s.getAccount(a)))).map((a) => ({
        account: a?.account,
        person: a?.person,
        handle: a?.handle ?? null,
        display_name: a?.display_name ?? null,
        birth_date: a?.birth_date ?? null,
        country: a?.country ?? null,
      }));
      expect(rows).toEqual(byAccount);
      expect(chunks.join('')).not.toContain('@example');
      await s.close();
    });

    it('commits leaves, nodes, objections and a checkpoint atomically, and refuses a stale writer', async () => {
      const s = await fresh();
      const f = new Frontier();
      const nodes = [...f.append(hashLeaf('a')), ...f.append(hashLeaf('b'))];
      await s.commit({
        objections: [objection('o_1', 'p:1', { leaf_index: 0 })],
        withdrawals: [],
        leaves: [
          { index: 0, leaf: 'a' },
          { index: 1, leaf: 'b' },
        ],
        nodes,
        checkpoint: { size: 2, note: 'note-2', created_at: '2025-05-01T00:00:00.000Z' },
      });
      expect(await s.logSize()).toBe(2);
      expect(await s.getLeaves(0, 5)).toEqual(['a', 'b']);
      expect((await s.latestCheckpoint())?.size).toBe(2);
      const got = await s.getNodes([{ level: 1, index: 0 }]);
      expect(Buffer.from(got.get('1/0') as Uint8Array).equals(Buffer.from(f.root()))).toBe(true);
      // A writer that still thinks the log has 1 leaf must not overwrite index 1.
      await expect(
        s.commit({ objections: [], withdrawals: [], leaves: [{ index: 1, leaf: 'x' }], nodes: [] }),
      ).rejects.toBeInstanceOf(LogConflictError);
      expect(await s.getLeaves(0, 5)).toEqual(['a', 'b']);
      await s.close();
    });

    it('keeps at most one effective objection per subject, scope and programme', async () => {
      const s = await fresh();
      await s.commit({ objections: [objection('o_1', 'p:1')], withdrawals: [], leaves: [], nodes: [] });
      await expect(
        s.commit({ objections: [objection('o_2', 'p:1')], withdrawals: [], leaves: [], nodes: [] }),
      ).rejects.toThrow();
      expect(await s.getObjection('o_2')).toBeUndefined();
      expect((await s.findEffective('p:1', 'person', 'prog-a'))?.id).toBe('o_1');
      expect(await s.findEffective('p:1', 'account', 'prog-a')).toBeUndefined();
      await s.close();
    });

    it("writes a batch's objections in its order: one withdrawn and a new effective one of the same subject together", async () => {
      const s = await fresh();
      await s.commit({ objections: [objection('o_1', 'p:1')], withdrawals: [], leaves: [], nodes: [] });
      await s.commit({
        objections: [
          objection('o_1', 'p:1', { state: 'withdrawn', withdrawn_at: '2025-05-02T00:00:00.000Z' }),
          objection('o_2', 'p:1', { submitted_at: '2025-05-02T00:00:00.000Z' }),
        ],
        withdrawals: [],
        leaves: [],
        nodes: [],
      });
      expect((await s.findEffective('p:1', 'person', '*'))?.id).toBe('o_2');
      expect((await s.getObjection('o_1'))?.state).toBe('withdrawn');
      await s.close();
    });

    it('refuses a whole commit when a subject it assumed free already has an effective objection to that programme', async () => {
      const s = await fresh();
      await s.commit({
        objections: [objection('o_1', 'p:1', { programme: '*' })],
        withdrawals: [],
        leaves: [],
        nodes: [],
      });
      // p:1 has an objection to *; p:2 has none.
      const attempt = (subject: string, programme: string) =>
        s.commit({
          objections: [objection('o_new', subject, { programme, leaf_index: 0 })],
          withdrawals: [],
          leaves: [{ index: 0, leaf: 'new' }],
          nodes: [],
          absent: [{ subject, scope: 'person', programme }],
        });
      await expect(attempt('p:1', '*')).rejects.toBeInstanceOf(EffectiveExistsError);
      expect(await s.logSize()).toBe(0);
      expect(await s.getObjection('o_new')).toBeUndefined();
      // Another scope is another subject, and one programme is not `*`: an objection to it is recorded on its own,
      // so that withdrawing the `*` one leaves it standing.
      await s.commit({
        objections: [],
        withdrawals: [],
        leaves: [],
        nodes: [],
        absent: [
          { subject: 'p:1', scope: 'account', programme: '*' },
          { subject: 'p:1', scope: 'person', programme: 'prog-a' },
        ],
      });
      await attempt('p:2', 'prog-a');
      expect(await s.logSize()).toBe(1);
      expect((await s.getObjection('o_new'))?.subject).toBe('p:2');
      await s.close();
    });

    it('uses a token once, refuses it when expired, and counts attempts', async () => {
      const s = await fresh();
      await s.commit({
        objections: [objection('o_1', 'p:1', { state: 'pending', effective_at: null })],
        withdrawals: [],
        leaves: [],
        nodes: [],
      });
      const hash = new Uint8Array(32).fill(7);
      await s.createToken({
        token_hash: hash,
        objection_id: 'o_1',
        purpose: 'confirm',
        expires_at: '2025-05-02T00:00:00Z',
      });
      const unknown = { ok: false, reason: 'unknown' };
      // Peeking neither uses the token nor counts an attempt; it finds only a usable one.
      expect(await s.peekToken(hash, 'confirm', '2025-05-01T00:00:00Z')).toMatchObject({ objection_id: 'o_1' });
      expect(await s.peekToken(hash, 'withdraw', '2025-05-01T00:00:00Z')).toBeUndefined();
      expect(await s.peekToken(hash, 'confirm', '2025-05-03T00:00:00Z')).toBeUndefined();
      expect(await s.useToken(new Uint8Array(32), 'confirm', '2025-05-01T00:00:00Z')).toEqual(unknown);
      expect(await s.useToken(hash, 'confirm', '2025-05-03T00:00:00Z')).toEqual({ ok: false, reason: 'expired' });
      // A confirmation token offered as a withdrawal link is unknown there, and stays usable for its own purpose.
      expect(await s.useToken(hash, 'withdraw', '2025-05-01T11:00:00Z')).toEqual(unknown);
      const ok = await s.useToken(hash, 'confirm', '2025-05-01T12:00:00Z');
      expect(ok.ok && ok.token.objection_id).toBe('o_1');
      // The expired try and this one; the peeks did not count.
      expect(ok.ok && ok.token.attempts).toBe(2);
      expect(await s.peekToken(hash, 'confirm', '2025-05-01T12:00:00Z')).toBeUndefined();
      expect(await s.useToken(hash, 'confirm', '2025-05-01T12:00:01Z')).toMatchObject({
        ok: false,
        reason: 'used',
        expired: false,
      });
      expect(await s.useToken(hash, 'confirm', '2025-05-03T00:00:00Z')).toMatchObject({
        reason: 'used',
        expired: true,
      });
      // Released after a failure, it can be used once more.
      await s.releaseToken(hash);
      expect(await s.useToken(hash, 'confirm', '2025-05-01T12:00:02Z')).toMatchObject({ ok: true });
      // A link works until the very time it expires, which is the time its mail names.
      const last = new Uint8Array(32).fill(8);
      await s.createToken({
        token_hash: last,
        objection_id: 'o_1',
        purpose: 'confirm',
        expires_at: '2025-05-02T00:00:00Z',
      });
      expect(await s.peekToken(last, 'confirm', '2025-05-02T00:00:00.000Z')).toMatchObject({ objection_id: 'o_1' });
      expect(await s.useToken(last, 'confirm', '2025-05-02T00:00:00.000Z')).toMatchObject({ ok: true });
      await s.close();
    });

    it('purges pending objections whose every confirmation link has expired, with their tokens', async () => {
      const s = await fresh();
      const pending = (id: string) => objection(id, 'p:1', { state: 'pending', effective_at: null, reason: 'x' });
      await s.commit({
        objections: [
          pending('o_old'),
          pending('o_fresh'),
          pending('o_two'),
          objection('o_done', 'p:2'),
          // Its link was never written (a crash between the two writes).
          pending('o_linkless'),
        ],
        withdrawals: [],
        leaves: [],
        nodes: [],
      });
      const token = async (n: number, objection_id: string, expires_at: string, purpose: 'confirm' | 'withdraw') =>
        s.createToken({ token_hash: new Uint8Array(32).fill(n), objection_id, purpose, expires_at });
      await token(1, 'o_old', '2025-05-02T00:00:00Z', 'confirm');
      await token(2, 'o_fresh', '2025-05-04T00:00:00Z', 'confirm');
      // Two links for one request (the same person typed twice): it stays while either may still confirm it.
      await token(3, 'o_two', '2025-05-02T00:00:00Z', 'confirm');
      await token(4, 'o_two', '2025-05-04T00:00:00Z', 'confirm');
      await token(5, 'o_done', '2025-05-02T00:00:00Z', 'withdraw');
      // pending() rows were submitted at 2025-05-01T00:00:00.000Z; times are compared as toISOString() writes them.
      expect(await s.purgeUnconfirmed('2025-05-03T00:00:00Z', '2025-04-30T00:00:00.000Z')).toBe(1);
      expect(await s.getObjection('o_old')).toBeUndefined();
      expect(await s.getObjection('o_linkless')).toBeDefined();
      expect(await s.useToken(new Uint8Array(32).fill(1), 'confirm', '2025-05-01T00:00:00Z')).toEqual({
        ok: false,
        reason: 'unknown',
      });
      for (const id of ['o_fresh', 'o_two', 'o_done']) expect(await s.getObjection(id), id).toBeDefined();
      expect(await s.purgeUnconfirmed('2025-05-05T00:00:00Z', '2025-05-02T00:00:00.000Z')).toBe(3);
      expect(await s.getObjection('o_linkless')).toBeUndefined();
      expect((await s.getObjection('o_done'))?.state).toBe('effective');
      await s.close();
    });

    it('counts the objections covering a programme by state, channel and lateness, an objection at the deadline in time', async () => {
      const s = await fresh();
      const deadline = '2025-05-01T00:00:00.000Z';
      await s.commit({
        objections: [
          objection('o_1', 'p:1', { submitted_at: deadline }),
          objection('o_2', 'p:2', { programme: 'prog-a', submitted_at: '2025-05-01T00:00:00.001Z' }),
          objection('o_3', 'p:3', { programme: 'prog-b' }),
          objection('o_4', 'p:4', { channel: 'web', state: 'withdrawn', submitted_at: '2025-04-30T00:00:00.000Z' }),
          objection('o_5', 'p:5', { programme: 'prog-a', submitted_at: '2025-04-30T00:00:00.000Z' }),
        ],
        withdrawals: [],
        leaves: [],
        nodes: [],
      });
      expect(await s.countObjectionsCovering('prog-a', deadline)).toEqual([
        { state: 'effective', channel: 'cli', late: false, n: 2 },
        { state: 'effective', channel: 'cli', late: true, n: 1 },
        { state: 'withdrawn', channel: 'web', late: false, n: 1 },
      ]);
      await s.close();
    });

    it('counts objections by state, channel and programme, in that order (code point order of the programme)', async () => {
      const s = await fresh();
      const programmes = ['prog-b', 'Prog-a', 'prog-a', '*', 'prog_c', 'prog-ä'];
      const channels = ['web', 'cli', 'api'] as const;
      const states = ['withdrawn', 'effective', 'pending'] as const;
      const objections: ObjectionRow[] = [];
      let n = 0;
      for (const programme of programmes) {
        for (const channel of channels) {
          for (const state of states) {
            n++;
            objections.push(
              objection(`o_${n}`, `p:${n}`, {
                programme,
                channel,
                state,
                ...(state === 'pending' ? { effective_at: null } : {}),
              }),
            );
          }
        }
      }
      await s.commit({ objections, withdrawals: [], leaves: [], nodes: [] });
      const counted = await s.countObjections();
      const key = (r: { state: string; channel: string; programme: string }) => [r.state, r.channel, r.programme];
      const sorted = counted.toSorted((a, b) => {
        const [x, y] = [key(a), key(b)];
        for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
        return 0;
      });
      expect(counted).toHaveLength(54);
      expect(counted.every((r) => r.n === 1)).toBe(true);
      expect(counted).toEqual(sorted);
      await s.close();
    });

    it('remembers idempotency keys and snapshots', async () => {
      const s = await fresh();
      await s.putIdempotency('k1', 'h1', 'o_1', '2025-05-01T00:00:00Z');
      await s.putIdempotency('k1', 'h2', 'o_2', '2025-05-01T00:00:00Z');
      expect(await s.getIdempotency('k1')).toEqual({ request_hash: 'h1', objection_id: 'o_1' });
      const snap = {
        id: 's1',
        programme: 'prog-a',
        cut_size: 3,
        manifest_sha256: 'ff',
        out_dir: '/x',
        records_kept: 10,
        created_at: '2025-06-01T00:00:00Z',
      };
      await s.recordSnapshot(snap);
      expect(await s.listSnapshots('prog-a')).toEqual([snap]);
      expect(await s.listSnapshots('other')).toEqual([]);
      await s.close();
    });
  });
}
