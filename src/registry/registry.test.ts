import { describe, expect, it } from 'vitest';
import type { Programme } from '../config/config.ts';
import { openCheckpoint } from '../log/checkpoint.ts';
import { decodeEvent } from '../log/event.ts';
import { fromBase64 } from '../log/hash.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../log/note.ts';
import { verifyConsistency } from '../log/proofs.ts';
import { verifyReceipt } from '../log/receipt.ts';
import { DissentError, InputError, NotFoundError } from '../shared/errors.ts';
import { type ObjectionResult, Registry } from './registry.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';
import type { AccountRow } from './types.ts';

const signer = parseSignerKey(generateSignerKey('test.example/log'));
const verifier = parseVerifierKey(verifierKeyOf(signer));

const programme = (id: string, deadline: string): Programme => ({
  id,
  title: id,
  purpose: 'train_ai_system',
  legal_basis: 'legitimate_interest',
  jurisdictions: ['EU'],
  notice_date: new Date('2025-04-14T00:00:00Z'),
  deadline: new Date(deadline),
  grace_window: 72 * 3_600_000,
  policy: '/dev/null',
});

const PROGRAMMES = [programme('early', '2025-05-01T00:00:00Z'), programme('late', '2025-06-01T00:00:00Z')];

const accounts: AccountRow[] = [
  {
    account: 'fb:a:1',
    person: 'p:1',
    source: 'facebook',
    handle: 'anna',
    display_name: 'Anna Müller',
    email: 'anna@web.de',
    birth_date: '1990-02-03',
    country: 'DE',
  },
  {
    account: 'ig:a:1',
    person: 'p:1',
    source: 'instagram',
    handle: 'anna_m',
    display_name: 'Anna M.',
    email: 'anna@web.de',
    birth_date: '1990-02-03',
    country: 'DE',
  },
  ...Array.from({ length: 300 }, (_, i) => ({
    account: `fb:a:${i + 2}`,
    person: `p:${i + 2}`,
    source: 'facebook',
    handle: `user${i + 2}`,
    display_name: `User ${i + 2}`,
    email: `user${i + 2}@gmx.de`,
    birth_date: '1985-01-01',
    country: 'DE',
  })),
];

/**
 * Runs `race` (another process appending, say) just before the store's first commit from then on; the result tells
 * whether it ran.
 */
function beforeFirstCommit(store: Store, race: () => Promise<void>): () => boolean {
  let raced = false;
  const commit = store.commit.bind(store);
  store.commit = async (batch) => {
    if (!raced) {
      raced = true;
      await race();
    }
    return commit(batch);
  };
  return () => raced;
}

async function setup(now = '2025-05-15T12:00:00.000Z') {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  await store.upsertAccounts(accounts);
  const clock = { t: new Date(now) };
  const registry = await Registry.open({
    store,
    origin: 'test.example/log',
    signer,
    programmes: PROGRAMMES,
    clock: () => clock.t,
  });
  return { store, registry, clock };
}

