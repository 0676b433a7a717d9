import type { Hash } from '../log/hash.ts';
import type { NodeId } from '../log/merkle.ts';
import { DissentError } from '../shared/errors.ts';
import type {
  AccountRow,
  CheckpointRow,
  ObjectionRow,
  SnapshotRow,
  SubjectEvent,
  TokenRow,
  TokenUse,
  WithdrawalRow,
} from './types.ts';

/** What an id names in the identity graph. */
/**
 * What a subject id names in the identity graph: an account (and its person), a person, or, when it is an account id
 * of one person and the id of another person as well, both (`otherPerson`).
 */
export type SubjectLookup =
  | { kind: 'account'; account: string; person: string; otherPerson?: string }
  | { kind: 'person'; person: string };

/** Everything one group commit writes, atomically: all of it is durable, or none of it. */
export interface CommitBatch {
  /** New or changed objections (upserted by id). */
  readonly objections: readonly ObjectionRow[];
  readonly withdrawals: readonly WithdrawalRow[];
  /** New log leaves, contiguous from the current size. */
  readonly leaves: readonly { readonly index: number; readonly leaf: string }[];
  /** Perfect-subtree hashes completed by those leaves. */
  readonly nodes: readonly { readonly id: NodeId; readonly hash: Hash }[];
  readonly checkpoint?: CheckpointRow;
  /**
   * Subjects that must have no effective objection to exactly the programme (one to `*` does not count) when the
   * commit starts; otherwise nothing is written and `commit` throws `EffectiveExistsError`. The registry files new
   * objections optimistically with these instead of one lookup per request, and redoes the batch with lookups when
   * the check fails.
   */
  readonly absent?: readonly {
    readonly subject: string;
    readonly scope: ObjectionRow['scope'];
    readonly programme: string;
  }[];
}

/**
 * The registry's storage. Callers never see SQL, so that SQLite (embedded) and PostgreSQL (server mode) can sit
 * behind it unchanged. Every method is async for the server-mode driver, even where SQLite answers at once.
 */
export interface Store {
  /** Creates or upgrades tables with the versioned migrations; returns the schema version. */
  migrate(): Promise<number>;
  close(): Promise<void>;

  /** Inserts or updates accounts in one transaction; returns how many existing accounts it gave another person. */
  upsertAccounts(rows: readonly AccountRow[]): Promise<{ moved: number }>;
  getAccount(account: string): Promise<AccountRow | undefined>;
  /** Accounts whose handle (without @) or e-mail equals `value` in any case and Unicode form (foldLookupKey). */
  findAccounts(value: string): Promise<AccountRow[]>;
  accountsOfPerson(person: string): Promise<AccountRow[]>;
  /**
   * What each id names in the identity graph, in input order: an account (with its person), a person, or nothing.
   * One read for the lot, so that a server can resolve every request of an event-loop turn at once.
   */
  lookupSubjects(ids: readonly string[]): Promise<(SubjectLookup | undefined)[]>;
  /** Streams the whole identity graph in batches, ordered by account. */
  iterateAccounts(batchSize?: number): AsyncIterable<AccountRow[]>;
  /**
   * Streams what a corpus build needs of the identity graph, ordered by account, as JSON Lines text: one object
   * `{account, person, handle, display_name, birth_date, country}` per account (nulls where unknown), up to
   * `batchSize` lines per chunk, each chunk ending in a newline. No e-mail addresses.
   */
  accountLines(batchSize?: number): AsyncIterable<string>;
  countAccounts(): Promise<{ accounts: number; persons: number }>;

