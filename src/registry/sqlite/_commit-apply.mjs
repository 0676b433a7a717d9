// One group commit's writes, shared by the main thread and the SQLite writer thread (plain JavaScript, so that the
// worker can load it without a TypeScript loader). A batch travels as a few flat arrays and one buffer of node hashes:
// a structured clone of that costs a fraction of one of an object per row.

/** Thrown inside the transaction so that it rolls back: a subject the batch assumed free has an effective objection. */
export const EXISTS = Symbol('exists');

/** Columns per objection row, and per withdrawal row, in the flat arrays. */
export const OBJECTION_WIDTH = 14;
export const WITHDRAWAL_WIDTH = 9;

/**
 * Runs a packed batch's statements; call it inside an IMMEDIATE transaction. Returns 'conflict' (nothing written)
 * when the log is not at the size the batch expects, throws EXISTS when a subject in `absent` has an effective
 * objection, and returns 'ok' otherwise.
 */
export function applyCommit(s, b) {
  if (b.expectedSize !== null && s.logSize.get().n !== b.expectedSize) return 'conflict';
  // The checks come first: they must see the store as it was before this batch.
  for (let i = 0; i < b.absent.length; i += 3) {
    if (s.sameEffective.get(b.absent[i], b.absent[i + 1], b.absent[i + 2]) !== undefined) throw EXISTS;
  }
  for (let i = 0; i < b.leafIndex.length; i++) s.insertLeaf.run(b.leafIndex[i], b.leafText[i]);
  const hashes = Buffer.isBuffer(b.nodeHashes)
    ? b.nodeHashes
    : Buffer.from(b.nodeHashes.buffer, b.nodeHashes.byteOffset, b.nodeHashes.byteLength);
  for (let i = 0; i < b.nodeLevel.length; i++) {
    s.insertNode.run(b.nodeLevel[i], b.nodeIndex[i], hashes.subarray(i * 32, i * 32 + 32));
  }
  for (let i = 0; i < b.objections.length; i += OBJECTION_WIDTH) {
    s.upsertObjection.run(b.objections.slice(i, i + OBJECTION_WIDTH));
  }
  for (let i = 0; i < b.withdrawals.length; i += WITHDRAWAL_WIDTH) {
    s.insertWithdrawal.run(b.withdrawals.slice(i, i + WITHDRAWAL_WIDTH));
  }
  if (b.checkpoint) s.insertCheckpoint.run(b.checkpoint);
  return 'ok';
}
