import type Database from 'better-sqlite3';

/** A group commit as flat arrays (see _commit-apply.mjs). */
export interface PackedBatch {
  readonly expectedSize: number | null;
  /** subject, scope, programme, for each subject that must have no covering effective objection. */
  readonly absent: string[];
  readonly leafIndex: number[];
  readonly leafText: string[];
  readonly nodeLevel: number[];
  readonly nodeIndex: number[];
  /** 32 bytes per node, in the order of nodeLevel. */
  readonly nodeHashes: Uint8Array;
  /** OBJECTION_WIDTH values per row, in the column order of the upsertObjection statement. */
  readonly objections: unknown[];
  /** WITHDRAWAL_WIDTH values per row, in the column order of the insertWithdrawal statement. */
  readonly withdrawals: unknown[];
  readonly checkpoint: [size: number, note: string, created_at: string] | null;
}

export type CommitStatements = Record<
  | 'logSize'
  | 'sameEffective'
  | 'insertLeaf'
  | 'insertNode'
  | 'upsertObjection'
  | 'insertWithdrawal'
  | 'insertCheckpoint',
  Database.Statement
>;

export declare const EXISTS: unique symbol;
export declare const OBJECTION_WIDTH: 14;
export declare const WITHDRAWAL_WIDTH: 9;
export declare function applyCommit(statements: CommitStatements, batch: PackedBatch): 'ok' | 'conflict';
