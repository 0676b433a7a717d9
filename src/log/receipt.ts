import { openCheckpoint } from './checkpoint.ts';
import { decodeEvent, type LogEvent, type Scope, subjectCommitment } from './event.ts';
import { fromBase64, type Hash, hashLeaf, toBase64 } from './hash.ts';
import { NoteError, type Verifier } from './note.ts';
import { verifyInclusion } from './proofs.ts';

/** A receipt: everything needed to check offline that an objection is in the signed log and belongs to its subject. */
export interface Receipt {
  readonly v: 1;
  readonly objection_id: string;
  readonly subject: string;
  readonly salt: string;
  readonly programme: string;
  readonly scope: Scope;
  /** For each programme the objection covers: whether it was filed after that programme's deadline. */
  readonly late: Readonly<Record<string, boolean>>;
  readonly leaf: string;
  readonly leaf_index: number;
  readonly checkpoint: string;
  readonly inclusion_proof: readonly string[];
}

/** Assembles a receipt; proof hashes are base64-encoded. */
export function makeReceipt(fields: Omit<Receipt, 'v' | 'inclusion_proof'> & { proof: readonly Hash[] }): Receipt {
  const { proof, ...rest } = fields;
  return { v: 1, ...rest, inclusion_proof: proof.map(toBase64) };
}

/** One named check of a verification and whether it passed. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The outcome of verifying a receipt: ok only when every check passed. */
export interface ReceiptVerdict {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly size?: number;
  /**
   * What the signed leaf records, when the receipt is valid: an objection, or the withdrawal of one (a withdrawal's
   * receipt proves the same way), for which programme, and for the person or one account only. Verifiers show it,
   * so that a withdrawal is never taken for an objection, nor one account's objection for the whole person's; and
   * its signed submission time, which decides lateness where the receipt's own `late` is not signed.
   */
  readonly event?: Pick<LogEvent, 'type' | 'programme' | 'scope' | 'submitted_at'>;
}

/**
 * Checks a receipt offline against a verifier key: its shape, the subject commitment, the signed checkpoint and the
 * inclusion proof. Never throws on bad input; it reports which check failed.
 */
export function verifyReceipt(input: unknown, verifier: Verifier, expectedOrigin?: string): ReceiptVerdict {
  const checks: Check[] = [];
  const fail = (name: string, detail: string): ReceiptVerdict => ({
    ok: false,
    checks: [...checks, { name, ok: false, detail }],
  });
  if (typeof input !== 'object' || input === null) return fail('format', 'the receipt is not a JSON object');
  const r = input as Partial<Record<keyof Receipt, unknown>>;
  if (r.v !== 1) return fail('format', 'unknown receipt version (expected "v": 1)');
  for (const k of ['objection_id', 'subject', 'salt', 'programme', 'scope', 'leaf', 'checkpoint'] as const) {
    if (typeof r[k] !== 'string') return fail('format', `field "${k}" is missing or not a string`);
  }
  if (!Number.isSafeInteger(r.leaf_index) || (r.leaf_index as number) < 0) {
    return fail('format', 'field "leaf_index" is not a non-negative integer');
  }
  if (!Array.isArray(r.inclusion_proof) || !r.inclusion_proof.every((p) => typeof p === 'string')) {
    return fail('format', 'field "inclusion_proof" is not an array of base64 strings');
  }
  if (typeof r.late !== 'object' || r.late === null || !Object.values(r.late).every((x) => typeof x === 'boolean')) {
    return fail('format', 'field "late" is not a map of programme to true/false');
  }
  checks.push({ name: 'format', ok: true });

  const event = decodeEvent(r.leaf as string);
  if (!event) return fail('leaf', 'the leaf is not a canonical dissent log event');
  if (event.id !== r.objection_id || event.programme !== r.programme || event.scope !== r.scope) {
    return fail('leaf', 'the leaf does not match the receipt (id, programme or scope differ)');
  }
  checks.push({ name: 'leaf', ok: true, detail: describeEvent(event) });

  if (subjectCommitment(r.salt as string, r.subject as string) !== event.subject_commitment) {
    return fail('subject', 'the subject and salt do not match the commitment in the leaf');
  }
  checks.push({ name: 'subject', ok: true });

  let cp: ReturnType<typeof openCheckpoint>;
  try {
    cp = openCheckpoint(r.checkpoint as string, verifier, expectedOrigin);
  } catch (e) {
    return fail('checkpoint', e instanceof NoteError ? e.message : 'the checkpoint cannot be read');
  }
  checks.push({
    name: 'checkpoint',
    ok: true,
    detail: `log ${cp.origin}, signed by ${verifier.name}, size ${cp.size}`,
  });

  let proof: Uint8Array[];
  try {
    proof = (r.inclusion_proof as string[]).map(fromBase64);
  } catch {
    return fail('inclusion', 'a proof hash is not base64');
  }
  const index = r.leaf_index as number;
  if (index >= cp.size)
    return fail('inclusion', `leaf index ${index} is not covered by the checkpoint (size ${cp.size})`);
  if (!verifyInclusion(hashLeaf(r.leaf as string), index, cp.size, proof, cp.root)) {
    return fail('inclusion', 'the inclusion proof does not lead to the checkpoint root');
  }
  checks.push({ name: 'inclusion', ok: true, detail: `leaf ${index} of ${cp.size}` });
  return {
    ok: true,
    checks,
    size: cp.size,
    event: { type: event.type, programme: event.programme, scope: event.scope, submitted_at: event.submitted_at },
  };
}

/** What a leaf records, in words: `a WITHDRAWAL of an objection to programme p (person scope), submitted …`. */
function describeEvent(e: LogEvent): string {
  const to = e.programme === '*' ? 'all current and future AI training' : `programme ${e.programme}`;
  const what = e.type === 'withdrawal' ? `a WITHDRAWAL of an objection to ${to}` : `an objection to ${to}`;
  return `${what} (${e.scope} scope), submitted ${e.submitted_at}`;
}
