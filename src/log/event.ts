import { sha256Hex } from './hash.ts';

/** Which subjects an objection covers: a person with all linked accounts, or one account. */
export type Scope = 'person' | 'account';

/** One entry of the transparency log. It never holds a subject id, e-mail or name. */
export interface LogEvent {
  readonly v: 1;
  readonly type: 'objection' | 'withdrawal';
  readonly id: string;
  /** A programme id, or `*` for all current and future programmes. */
  readonly programme: string;
  readonly scope: Scope;
  readonly subject_commitment: string;
  readonly submitted_at: string;
  readonly effective_at: string;
}

/** The salted subject commitment: hex(sha256("dissent-subject-v1\n" + salt + "\n" + subject)). */
export function subjectCommitment(salt: string, subject: string): string {
  return sha256Hex(`dissent-subject-v1\n${salt}\n${subject}`);
}

/**
 * The exact leaf text of an event: its canonical JSON, written out for the event's fixed keys in sorted order (a
 * test checks it against `canonicalJson`, which costs twice as much on every objection).
 */
export function encodeEvent(e: LogEvent): string {
  const q = JSON.stringify;
  return `{"effective_at":${q(e.effective_at)},"id":${q(e.id)},"programme":${q(e.programme)},"scope":${q(e.scope)},"subject_commitment":${q(e.subject_commitment)},"submitted_at":${q(e.submitted_at)},"type":${q(e.type)},"v":${q(e.v)}}`;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Parses and checks a leaf; returns undefined when it is not a well-formed, canonical event. */
export function decodeEvent(leaf: string): LogEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(leaf);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const e = v as Record<string, unknown>;
  const keys = Object.keys(e).sort().join(',');
  if (keys !== 'effective_at,id,programme,scope,subject_commitment,submitted_at,type,v') return undefined;
  if (e.v !== 1 || (e.type !== 'objection' && e.type !== 'withdrawal')) return undefined;
  if (e.scope !== 'person' && e.scope !== 'account') return undefined;
  for (const k of ['id', 'programme', 'subject_commitment', 'submitted_at', 'effective_at']) {
    if (typeof e[k] !== 'string') return undefined;
  }
  if (!ISO.test(e.submitted_at as string) || !ISO.test(e.effective_at as string)) return undefined;
  if (!/^[0-9a-f]{64}$/.test(e.subject_commitment as string)) return undefined;
  const event = e as unknown as LogEvent;
  return encodeEvent(event) === leaf ? event : undefined;
}
