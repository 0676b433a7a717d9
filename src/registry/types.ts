import type { Scope } from '../log/event.ts';

/** One account of the operator's identity graph. */
export interface AccountRow {
  readonly account: string;
  readonly person: string;
  readonly source: string;
  readonly handle: string | null;
  readonly display_name: string | null;
  readonly email: string | null;
  /** ISO date `YYYY-MM-DD`, or null when unknown. */
  readonly birth_date: string | null;
  /** ISO 3166-1 alpha-2 country code, or null when unknown. */
  readonly country: string | null;
}

/** Where an objection came from. */
export type Channel = 'cli' | 'api' | 'web';

/** An objection's state: waiting for identity confirmation, in force, or taken back. */
export type ObjectionState = 'pending' | 'effective' | 'withdrawn';

/** An objection as the registry stores it. `subject` is a person id (scope person) or an account id. */
export interface ObjectionRow {
  readonly id: string;
  readonly subject: string;
  readonly scope: Scope;
  readonly programme: string;
  readonly state: ObjectionState;
  readonly channel: Channel;
  readonly submitted_at: string;
  readonly effective_at: string | null;
  readonly withdrawn_at: string | null;
  readonly reason: string | null;
  /** Hex salt of the commitment in the objection's log leaf. */
  readonly salt: string;
  /** Log index of the objection event, once it is effective. */
  readonly leaf_index: number | null;
  readonly withdrawal_id: string | null;
  /** For a person-scope objection filed through one of the person's accounts: that account. */
  readonly via_account: string | null;
}

/** A withdrawal of an effective objection; it has its own log event, salt and receipt. */
export interface WithdrawalRow {
  readonly id: string;
  readonly objection_id: string;
  readonly subject: string;
  readonly scope: Scope;
  readonly programme: string;
  readonly channel: Channel;
  readonly submitted_at: string;
  readonly salt: string;
  readonly leaf_index: number;
}

/** A signed checkpoint as stored. */
export interface CheckpointRow {
  readonly size: number;
  readonly note: string;
  readonly created_at: string;
}

/** A log event joined back to its subject, as a corpus build needs it to honour objections inside a cut. */
export interface SubjectEvent {
  readonly leaf_index: number;
  readonly type: 'objection' | 'withdrawal';
  readonly objection_id: string;
  readonly subject: string;
  readonly scope: Scope;
  readonly programme: string;
  readonly submitted_at: string;
  /** The account a person-scope objection was filed through (null for withdrawals and other objections). */
  readonly via_account: string | null;
}

/** A single-use link token (stored only as its SHA-256) that confirms or withdraws an objection. */
export interface TokenRow {
  readonly token_hash: Uint8Array;
  readonly objection_id: string;
  readonly purpose: 'confirm' | 'withdraw';
  readonly expires_at: string;
  readonly used_at: string | null;
  readonly attempts: number;
}

/**
 * Why a token was refused, or the token when it was accepted. A token used before comes with its row, and whether
 * it has expired since: a second press of the same button may be shown its first result.
 */
export type TokenUse =
  | { readonly ok: true; readonly token: TokenRow }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' }
  | { readonly ok: false; readonly reason: 'used'; readonly token: TokenRow; readonly expired: boolean };

/** A corpus snapshot recorded in the registry. */
export interface SnapshotRow {
  readonly id: string;
  readonly programme: string;
  readonly cut_size: number;
  readonly manifest_sha256: string;
  readonly out_dir: string;
  readonly records_kept: number;
  readonly created_at: string;
}

/** The longest reason an objection keeps, in UTF-16 code units (what a browser's maxlength counts). */
export const MAX_REASON_CHARS = 2000;
