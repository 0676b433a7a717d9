import type Database from 'better-sqlite3';
import type { TokenRow, TokenUse } from '../types.ts';

/** A position in the purge's walk over pending requests. */
export interface PurgeCursor {
  readonly at: string;
  readonly id: string;
}

/** One small write (see _writes.mjs), as a message the writer thread can take. */
export type Write =
  | { readonly type: 'createToken'; readonly token: Omit<TokenRow, 'used_at' | 'attempts'> }
  | {
      readonly type: 'useToken';
      readonly tokenHash: Uint8Array;
      readonly purpose: TokenRow['purpose'];
      readonly now: string;
    }
  | { readonly type: 'releaseToken'; readonly tokenHash: Uint8Array }
  | {
      readonly type: 'putIdempotency';
      readonly key: string;
      readonly requestHash: string;
      readonly objectionId: string;
      readonly now: string;
    }
  | {
      readonly type: 'purgePage';
      readonly after: PurgeCursor;
      readonly now: string;
      readonly linklessBefore: string;
    };

/** What each write returns. */
export interface WriteResult {
  createToken: undefined;
  useToken: TokenUse;
  releaseToken: undefined;
  putIdempotency: undefined;
  purgePage: { purged: number; next: PurgeCursor | null };
}

export declare const PURGE_PAGE: 500;
export declare const WRITE_SQL: Record<keyof WriteStatements, string>;
export type WriteStatements = Record<
  | 'insertToken'
  | 'getToken'
  | 'countAttempt'
  | 'markUsed'
  | 'releaseToken'
  | 'putIdempotency'
  | 'pendingPage'
  | 'dropTokens'
  | 'dropPending',
  Database.Statement
>;
export declare function applyWrite<W extends Write>(statements: WriteStatements, write: W): WriteResult[W['type']];
