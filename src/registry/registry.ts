import type { Programme } from '../config/config.ts';
import { signCheckpoint } from '../log/checkpoint.ts';
import { encodeEvent, type LogEvent, type Scope, subjectCommitment } from '../log/event.ts';
import { type Hash, hashLeaf, toBase64 } from '../log/hash.ts';
import {
  consistencyRanges,
  Frontier,
  foldRange,
  inclusionRanges,
  type NodeId,
  nodeKey,
  nodesForRanges,
  type Range,
  rangeNodes,
} from '../log/merkle.ts';
import type { Signer } from '../log/note.ts';
import { makeReceipt, type Receipt } from '../log/receipt.ts';
import { InputError, NotFoundError } from '../shared/errors.ts';
import { newId, newSalt } from './ids.ts';
import { lateness } from './lateness.ts';
import { type CommitBatch, EffectiveExistsError, LogConflictError, type Store, type SubjectLookup } from './store.ts';
import { type Channel, type CheckpointRow, MAX_REASON_CHARS, type ObjectionRow, type WithdrawalRow } from './types.ts';

/** What a person or the operator asks for when objecting. */
export interface ObjectionRequest {
  /** A person id, or an account id (which stands for its person unless `accountOnly`). */
  readonly subject: string;
  readonly accountOnly?: boolean;
  /** A programme id or `*` (the default): all current and future programmes. */
  readonly programme?: string;
  readonly channel: Channel;
  readonly reason?: string;
  /**
   * When the request arrived (ISO 8601, the server clock), if the caller took that time before this call, as a server
   * does on arrival: the deadline is judged by it. Default: the time of the call.
   */
  readonly submittedAt?: string;
  /**
   * The subject as already resolved for this request (by `resolveSubject`, or from a stored objection), which spares
   * a second lookup and keeps an id from being read anew (a person id may also be another person's account id).
   */
  readonly resolved?: Who & { readonly account?: string };
}

/** The outcome of an objection: its receipt, and whether it was new or an existing effective one. */
export interface ObjectionResult {
  readonly receipt: Receipt;
  readonly created: boolean;
  readonly objection: ObjectionRow;
}

/** Who an objection is about: a subject and its scope. */
type Who = Pick<ResolvedSubject, 'subject' | 'scope'>;

/** A subject resolved against the identity graph. */
export interface ResolvedSubject {
  readonly subject: string;
  readonly scope: Scope;
  /** The person the subject belongs to (the subject itself for a person). */
  readonly person: string;
  /** The account id the request named, when it named an account rather than a person. */
  readonly account?: string;
}

/** Options for opening a registry. */
export interface RegistryOptions {
  readonly store: Store;
  readonly origin: string;
  readonly signer: Signer;
  readonly programmes: readonly Programme[];
  /** The server clock; injectable for tests and the demo only. */
  readonly clock?: () => Date;
  /** Called with each checkpoint (a signed note) once it is committed: the home keeps the latest (LogWitness). */
  readonly onCheckpoint?: (note: string) => void;
}

interface BatchContext {
  readonly now: string;
  readonly frontier: Frontier;
  readonly batch: {
    objections: Map<string, ObjectionRow>;
    withdrawals: WithdrawalRow[];
    leaves: { index: number; leaf: string }[];
    nodes: { id: NodeId; hash: Hash }[];
  };
  /** Effective objections made earlier in this batch, by subject/scope/programme. */
  readonly fresh: Map<string, ObjectionRow>;
  /** Objections withdrawn earlier in this batch, which the store still shows as effective. */
  readonly withdrawn: Set<string>;
  /**
   * On a batch's first attempt, a new objection is assumed not to be covered by a stored one: instead of a lookup per
   * request, the commit checks all of them at once (`absent`), and the batch is redone with lookups if one is.
   */
  readonly optimistic: boolean;
  readonly absent: { subject: string; scope: ResolvedSubject['scope']; programme: string }[];
}

