import type { Signer } from '../log/note.ts';
import { signNote } from '../log/note.ts';

/** An input as the manifest pins it. */
export interface ManifestInput {
  readonly path: string;
  readonly format: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Records and quarantined lines read from it (blank lines are not counted). */
  readonly read: number;
  /** For a platform export: its format, owner and the conversion's counts. */
  readonly export?:
    | { readonly format: string; readonly account: string; readonly converted_sha256: string }
    | undefined;
}

/** The signed description of a snapshot (DESIGN.md, "snapshot"): what went in, what came out, and why. */
export interface Manifest {
  readonly v: 1;
  readonly type: 'dissent-snapshot';
  readonly snapshot: string;
  readonly created_at: string;
  readonly programme: {
    readonly id: string;
    readonly title: string;
    readonly purpose: string;
    readonly legal_basis: string;
    readonly deadline: string;
    /** What the programme was announced for; the policy's jurisdictions are narrowed to these. */
    readonly jurisdictions?: readonly string[];
  };
  readonly policy: { readonly file: string; readonly sha256: string; readonly text: string };
  /** `taken_at`: when the build pinned the cut; a record dated later has its author's age judged at that time. */
  readonly cut: { readonly size: number; readonly checkpoint: string; readonly taken_at?: string };
  readonly inputs: readonly ManifestInput[];
  /** read = kept + Σ excluded + quarantined, always. */
  readonly counts: {
    readonly read: number;
    readonly kept: number;
    readonly excluded: Readonly<Record<string, number>>;
    readonly quarantined: number;
    readonly quarantined_by_reason: Readonly<Record<string, number>>;
  };
  readonly shards: readonly {
    readonly path: string;
    readonly sha256: string;
    readonly rows: number;
    readonly bytes: number;
  }[];
  readonly lineage: { readonly path: string; readonly sha256: string };
  readonly quarantine: { readonly path: string; readonly sha256: string };
  readonly merkle: {
    readonly algorithm: string;
    readonly record_hash: string;
    readonly size: number;
    readonly root: string;
  };
  readonly options: { readonly shard_rows: number; readonly max_line_bytes: number };
  readonly tool: { readonly name: 'dissent'; readonly version: string };
  readonly timings_ms: Readonly<Record<string, number>>;
}

/** Describes the record hash and the Merkle tree, so that an auditor can recompute the root from the shards. */
export const MERKLE_ALGORITHM = 'RFC 6962 SHA-256 over leaves 0x00||record_hash, in shard order';

/** How each record hash is made (see record-hash.ts). */
export const RECORD_HASH_SPEC =
  'sha256 of "<bytes>:<value>\\n" for id, source, kind, created_at (YYYY-MM-DDTHH:MM:SS.ffffffZ), lang, text';

/** The manifest as written: pretty JSON with a trailing newline (its sha256 is what gets signed). */
export function formatManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The signed note over a manifest: its sha256, the snapshot id and the programme, signed with the programme key. */
export function signManifest(m: Manifest, manifestSha256: string, signer: Signer): string {
  return signNote(`dissent-snapshot-manifest v1\n${m.programme.id}\n${m.snapshot}\nsha256:${manifestSha256}\n`, signer);
}
