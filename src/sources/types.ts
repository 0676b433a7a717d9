/** The input formats dissent reads; `jsonl` is the canonical schema, the rest are platform exports. */
export type SourceFormat = 'jsonl' | 'facebook' | 'instagram' | 'mastodon' | 'chatgpt' | 'claude' | 'whatsapp';

/** The platform export formats, i.e. every format except the canonical JSONL. */
export type ExportFormat = Exclude<SourceFormat, 'jsonl'>;

/** Every export format name, in the order the CLI lists them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = [
  'facebook',
  'instagram',
  'mastodon',
  'chatgpt',
  'claude',
  'whatsapp',
];

/** Who could see a record on the platform it came from. */
export type Visibility = 'public' | 'unlisted' | 'followers' | 'friends' | 'private';

/** One piece of content in the canonical schema of DESIGN.md; keys are always written in this order. */
export interface CanonicalRecord {
  id: string;
  source: string;
  kind: string;
  account: string;
  created_at: string;
  visibility: Visibility;
  e2ee: boolean;
  text: string;
  participants: string[];
  parent: string | null;
}

/** A bad item or file of an export; `file` is the path inside the export and `line` is 0 when not line-based. */
export interface QuarantineEntry {
  file: string;
  line: number;
  /** A stable reason code such as `invalid_json`, `invalid_utf8`, `bad_item` or `bad_timestamp`. */
  reason: string;
  /** What exactly was wrong, for a human; never contains content from the export. */
  detail?: string;
}

/** The counts of one conversion: every file read and every item skipped or quarantined is counted. */
export interface ConvertSummary {
  format: ExportFormat;
  /** Files of the export that were opened and parsed. */
  filesRead: number;
  /** Records emitted. */
  records: number;
  /** Items and files left out on purpose, by reason code (e.g. `e2ee`, `boost`, `no_text`, `file_not_used`). */
  skipped: Record<string, number>;
  /** Quarantine entries raised (bad items and unreadable files). */
  quarantined: number;
  /** Accounts whose archive says they do not want to be indexed (Mastodon `indexable: false`), for the operator. */
  noindexAccounts: string[];
  /** Fields the reader does not know, as `itemkind.field` -> times seen; a sign that the platform changed its format. */
  unknownFields: Record<string, number>;
}

/** Options for reading one export. */
export interface ReadExportOptions {
  format: ExportFormat;
  /** A zip, a tar.gz/tar, a folder, or a single file of the export. */
  path: string;
  /** The canonical account id of the archive owner, e.g. `fb:a:42`. */
  account: string;
  /**
   * Visibility for Facebook and Instagram posts and comments, whose exports do not say who could see them.
   * Defaults to `friends` (Facebook) and `followers` (Instagram), so that nothing is assumed public by accident.
   */
  visibility?: Visibility;
  signal?: AbortSignal;
  onQuarantine?: (q: QuarantineEntry) => void;
}