  getObjection(id: string): Promise<ObjectionRow | undefined>;
  /** The effective objection of a subject that covers a programme: the same programme, or `*`. */
  findEffective(subject: string, scope: ObjectionRow['scope'], programme: string): Promise<ObjectionRow | undefined>;
  getWithdrawal(id: string): Promise<WithdrawalRow | undefined>;
  /** Objection counts by state, channel and programme, in that order (by code point), for metrics and summaries. */
  countObjections(): Promise<{ state: string; channel: string; programme: string; n: number }[]>;
  /**
   * Counts of the objections that cover `programme` (to it, or to `*`) by state, channel and lateness: whether they
   * were submitted after `deadline` (ISO 8601, as the registry writes times).
   */
  countObjectionsCovering(
    programme: string,
    deadline: string,
  ): Promise<{ state: string; channel: string; late: boolean; n: number }[]>;
  /** Every objection and withdrawal event with a log index below `size`, joined to its subject, in log order. */
  subjectEventsBefore(size: number): Promise<SubjectEvent[]>;

  /** The log's size and the hashes of its right edge (`rangeNodes(0, size)`), to resume appending. */
  logSize(): Promise<number>;
  getNodes(ids: readonly NodeId[]): Promise<Map<string, Hash>>;
  getLeaves(start: number, end: number): Promise<string[]>;
  latestCheckpoint(): Promise<CheckpointRow | undefined>;

  /** Writes a group commit atomically and durably. */
  commit(batch: CommitBatch): Promise<void>;
  /**
   * Where several processes append to one log (PostgreSQL): keeps the others from appending until the function it
   * returns is called, so that a batch prepared meanwhile on the log as reread cannot meet a LogConflictError. This
   * store's own commits in that time go ahead, one at a time. The registry takes it for a batch that found the log
   * grown under it, which a busier process could otherwise keep doing attempt after attempt.
   */
  lockLog?(): Promise<() => Promise<void>>;

  /** Stores a new link token (by hash). */
  createToken(token: Omit<TokenRow, 'used_at' | 'attempts'>): Promise<void>;
  /**
   * Deletes the pending objections that can no longer be confirmed, with their tokens: those whose every
   * confirmation link expired by `now`, and those without any link submitted before `linklessBefore` (a crash between
   * the two writes). A request nobody confirmed keeps neither the subject nor its free-text reason. Returns how many
   * objections went.
   */
  purgeUnconfirmed(now: string, linklessBefore: string): Promise<number>;
  /**
   * Marks a token used if it exists for `purpose`, is unused and unexpired at `now`; counts every attempt. Atomic. A
   * token made for another purpose is unknown here and stays as it is.
   */
  useToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenUse>;
  /**
   * The token's row if it exists for `purpose` and is unused and unexpired at `now`, without using it or counting an
   * attempt: what a mailed link's page shows before the person presses its button.
   */
  peekToken(tokenHash: Uint8Array, purpose: TokenRow['purpose'], now: string): Promise<TokenRow | undefined>;
  /** Makes a used token usable again: what it was used for failed before anything was written. */
  releaseToken(tokenHash: Uint8Array): Promise<void>;

  /** The objection an idempotency key already produced, with the hash of the request that used it. */
  getIdempotency(key: string): Promise<{ request_hash: string; objection_id: string } | undefined>;
  /** Remembers the objection an idempotency key produced; a key already stored is left as it is. */
  putIdempotency(key: string, requestHash: string, objectionId: string, now: string): Promise<void>;

  recordSnapshot(snapshot: SnapshotRow): Promise<void>;
  /** Snapshots, oldest first; of one programme when given. */
  listSnapshots(programme?: string): Promise<SnapshotRow[]>;
  /**
   * Writes a consistent copy of the whole registry to `file`, a new file readable by its owner only, while other
   * processes (a running server) keep committing; the copy holds every commit made before it began. Returns the
   * copy's log size.
   */
  backup(file: string): Promise<{ logSize: number }>;
}

/** Raised by `commit` when a subject listed in `absent` already has an effective objection to that programme. */
export class EffectiveExistsError extends DissentError {
  override name = 'EffectiveExistsError';
  constructor() {
    super('an objection in the batch is already covered by an effective one; retry with lookups', 'E_EFFECTIVE_EXISTS');
  }
}

/** Raised by `commit` when another writer appended to the log first; the caller reloads the tree and retries. */
export class LogConflictError extends DissentError {
  override name = 'LogConflictError';
  constructor() {
    super('the log grew under this writer; retry', 'E_LOG_CONFLICT');
  }
}