describe('Registry', () => {
  it('files an objection by account id for the whole person, with a receipt that verifies offline', async () => {
    const { registry } = await setup();
    const r = await registry.object({ subject: 'ig:a:1', channel: 'cli' });
    expect(r.created).toBe(true);
    expect(r.receipt.subject).toBe('p:1');
    expect(r.receipt.scope).toBe('person');
    expect(r.receipt.programme).toBe('*');
    expect(verifyReceipt(r.receipt, verifier)).toMatchObject({ ok: true });
  });

  it('judges lateness per programme from the submission time: a * objection can be late for one and not another', async () => {
    const { registry } = await setup('2025-05-15T12:00:00.000Z');
    const r = await registry.object({ subject: 'p:2', channel: 'api' });
    expect(r.receipt.late).toEqual({ early: true, late: false });
    const one = await registry.object({ subject: 'p:3', programme: 'late', channel: 'api' });
    expect(one.receipt.late).toEqual({ late: false });
  });

  it('counts an objection made at the very deadline as in time, and one a millisecond later as late', async () => {
    const { registry, clock } = await setup('2025-05-01T00:00:00.000Z');
    expect((await registry.object({ subject: 'p:2', programme: 'early', channel: 'api' })).receipt.late).toEqual({
      early: false,
    });
    clock.t = new Date('2025-05-01T00:00:00.001Z');
    expect((await registry.object({ subject: 'p:3', programme: 'early', channel: 'api' })).receipt.late).toEqual({
      early: true,
    });
  });

  it('returns the existing receipt for a repeat objection, without a second log entry', async () => {
    const { registry } = await setup();
    const a = await registry.object({ subject: 'p:1', channel: 'cli' });
    const b = await registry.object({ subject: 'fb:a:1', channel: 'web' });
    expect(b.created).toBe(false);
    expect(b.receipt.objection_id).toBe(a.receipt.objection_id);
    expect(registry.size).toBe(1);
  });

  it('records an objection to one programme while one to * stands, so that withdrawing * leaves it in force', async () => {
    const { registry, store } = await setup();
    const all = await registry.object({ subject: 'p:1', channel: 'cli' });
    const one = await registry.object({ subject: 'p:1', programme: 'early', channel: 'cli' });
    expect(one.created).toBe(true);
    expect(one.receipt).toMatchObject({ programme: 'early' });
    expect(
      (await registry.object({ subject: 'fb:a:1', programme: 'early', channel: 'web' })).receipt.objection_id,
    ).toBe(one.receipt.objection_id);
    await registry.withdraw({ subject: 'p:1', channel: 'cli' });
    expect((await store.getObjection(all.receipt.objection_id))?.state).toBe('withdrawn');
    expect((await store.findEffective('p:1', 'person', 'early'))?.id).toBe(one.receipt.objection_id);
    expect(registry.size).toBe(3);
  });

  it('answers a repeat objection in a later batch with the stored one, even when filed together with new ones', async () => {
    const { registry } = await setup();
    const first = await registry.object({ subject: 'p:1', channel: 'api' });
    // One batch: a repeat (by the person's account) among new objections.
    const [again, other] = await registry.objectMany([
      { subject: 'fb:a:1', channel: 'api' },
      { subject: 'p:2', channel: 'api' },
    ]);
    expect(again?.created).toBe(false);
    expect(again?.receipt.objection_id).toBe(first.receipt.objection_id);
    expect(other?.created).toBe(true);
    expect(registry.size).toBe(2);
    expect(verifyReceipt((other as ObjectionResult).receipt, verifier)).toMatchObject({ ok: true });
  });

  it('resolves concurrent requests together, and one unknown subject among them fails alone', async () => {
    const { store, registry } = await setup();
    let reads = 0;
    const lookupSubjects = store.lookupSubjects.bind(store);
    store.lookupSubjects = (ids) => {
      reads++;
      return lookupSubjects(ids);
    };
    const results = await Promise.allSettled([
      registry.object({ subject: 'p:2', channel: 'api' }),
      registry.object({ subject: 'nobody', channel: 'api' }),
      registry.object({ subject: 'fb:a:3', channel: 'api' }),
      registry.object({ subject: 'ig:a:1', accountOnly: true, channel: 'api' }),
    ]);
    expect(reads).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    const receipts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.receipt] : []));
    expect(receipts.map((r) => [r.subject, r.scope])).toEqual([
      ['p:2', 'person'],
      ['p:3', 'person'],
      ['ig:a:1', 'account'],
    ]);
    for (const r of receipts) expect(verifyReceipt(r, verifier)).toMatchObject({ ok: true });
  });

  it('keeps account-only objections apart from person objections', async () => {
    const { registry } = await setup();
    const acc = await registry.object({ subject: 'fb:a:1', accountOnly: true, channel: 'cli' });
    expect(acc.receipt.scope).toBe('account');
    expect(acc.receipt.subject).toBe('fb:a:1');
    const person = await registry.object({ subject: 'fb:a:1', channel: 'cli' });
    expect(person.created).toBe(true);
    await expect(registry.object({ subject: 'p:1', accountOnly: true, channel: 'cli' })).rejects.toBeInstanceOf(
      InputError,
    );
  });

  it('refuses unknown subjects and programmes without echoing the subject id', async () => {
    const { registry } = await setup();
    const err = await registry.object({ subject: 'secret-person-42', channel: 'cli' }).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(String(err.message)).not.toContain('secret-person-42');
    await expect(registry.object({ subject: 'p:1', programme: 'nope', channel: 'cli' })).rejects.toThrow(
      /unknown programme/,
    );
  });

  it('withdraws with its own logged event and receipt, after which the subject can object anew', async () => {
    const { registry, store } = await setup();
    const o = await registry.object({ subject: 'p:4', channel: 'cli' });
    const w = await registry.withdraw({ subject: 'p:4', channel: 'cli' });
    expect(verifyReceipt(w.receipt, verifier)).toMatchObject({ ok: true });
    expect(decodeEvent(w.receipt.leaf)).toMatchObject({ type: 'withdrawal', id: o.receipt.objection_id });
    expect((await store.getObjection(o.receipt.objection_id))?.state).toBe('withdrawn');
    await expect(registry.withdraw({ subject: 'p:4', channel: 'cli' })).rejects.toBeInstanceOf(NotFoundError);
    const again = await registry.object({ subject: 'p:4', channel: 'cli' });
    expect(again.created).toBe(true);
    expect(again.receipt.objection_id).not.toBe(o.receipt.objection_id);
  });

  it('refuses to withdraw from one programme when only an objection to * stands, and leaves that one in force', async () => {
    const { registry, store } = await setup();
    const all = await registry.object({ subject: 'p:4', channel: 'cli' });
    const err = await registry.withdraw({ subject: 'p:4', programme: 'early', channel: 'cli' }).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('E_NO_OBJECTION');
    expect((await store.getObjection(all.receipt.objection_id))?.state).toBe('effective');
    expect(registry.size).toBe(1);
  });

  it('withdraws an objection once when two withdrawals of it arrive together', async () => {
    const { registry, store } = await setup();
    const o = await registry.object({ subject: 'p:4', channel: 'cli' });
    const results = await Promise.allSettled([
      registry.withdraw({ subject: 'p:4', channel: 'api' }),
      registry.withdraw({ subject: 'fb:a:4', channel: 'web' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('E_NO_OBJECTION');
    expect((await store.getObjection(o.receipt.objection_id))?.state).toBe('withdrawn');
    const events = (await store.getLeaves(0, registry.size)).map((l) => decodeEvent(l)?.type);
    expect(events).toEqual(['objection', 'withdrawal']);
  });

  it('files a new objection when one is objected, withdrawn and objected again in one batch', async () => {
    const { registry, store } = await setup();
    // Hold a first batch at its commit, so that the three requests queue up behind it, in order, as one batch.
    let entered!: () => void;
    let open!: () => void;
    const committing = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      entered();
      await gate;
      return commit(batch);
    };
    const blocker = registry.object({ subject: 'p:2', channel: 'api' });
    await committing;
    const p4 = { subject: 'p:4', scope: 'person' } as const;
    const first = registry.object({ subject: 'p:4', channel: 'api', resolved: p4 });
    await new Promise((resolve) => setImmediate(resolve));
    const withdrawal = registry.withdraw({ subject: 'p:4', channel: 'api', resolved: p4 });
    const again = registry.object({ subject: 'p:4', channel: 'api', resolved: p4 });
    open();
    await blocker;
    const [o, w, a] = await Promise.all([first, withdrawal, again]);
    expect(decodeEvent(w.receipt.leaf)).toMatchObject({ type: 'withdrawal', id: o.receipt.objection_id });
    expect(a.created).toBe(true);
    expect(a.receipt.objection_id).not.toBe(o.receipt.objection_id);
    expect((await store.findEffective('p:4', 'person', '*'))?.id).toBe(a.receipt.objection_id);
    // The three went into one batch: one checkpoint covers them.
    expect(new Set([o, w, a].map((r) => r.receipt.checkpoint)).size).toBe(1);
  });

  it('withdraws an objection whose person has left the identity graph, by the id it was filed for', async () => {
    const { registry, store } = await setup();
    const filed = await registry.object({ subject: 'p:5', channel: 'cli' });
    // p:5's only account moves to another person (a merge in the identity graph): p:5 has no account any more.
    const moved = accounts.find((a) => a.account === 'fb:a:5') as AccountRow;
    await store.upsertAccounts([{ ...moved, person: 'p:99' }]);
    expect(await store.accountsOfPerson('p:5')).toEqual([]);
    const w = await registry.withdraw({ subject: 'p:5', channel: 'cli' });
    expect(verifyReceipt(w.receipt, verifier)).toMatchObject({ ok: true });
    expect(decodeEvent(w.receipt.leaf)).toMatchObject({ type: 'withdrawal', id: filed.receipt.objection_id });
    expect((await store.getObjection(filed.receipt.objection_id))?.state).toBe('withdrawn');
    // An id that never had an objection is still unknown, not "nothing to withdraw".
    const err = await registry.withdraw({ subject: 'p:nobody', channel: 'cli' }).catch((e) => e);
    expect(err.code).toBe('E_UNKNOWN_SUBJECT');
  });

  it("refuses an id that is one person's account id and another person's id, rather than guess whose it is", async () => {
    const { registry, store } = await setup();
    const row = (account: string, person: string): AccountRow => ({
      ...(accounts[2] as AccountRow),
      account,
      person,
      handle: `h${account}`,
      email: null,
    });
    // Account "42" is person "7"'s; person "42" has the account "100".
    await store.upsertAccounts([row('42', '7'), row('100', '42')]);
    const err = await registry.object({ subject: '42', channel: 'api' }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('E_AMBIGUOUS_SUBJECT');
    // Named unambiguously, each is filed for the right one.
    expect((await registry.object({ subject: '100', channel: 'api' })).receipt).toMatchObject({
      subject: '42',
      scope: 'person',
    });
    expect((await registry.object({ subject: '42', accountOnly: true, channel: 'api' })).receipt).toMatchObject({
      subject: '42',
      scope: 'account',
    });
    // A stored objection is withdrawn by its own subject and scope, not by reading its id anew.
    const w = await registry.withdraw({ subject: '42', resolved: { subject: '42', scope: 'person' }, channel: 'web' });
    expect(decodeEvent(w.receipt.leaf)).toMatchObject({ type: 'withdrawal', scope: 'person' });
    expect((await store.findEffective('42', 'account', '*'))?.state).toBe('effective');
  });

  it("gives a withdrawal's receipt the withdrawn objection's lateness, not the withdrawal's", async () => {
    const { registry, clock } = await setup('2025-04-30T12:00:00.000Z');
    const o = await registry.object({ subject: 'p:8', programme: 'early', channel: 'api' });
    expect(o.receipt.late).toEqual({ early: false });
    clock.t = new Date('2025-05-20T12:00:00.000Z');
    const w = await registry.withdraw({ subject: 'p:8', programme: 'early', channel: 'api' });
    expect(w.receipt.late).toEqual({ early: false });
    expect((await registry.withdrawalReceipt(w.withdrawal)).late).toEqual({ early: false });
  });

  it('keeps the submission time of a pending objection confirmed later', async () => {
    const { registry, clock } = await setup('2025-04-30T23:00:00.000Z');
    const pending = await registry.createPending({ subject: 'fb:a:5', channel: 'web' });
    expect(registry.size).toBe(0);
    clock.t = new Date('2025-05-02T10:00:00.000Z');
    const r = await registry.confirmPending(pending.id);
    expect(r.created).toBe(true);
    expect(decodeEvent(r.receipt.leaf)).toMatchObject({
      submitted_at: '2025-04-30T23:00:00.000Z',
      effective_at: '2025-05-02T10:00:00.000Z',
    });
    expect(r.receipt.late).toEqual({ early: false, late: false });
  });

  it('keeps the reason of a pending objection confirmed without a change to it, and clears it when asked', async () => {
    const { registry, store } = await setup();
    const kept = await registry.createPending({ subject: 'fb:a:5', channel: 'web', reason: 'my photos' });
    await registry.confirmPending(kept.id);
    expect((await store.getObjection(kept.id))?.reason).toBe('my photos');
    const cleared = await registry.createPending({ subject: 'fb:a:6', channel: 'web', reason: 'my photos' });
    await registry.confirmPending(cleared.id, { reason: '  ' });
    expect((await store.getObjection(cleared.id))?.reason).toBeNull();
  });

  it('passes a barrier only once the writes queued before it are committed', async () => {
    const { registry, store } = await setup();
    const pending = await registry.createPending({ subject: 'fb:a:5', channel: 'web' });
    const confirming = registry.confirmPending(pending.id);
    await registry.barrier();
    expect((await store.getObjection(pending.id))?.state).toBe('effective');
    expect((await confirming).created).toBe(true);
  });

  it('judges an objection by when it was asked for, not by when its batch commits', async () => {
    const { registry, clock } = await setup('2025-04-30T23:59:59.990Z');
    const asked = registry.object({ subject: 'p:6', programme: 'early', channel: 'api' });
    const withdrawal = registry.object({ subject: 'p:7', programme: 'early', channel: 'api' }).then(async () => {
      clock.t = new Date('2025-05-01T00:00:01.000Z');
      const w = registry.withdraw({ subject: 'p:7', programme: 'early', channel: 'api' });
      clock.t = new Date('2025-05-01T00:00:05.000Z');
      return w;
    });
    // The deadline passes while the requests wait for their commit.
    clock.t = new Date('2025-05-01T00:00:00.500Z');
    const r = await asked;
    expect(decodeEvent(r.receipt.leaf)).toMatchObject({
      submitted_at: '2025-04-30T23:59:59.990Z',
      effective_at: '2025-05-01T00:00:00.500Z',
    });
    expect(r.receipt.late).toEqual({ early: false });
    expect(decodeEvent((await withdrawal).receipt.leaf)).toMatchObject({
      submitted_at: '2025-05-01T00:00:01.000Z',
      effective_at: '2025-05-01T00:00:05.000Z',
    });
  });

  it('group-commits concurrent objections: each gets a valid receipt, with far fewer checkpoints than requests', async () => {
    const { registry } = await setup();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => registry.object({ subject: `p:${i + 2}`, channel: 'api' })),
    );
    expect(new Set(results.map((r) => r.receipt.leaf_index)).size).toBe(200);
    for (const r of results) expect(verifyReceipt(r.receipt, verifier).ok).toBe(true);
    const checkpoints = new Set(results.map((r) => r.receipt.checkpoint));
    expect(checkpoints.size).toBeLessThan(10);
  });

  it('resumes the log after reopening and proves the new tree consistent with the old', async () => {
    const { registry, store } = await setup();
    await registry.objectMany(
      Array.from({ length: 37 }, (_, i) => ({ subject: `p:${i + 2}`, channel: 'cli' as const })),
    );
    const old = openCheckpoint((await registry.latestCheckpoint()).note, verifier);
    const reopened = await Registry.open({ store, origin: 'test.example/log', signer, programmes: PROGRAMMES });
    expect(reopened.size).toBe(37);
    await reopened.objectMany(
      Array.from({ length: 29 }, (_, i) => ({ subject: `p:${i + 100}`, channel: 'cli' as const })),
    );
    const now = openCheckpoint((await reopened.latestCheckpoint()).note, verifier);
    const proof = await reopened.consistencyProof(old.size, now.size);
    expect(verifyConsistency(old.size, now.size, proof.proof.map(fromBase64), old.root, now.root)).toBe(true);
    const inc = await reopened.inclusionProof(5);
    expect(inc.size).toBe(66);
    await expect(reopened.inclusionProof(66)).rejects.toBeInstanceOf(InputError);
    await expect(reopened.consistencyProof(0, 67)).rejects.toBeInstanceOf(InputError);
    // The first registry (a server, say) has not seen the other's appends, but proves the checkpoint the store now
    // serves: its API offers that checkpoint.
    const late = await registry.inclusionProof(60);
    expect(late.size).toBe(66);
    const fromOld = await registry.consistencyProof(old.size);
    expect(fromOld.to).toBe(66);
    expect(verifyConsistency(old.size, 66, fromOld.proof.map(fromBase64), old.root, now.root)).toBe(true);
  });

  it('does not carry out a request it already refused when another process grew the log and the batch is redone', async () => {
    const { registry: cli, store } = await setup();
    const server = await Registry.open({ store, origin: 'test.example/log', signer, programmes: PROGRAMMES });
    // The server files p:9's objection just as the CLI's batch commits, so that the CLI redoes its batch on the
    // grown log: the withdrawal it refused in its first attempt now finds something to withdraw.
    const raced = beforeFirstCommit(store, async () => {
      await server.object({ subject: 'p:9', channel: 'api' });
    });
    const p9 = { subject: 'p:9', scope: 'person' } as const;
    const [withdrawal, objection] = await Promise.allSettled([
      cli.withdraw({ subject: 'p:9', channel: 'cli', resolved: p9 }),
      cli.object({ subject: 'p:10', channel: 'cli', resolved: { subject: 'p:10', scope: 'person' } }),
    ]);
    expect(raced()).toBe(true);
    expect(objection.status).toBe('fulfilled');
    expect(withdrawal.status).toBe('rejected');
    // What the caller was told is what happened: p:9's objection stands, and the log holds no withdrawal.
    expect((await store.findEffective('p:9', 'person', '*'))?.state).toBe('effective');
    const events = (await store.getLeaves(0, await store.logSize())).map((l) => decodeEvent(l)?.type);
    expect(events).toEqual(['objection', 'objection']);
  });

  it('keeps retrying, without failing the request, while another busy process of the same registry appends first', async () => {
    const { registry: cli, store } = await setup();
    const server = await Registry.open({ store, origin: 'test.example/log', signer, programmes: PROGRAMMES });
    // Two servers of one home in an overlapping deploy, both under load: the other one commits just before each of
    // this one's first ten attempts, so each of them finds the log grown under it.
    let raced = 0;
    let racing = false;
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      if (raced < 10 && !racing) {
        raced++;
        racing = true;
        await server.object({ subject: `p:${100 + raced}`, channel: 'api' });
        racing = false;
      }
      return commit(batch);
    };
    const filed = await cli.object({ subject: 'p:9', channel: 'cli' });
    expect(raced).toBe(10);
    expect(filed.created).toBe(true);
    expect(filed.receipt.leaf_index).toBe(10);
    expect(verifyReceipt(filed.receipt, verifier).ok).toBe(true);
  });

  it('fails the batch, instead of leaving its requests unanswered, when the database fails while the log is reread after another process appended', async () => {
    const { registry: cli, store } = await setup();
    const server = await Registry.open({ store, origin: 'test.example/log', signer, programmes: PROGRAMMES });
    // The other server appends just before this one commits; then the database goes away (PostgreSQL restarted) as
    // this one rereads the grown log to redo its batch on top.
    const raced = beforeFirstCommit(store, async () => {
      await server.object({ subject: 'p:8', channel: 'api' });
      store.logSize = async () => {
        throw new DissentError('the registry lost the connection', 'E_DB');
      };
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const answer = await Promise.race([
        cli.object({ subject: 'p:9', channel: 'cli' }).catch((e: unknown) => e),
        new Promise((r) => setTimeout(() => r('no answer'), 2000)),
      ]);
      expect(raced()).toBe(true);
      expect((answer as { code?: string }).code).toBe('E_DB');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('puts no subject id, e-mail or name into the log', async () => {
    const { registry, store } = await setup();
    await registry.object({ subject: 'fb:a:1', channel: 'cli' });
    await registry.object({ subject: 'fb:a:7', accountOnly: true, channel: 'cli' });
    const leaves = (await store.getLeaves(0, registry.size)).join('\n');
    const cp = (await registry.latestCheckpoint()).note;
    for (const needle of ['p:1', 'fb:a:1', 'ig:a:1', 'fb:a:7', 'anna', 'Anna', 'web.de', 'user7']) {
      expect(leaves + cp).not.toContain(needle);
    }
  });
});