type Op = {
  prepare: (ctx: BatchContext) => Promise<() => Promise<unknown>>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

const MAX_BATCH = 100_000;

/** How often a batch is redone when another process appended first (LogConflictError) before its callers hear so. */
const CONFLICT_ATTEMPTS = 50;

/**
 * After how many attempts that found the log grown under them a batch is redone holding the log (where the store can
 * lock it): a busier process of the registry could otherwise append between each reread and commit, for good.
 */
const LOCK_AFTER = 2;

/**
 * How many requests of a batch are prepared, or answered, between two turns of the event loop. A batch is made of
 * every request that arrived during the previous commit; done in one go, a backlog of 20,000 stopped every other
 * request for half a second.
 */
const SLICE = 500;

/** Lets the event loop turn (timers, sockets, other requests) before going on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The objection registry and its transparency log. Writes are group-committed: every request that arrives while a
 * commit is running joins the next one, which is made durable in one transaction and covered by one signed
 * checkpoint before any of its callers hears back.
 */
export class Registry {
  readonly store: Store;
  readonly origin: string;
  readonly programmes: readonly Programme[];
  readonly #signer: Signer;
  readonly #clock: () => Date;
  readonly #onCheckpoint: (note: string) => void;
  #frontier: Frontier;
  #queue: Op[] = [];
  /**
   * Nodes, leaves and the checkpoint of the last commit. Receipts for a batch need only the old right edge and the
   * batch's own nodes, so they are answered from memory instead of one store read per proof hash.
   */
  #recent: { nodes: Map<string, Hash>; leaves: Map<number, string>; checkpoint?: CheckpointRow } = {
    nodes: new Map(),
    leaves: new Map(),
  };
  #flushing: Promise<void> | undefined;
  #lookups: { id: string; resolve: (found: SubjectLookup | undefined) => void; reject: (e: unknown) => void }[] = [];

  private constructor(opts: RegistryOptions, frontier: Frontier) {
    this.store = opts.store;
    this.origin = opts.origin;
    this.programmes = opts.programmes;
    this.#signer = opts.signer;
    this.#clock = opts.clock ?? (() => new Date());
    this.#onCheckpoint = opts.onCheckpoint ?? (() => {});
    this.#frontier = frontier;
  }

  /** Opens a registry over a migrated store and resumes the log where it stands. */
  static async open(opts: RegistryOptions): Promise<Registry> {
    const frontier = await loadFrontier(opts.store);
    const reg = new Registry(opts, frontier);
    const cp = await opts.store.latestCheckpoint();
    if (!cp || cp.size !== frontier.size) await reg.#signLatest();
    return reg;
  }

  /** Current time of the server clock, as ISO 8601 with milliseconds. */
  now(): string {
    return this.#clock().toISOString();
  }

  /** Resolves a subject id against the identity graph; never echoes the id in an error. */
  async resolveSubject(id: string, accountOnly = false): Promise<ResolvedSubject> {
    const found = await this.#lookup(id);
    if (found?.kind === 'account') {
      if (found.otherPerson !== undefined && !accountOnly) {
        // Taking either reading would file against a person the caller may not have meant, and exclude the wrong
        // person's content.
        throw new InputError(
          'ambiguous subject: this id is an account id of one person and the id of another person in the identity graph; name the person by one of their account ids, or file for the account alone (account scope)',
          'E_AMBIGUOUS_SUBJECT',
        );
      }
      return accountOnly
        ? { subject: found.account, scope: 'account', person: found.person, account: found.account }
        : { subject: found.person, scope: 'person', person: found.person, account: found.account };
    }
    if (found?.kind === 'person') {
      if (accountOnly)
        throw new InputError(
          'an account-only objection needs an account id, but the subject given is a person',
          'E_SUBJECT',
        );
      return { subject: id, scope: 'person', person: id };
    }
    throw new NotFoundError(
      'unknown subject: no person or account with that id in the identity graph (the operator imports accounts into it before objections can name them)',
      'E_UNKNOWN_SUBJECT',
    );
  }

  /**
   * Looks a subject up in the identity graph. Every lookup asked for in one event-loop turn (say, all the requests a
   * server parsed in it) is answered by one store read, which costs a fraction of one read per request.
   */
  #lookup(id: string): Promise<SubjectLookup | undefined> {
    return new Promise((resolve, reject) => {
      this.#lookups.push({ id, resolve, reject });
      if (this.#lookups.length === 1) setImmediate(() => this.#runLookups());
    });
  }

  async #runLookups(): Promise<void> {
    const asked = this.#lookups;
    this.#lookups = [];
    try {
      const found = await this.store.lookupSubjects(asked.map((a) => a.id));
      for (const [i, a] of asked.entries()) a.resolve(found[i]);
    } catch (e) {
      for (const a of asked) a.reject(e);
    }
  }

  /** Refuses a programme that is neither `*` nor configured (an InputError naming the configured ones). */
  checkProgramme(programme: string): void {
    if (programme !== '*' && !this.programmes.some((p) => p.id === programme)) {
      throw new InputError(
        `unknown programme "${programme}"; use "*" or one of: ${this.programmes.map((p) => p.id).join(', ')}`,
        'E_UNKNOWN_PROGRAMME',
      );
    }
  }

  /**
   * Refuses a reason longer than the portal's form takes, or holding a NUL character (which no one types, and which
   * PostgreSQL cannot store: it would fail the group commit of every request filed with it); a reason is optional and
   * never judged.
   */
  checkReason(reason: string | undefined): void {
    if (reason !== undefined && reason.length > MAX_REASON_CHARS) {
      throw new InputError(`the reason is longer than ${MAX_REASON_CHARS} characters`, 'E_REASON_TOO_LONG');
    }
    if (reason?.includes('\u0000')) {
      throw new InputError('the reason holds a NUL character (U+0000); leave it out', 'E_REASON_INVALID');
    }
  }

  /** Files an effective objection (CLI and API channels) and returns its receipt once it is durable and signed. */
  object(req: ObjectionRequest): Promise<ObjectionResult> {
    return this.objectMany([req]).then((r) => r[0] as ObjectionResult);
  }

  /** Files many objections in one group commit; each result is its receipt, in input order. */
  async objectMany(reqs: readonly ObjectionRequest[]): Promise<ObjectionResult[]> {
    // Submitted when asked, not when the batch commits: under a deadline-night queue the difference could make an
    // objection late.
    const submittedAt = this.now();
    const resolved = await Promise.all(
      reqs.map(async (r) => {
        const programme = r.programme ?? '*';
        this.checkProgramme(programme);
        this.checkReason(r.reason);
        return { req: r, programme, who: r.resolved ?? (await this.resolveSubject(r.subject, r.accountOnly)) };
      }),
    );
    return Promise.all(
      resolved.map(({ req, programme, who }) =>
        this.#enqueue<ObjectionResult>(async (ctx) => {
          const existing = this.#freshSame(ctx, who, programme) ?? (await this.#storedSame(ctx, who, programme));
          if (existing) return () => this.#objectionResult(existing, false);
          const row = newObjection(who, programme, req, req.submittedAt ?? submittedAt, ctx.now);
          const effective = this.#appendObjection(ctx, row);
          return () => this.#objectionResult(effective, true);
        }),
      ),
    );
  }

  /**
   * Records an objection that waits for identity confirmation (web channel). It is not in the log yet; its
   * `submitted_at` is fixed now and is kept when it is confirmed within the grace window.
   */
  async createPending(req: ObjectionRequest): Promise<ObjectionRow> {
    const submittedAt = req.submittedAt ?? this.now();
    const programme = req.programme ?? '*';
    this.checkProgramme(programme);
    this.checkReason(req.reason);
    const who = req.resolved ?? (await this.resolveSubject(req.subject, req.accountOnly));
    return this.#enqueue<ObjectionRow>(async (ctx) => {
      const row = newObjection(who, programme, req, submittedAt, null);
      ctx.batch.objections.set(row.id, row);
      return async () => row;
    });
  }

  /** Makes a pending objection effective, keeping its submission time; returns the receipt. */
  async confirmPending(id: string, change: { reason?: string } = {}): Promise<ObjectionResult> {
    // The person confirming may change or clear the reason the request was made with (someone else may have made it).
    if (change.reason !== undefined) this.checkReason(change.reason);
    return this.#enqueue<ObjectionResult>(async (ctx) => {
      const row = ctx.batch.objections.get(id) ?? (await this.store.getObjection(id));
      if (!row) throw new NotFoundError('no such objection', 'E_UNKNOWN_OBJECTION');
      if (row.state !== 'pending') return () => this.#objectionResult(row, false);
      const who = { subject: row.subject, scope: row.scope };
      const existing = this.#freshSame(ctx, who, row.programme) ?? (await this.#storedSame(ctx, who, row.programme));
      if (existing) return () => this.#objectionResult(existing, false);
      const reason = change.reason === undefined ? row.reason : change.reason.trim() || null;
      const effective = this.#appendObjection(ctx, { ...row, reason, state: 'effective', effective_at: ctx.now });
      return () => this.#objectionResult(effective, true);
    });
  }

  /** Withdraws the subject's effective objection to exactly `programme` (default `*`), logging a withdrawal event. */
  async withdraw(req: Omit<ObjectionRequest, 'reason'>): Promise<{ receipt: Receipt; withdrawal: WithdrawalRow }> {
    const submittedAt = this.now();
    const programme = req.programme ?? '*';
    this.checkProgramme(programme);
    let who: Who;
    let unknown: NotFoundError | undefined;
    try {
      who = req.resolved ?? (await this.resolveSubject(req.subject, req.accountOnly));
    } catch (e) {
      // An objection outlives its subject's place in the identity graph (a person whose accounts all moved to
      // another person, an account that was removed): it still stands for that id, so it can still be withdrawn by it.
      if (!(e instanceof NotFoundError) || e.code !== 'E_UNKNOWN_SUBJECT') throw e;
      who = { subject: req.subject, scope: req.accountOnly ? 'account' : 'person' };
      unknown = e;
    }
    return this.#enqueue(async (ctx) => {
      const found = ctx.fresh.get(key(who, programme)) ?? (await this.#storedEffective(ctx, who, programme));
      if (!found || found.programme !== programme) {
        if (unknown) throw unknown;
        throw new NotFoundError(
          `no effective objection to withdraw for this subject and programme "${programme}" (name the objection as it was filed: its programme, and the account scope if it was filed for the account alone)`,
          'E_NO_OBJECTION',
        );
      }
      const w: WithdrawalRow = {
        id: newId('w'),
        objection_id: found.id,
        subject: found.subject,
        scope: found.scope,
        programme,
        channel: req.channel,
        submitted_at: submittedAt,
        salt: newSalt(),
        leaf_index: ctx.frontier.size,
      };
      this.#appendLeaf(ctx, {
        v: 1,
        type: 'withdrawal',
        id: found.id,
        programme,
        scope: found.scope,
        subject_commitment: subjectCommitment(w.salt, w.subject),
        submitted_at: submittedAt,
        effective_at: ctx.now,
      });
      ctx.batch.withdrawals.push(w);
      ctx.batch.objections.set(found.id, { ...found, state: 'withdrawn', withdrawn_at: ctx.now, withdrawal_id: w.id });
      ctx.fresh.delete(key(who, programme));
      ctx.withdrawn.add(found.id);
      return async () => ({ receipt: await this.withdrawalReceipt(w, found), withdrawal: w });
    });
  }

  async #storedEffective(ctx: BatchContext, who: Who, programme: string): Promise<ObjectionRow | undefined> {
    const row = await this.store.findEffective(who.subject, who.scope, programme);
    return row && !ctx.withdrawn.has(row.id) ? row : undefined;
  }

  /**
   * The stored effective objection of the subject to exactly this programme, which a new one would repeat; on an
   * optimistic attempt, none, but a check at commit. One to `*` does not count: an objection to a single programme is
   * recorded while one to `*` is in force, so that withdrawing `*` leaves it standing.
   */
  async #storedSame(ctx: BatchContext, who: Who, programme: string): Promise<ObjectionRow | undefined> {
    if (ctx.optimistic) {
      ctx.absent.push({ subject: who.subject, scope: who.scope, programme });
      return undefined;
    }
    const row = await this.#storedEffective(ctx, who, programme);
    return row?.programme === programme ? row : undefined;
  }

  /** The objection of the subject to exactly this programme made earlier in this batch. */
  #freshSame(ctx: BatchContext, who: Who, programme: string): ObjectionRow | undefined {
    return ctx.fresh.get(key(who, programme));
  }

  #appendObjection(ctx: BatchContext, row: ObjectionRow): ObjectionRow {
    const effective: ObjectionRow = { ...row, leaf_index: ctx.frontier.size };
    this.#appendLeaf(ctx, {
      v: 1,
      type: 'objection',
      id: row.id,
      programme: row.programme,
      scope: row.scope,
      subject_commitment: subjectCommitment(row.salt, row.subject),
      submitted_at: row.submitted_at,
      effective_at: row.effective_at ?? ctx.now,
    });
    ctx.batch.objections.set(effective.id, effective);
    ctx.fresh.set(key(row, row.programme), effective);
    return effective;
  }

  #appendLeaf(ctx: BatchContext, event: LogEvent): void {
    const leaf = encodeEvent(event);
    const index = ctx.frontier.size;
    ctx.batch.leaves.push({ index, leaf });
    ctx.batch.nodes.push(...ctx.frontier.append(hashLeaf(leaf)));
  }

  async #objectionResult(row: ObjectionRow, created: boolean): Promise<ObjectionResult> {
    return { receipt: await this.objectionReceipt(row), created, objection: row };
  }

  /** A fresh receipt for an effective (or withdrawn) objection, proved against the latest checkpoint. */
  async objectionReceipt(row: ObjectionRow): Promise<Receipt> {
    if (row.leaf_index === null)
      throw new InputError('this objection is not confirmed yet, so it has no receipt', 'E_PENDING');
    return this.#receipt(row.id, row.subject, row.salt, row.programme, row.scope, row.submitted_at, row.leaf_index);
  }

  /**
   * A fresh receipt for a withdrawal, proved against the latest checkpoint. Its `late` is the withdrawn objection's:
   * whether the objection was filed after each deadline, which a withdrawal's own time says nothing about.
   */
  async withdrawalReceipt(w: WithdrawalRow, objection?: ObjectionRow): Promise<Receipt> {
    const filed = objection ?? (await this.store.getObjection(w.objection_id));
    if (!filed) throw new NotFoundError('the withdrawn objection is not in the registry', 'E_UNKNOWN_OBJECTION');
    return this.#receipt(w.objection_id, w.subject, w.salt, w.programme, w.scope, filed.submitted_at, w.leaf_index);
  }

  async #receipt(
    id: string,
    subject: string,
    salt: string,
    programme: string,
    scope: Scope,
    objectionFiledAt: string,
    index: number,
  ): Promise<Receipt> {
    const recent = this.#recent.checkpoint;
    const cp = recent && recent.size > index ? recent : await this.latestCheckpoint();
    const leaf = this.#recent.leaves.get(index) ?? (await this.store.getLeaves(index, index + 1))[0];
    if (leaf === undefined) throw new NotFoundError(`log entry ${index} does not exist`, 'E_NO_ENTRY');
    return makeReceipt({
      objection_id: id,
      subject,
      salt,
      programme,
      scope,
      late: lateness(programme, objectionFiledAt, this.programmes),
      leaf,
      leaf_index: index,
      checkpoint: cp.note,
      proof: await this.#proof(inclusionRanges(index, cp.size)),
    });
  }

  async #proof(ranges: Range[]): Promise<Hash[]> {
    const cache = this.#recent.nodes;
    const missing = nodesForRanges(ranges).filter((id) => !cache.has(nodeKey(id)));
    const stored = missing.length > 0 ? await this.store.getNodes(missing) : undefined;
    const get = (id: NodeId) => (cache.get(nodeKey(id)) ?? stored?.get(nodeKey(id))) as Hash;
    return ranges.map(([a, b]) => foldRange(rangeNodes(a, b).map(get)));
  }

  /** The latest signed checkpoint. */
  async latestCheckpoint(): Promise<CheckpointRow> {
    const cp = await this.store.latestCheckpoint();
    if (!cp) throw new Error('the log has no checkpoint yet');
    return cp;
  }

  /** The current tree size. */
  get size(): number {
    return this.#frontier.size;
  }

  /** Inclusion proof of leaf `index` in the tree of `size` (default: the latest checkpoint's). */
  async inclusionProof(
    index: number,
    size?: number,
  ): Promise<{ index: number; size: number; root: string; proof: string[] }> {
    const n = size ?? (await this.latestCheckpoint()).size;
    await this.#checkSize(n);
    if (!Number.isSafeInteger(index) || index < 0 || index >= n) {
      throw new InputError(`leaf index ${index} is outside the tree of size ${n}`, 'E_RANGE');
    }
    const [root] = await this.#proof([[0, n]]);
    return {
      index,
      size: n,
      root: toBase64(root as Hash),
      proof: (await this.#proof(inclusionRanges(index, n))).map(toBase64),
    };
  }

  /** Consistency proof between two tree sizes (default `to`: the latest checkpoint's size). */
  async consistencyProof(from: number, to?: number): Promise<{ from: number; to: number; proof: string[] }> {
    const n = to ?? (await this.latestCheckpoint()).size;
    await this.#checkSize(n);
    if (!Number.isSafeInteger(from) || from < 0 || from > n) {
      throw new InputError(`cannot prove consistency from size ${from} to size ${n}`, 'E_RANGE');
    }
    return { from, to: n, proof: (await this.#proof(consistencyRanges(from, n))).map(toBase64) };
  }

  /** Root hash (base64) of the tree at `size`. */
  async rootAt(size: number): Promise<string> {
    await this.#checkSize(size);
    return toBase64((await this.#proof([[0, size]]))[0] as Hash);
  }

  /**
   * Refuses a tree size beyond the log. The bound is the stored latest checkpoint too, not only this process's own
   * tree: another process (the CLI next to a server) may have appended, and the checkpoint the API serves must be
   * provable.
   */
  async #checkSize(n: number): Promise<void> {
    if (Number.isSafeInteger(n) && n >= 0 && n <= this.#frontier.size) return;
    const stored = (await this.store.latestCheckpoint())?.size ?? 0;
    const size = Math.max(this.#frontier.size, stored);
    if (!Number.isSafeInteger(n) || n < 0 || n > size) {
      throw new InputError(`tree size ${n} is beyond the log (size ${size})`, 'E_RANGE');
    }
  }

  /** The leaf text at `index`. */
  async entry(index: number): Promise<string> {
    const [leaf] = await this.store.getLeaves(index, index + 1);
    if (leaf === undefined)
      throw new NotFoundError(`log entry ${index} does not exist (log size ${this.size})`, 'E_NO_ENTRY');
    return leaf;
  }

  /**
   * Resolves once every write queued before the call has been committed or has failed. Unlike drain(), it does not
   * wait for writes queued after it, so it ends under a steady stream of requests too.
   */
  barrier(): Promise<void> {
    return this.#enqueue<void>(async () => async () => undefined);
  }

  /** Waits until every queued write is committed. */
  async drain(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) {
      if (!this.#flushing) this.#schedule();
      await this.#flushing;
    }
  }

  #enqueue<T>(prepare: Op['prepare']): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ prepare, resolve: resolve as (v: unknown) => void, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#flushing) return;
    this.#flushing = new Promise<void>((done) => setImmediate(done))
      .then(() => this.#flush())
      .finally(() => {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#schedule();
      });
  }

  async #flush(): Promise<void> {
    const ops = this.#queue.splice(0, MAX_BATCH);
    if (ops.length === 0) return;
    let optimistic = true;
    // A request refused in one attempt has had its answer: a redone batch must not carry it out after all (another
    // process's append may have made a refused withdrawal possible in the meantime).
    const refused = new Set<Op>();
    // Set while the batch holds the log against other processes' appends (LOCK_AFTER), until it is committed or failed.
    let unlock: (() => Promise<void>) | undefined;
    const letGo = async () => {
      const u = unlock;
      unlock = undefined;
      await u?.();
    };
    for (let attempt = 0; ; attempt++) {
      const ctx: BatchContext = {
        now: this.now(),
        frontier: this.#frontier.clone(),
        batch: { objections: new Map(), withdrawals: [], leaves: [], nodes: [] },
        fresh: new Map(),
        withdrawn: new Set(),
        optimistic,
        absent: [],
      };
      const finishers: ({ op: Op; finish: () => Promise<unknown> } | undefined)[] = [];
      for (const [i, op] of ops.entries()) {
        if (i > 0 && i % SLICE === 0) await nextTurn();
        if (refused.has(op)) continue;
        try {
          finishers.push({ op, finish: await op.prepare(ctx) });
        } catch (e) {
          op.reject(e);
          refused.add(op);
          finishers.push(undefined);
        }
      }
      try {
        const batch: CommitBatch = {
          ...ctx.batch,
          objections: [...ctx.batch.objections.values()],
          absent: ctx.absent,
        };
        if (batch.leaves.length > 0) {
          const size = ctx.frontier.size;
          const note = signCheckpoint({ origin: this.origin, size, root: ctx.frontier.root() }, this.#signer);
          const checkpoint = { size, note, created_at: ctx.now };
          const before = this.#frontier.edgeNodes();
          await this.store.commit({ ...batch, checkpoint });
          this.#onCheckpoint(note);
          this.#recent = {
            nodes: new Map([...before, ...batch.nodes].map((n) => [nodeKey(n.id), n.hash])),
            leaves: new Map(batch.leaves.map((l) => [l.index, l.leaf])),
            checkpoint,
          };
        } else if (batch.objections.length > 0) {
          await this.store.commit(batch);
        }
        this.#frontier = ctx.frontier;
        await letGo();
      } catch (e) {
        if (e instanceof EffectiveExistsError && optimistic) {
          // Someone in the batch has objected before: redo it with a lookup per request.
          optimistic = false;
          continue;
        }
        if (e instanceof LogConflictError && attempt < CONFLICT_ATTEMPTS) {
          // Another process appended: pick up its tree and redo this batch on top of it, after a pause of random
          // length, so that two busy servers of one registry (an overlapping deploy) take turns. Five attempts
          // without a pause failed about one request in 300 there. From the LOCK_AFTER-th on, the batch holds the log
          // instead, where the store can lock it: the busier process could win every turn.
          try {
            if (attempt + 1 >= LOCK_AFTER && this.store.lockLog) unlock ??= await this.store.lockLog();
            else await new Promise((r) => setTimeout(r, Math.random() * 2 ** Math.min(attempt, 6)));
            this.#frontier = await loadFrontier(this.store);
          } catch (reread) {
            // The database failed meanwhile: the batch fails with it, rather than leaving its callers unanswered (and
            // the flush's rejection unhandled, which ends the process).
            await letGo();
            for (const f of finishers) f?.op.reject(reread);
            return;
          }
          continue;
        }
        await letGo();
        for (const f of finishers) f?.op.reject(e);
        return;
      }
      for (const [i, f] of finishers.entries()) {
        if (i > 0 && i % SLICE === 0) await nextTurn();
        if (!f) continue;
        try {
          f.op.resolve(await f.finish());
        } catch (e) {
          f.op.reject(e);
        }
      }
      return;
    }
  }

  async #signLatest(): Promise<void> {
    const size = this.#frontier.size;
    const note = signCheckpoint({ origin: this.origin, size, root: this.#frontier.root() }, this.#signer);
    await this.store.commit({
      objections: [],
      withdrawals: [],
      leaves: [],
      nodes: [],
      checkpoint: { size, note, created_at: this.now() },
    });
    this.#onCheckpoint(note);
  }
}

/** A new objection row with a fresh id and salt: effective at `effectiveAt`, or pending when that is null. */
function newObjection(
  who: Who & { readonly account?: string },
  programme: string,
  req: ObjectionRequest,
  submittedAt: string,
  effectiveAt: string | null,
): ObjectionRow {
  return {
    id: newId('o'),
    subject: who.subject,
    scope: who.scope,
    programme,
    state: effectiveAt === null ? 'pending' : 'effective',
    channel: req.channel,
    submitted_at: submittedAt,
    effective_at: effectiveAt,
    withdrawn_at: null,
    reason: req.reason ?? null,
    salt: newSalt(),
    leaf_index: null,
    withdrawal_id: null,
    // Only a person-scope objection needs it: an account-scope one names the account as its subject.
    via_account: who.scope === 'person' ? (who.account ?? null) : null,
  };
}

function key(who: { subject: string; scope: Scope }, programme: string): string {
  return `${who.scope}\u0000${who.subject}\u0000${programme}`;
}

async function loadFrontier(store: Store): Promise<Frontier> {
  const size = await store.logSize();
  const ids = rangeNodes(0, size);
  const nodes = await store.getNodes(ids);
  return new Frontier(
    size,
    ids.map((id) => nodes.get(nodeKey(id)) as Hash),
  );
}
