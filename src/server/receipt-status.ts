import { decodeEvent } from '../log/event.ts';
import { type Receipt, verifyReceipt } from '../log/receipt.ts';
import type { SnapshotRow } from '../registry/types.ts';
import type { ServerContext } from './context.ts';
import type { StatusOutcome } from './views/status.ts';

/**
 * Whether a snapshot honours an objection: its registry cut includes the objection event, the programmes match
 * (or the objection is `*`), and the objection was not withdrawn before the cut.
 */
export function honours(
  snapshot: SnapshotRow,
  objection: { leaf_index: number; programme: string },
  withdrawalIndex: number | undefined,
): boolean {
  return (
    snapshot.cut_size > objection.leaf_index &&
    (objection.programme === '*' || snapshot.programme === objection.programme) &&
    (withdrawalIndex === undefined || snapshot.cut_size <= withdrawalIndex)
  );
}

/**
 * For each snapshot built over by a later one in the same folder (`dissent build --force`), the snapshot that replaced
 * it: the next one recorded there. Its files are gone, but it may have been trained on before.
 */
export function replacements(snapshots: readonly SnapshotRow[]): ReadonlyMap<string, SnapshotRow> {
  const ordered = snapshots.toSorted((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const latest = new Map<string, SnapshotRow>();
  const replaced = new Map<string, SnapshotRow>();
  for (const s of ordered) {
    const before = latest.get(s.out_dir);
    if (before) replaced.set(before.id, s);
    latest.set(s.out_dir, s);
  }
  return replaced;
}

/**
 * The status behind a receipt. The receipt must verify against this log's key, and its subject and salt must be
 * the registry's own, so that only the holder of a receipt can look an objection up.
 */
export async function receiptStatus(ctx: ServerContext, input: unknown): Promise<StatusOutcome> {
  const verdict = verifyReceipt(input, ctx.verifier, ctx.home.config.log.origin);
  if (!verdict.ok) return { kind: 'invalid' };
  const receipt = input as Receipt;
  const event = decodeEvent(receipt.leaf);
  const row = await ctx.store.getObjection(receipt.objection_id);
  if (!event || !row || row.subject !== receipt.subject || row.leaf_index === null) return { kind: 'unknown' };
  const withdrawal = row.withdrawal_id ? await ctx.store.getWithdrawal(row.withdrawal_id) : undefined;
  const owns =
    event.type === 'objection'
      ? row.salt === receipt.salt && row.leaf_index === receipt.leaf_index
      : withdrawal?.salt === receipt.salt && withdrawal.leaf_index === receipt.leaf_index;
  if (!owns) return { kind: 'unknown' };
  const snapshots = await ctx.store.listSnapshots();
  const objection = { leaf_index: row.leaf_index, programme: row.programme };
  const covered = snapshots.filter((s) => row.programme === '*' || s.programme === row.programme);
  return {
    kind: 'found',
    state: row.state,
    // A fresh receipt from the registry, never the one posted: its `late` map is not covered by the signature, and
    // an old receipt for `*` lacks the programmes added since.
    receipt: await ctx.registry.objectionReceipt(row),
    submittedAt: row.submitted_at,
    withdrawnAt: row.withdrawn_at,
    honouredBy: covered.filter((s) => honours(s, objection, withdrawal?.leaf_index)),
    // Where the content may have gone: a snapshot of a covered programme cut before the objection entered the log
    // (even one finished after it was submitted) or after its withdrawal.
    builtWithout: covered.filter((s) => !honours(s, objection, withdrawal?.leaf_index)),
    replacedBy: replacements(snapshots),
  };
}
