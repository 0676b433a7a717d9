import type { z } from 'zod';
import { InputError } from '../shared/errors.ts';
import type {
  CanonicalRecord,
  ConvertSummary,
  ExportFormat,
  QuarantineEntry,
  ReadExportOptions,
  Visibility,
} from './types.ts';

/** Quarantine entries for one file before the rest of it is given up. */
export const MAX_BAD_PER_FILE = 10_000;

/**
 * Quarantine entries for a whole export before it is refused: the per-file cap alone lets a zip of many small files
 * of bad items yield millions of entries, which a build holds in memory.
 */
export const MAX_BAD_PER_EXPORT = 100_000;

/** Distinct unknown field names reported one by one. */
const MAX_UNKNOWN_FIELDS = 100;

/** The running state of one conversion: options, counters, and the quarantine callback. */
export class ReaderContext {
  readonly format: ExportFormat;
  readonly account: string;
  readonly visibility: Visibility | undefined;
  readonly signal: AbortSignal | undefined;
  filesRead = 0;
  records = 0;
  quarantined = 0;
  readonly skipped: Record<string, number> = {};
  readonly unknownFields: Record<string, number> = {};
  readonly noindex = new Set<string>();
  /** The archive owner's display name, when the export states it (Meta profile files); used to attribute messages. */
  ownerName: string | null = null;
  /**
   * Whether the export is Messenger's secure-storage download (its chats at the root, see isSecureStorageChat), whose
   * `media/` folder holds what was sent in end-to-end-encrypted chats: never opened, whatever the files are named.
   */
  secureStorage = false;
  readonly #onQuarantine: ReadExportOptions['onQuarantine'];
  readonly #bad = new Map<string, number>();
  #unknownNames = 0;

  constructor(opts: ReadExportOptions) {
    this.format = opts.format;
    this.account = opts.account;
    this.visibility = opts.visibility;
    this.signal = opts.signal;
    this.#onQuarantine = opts.onQuarantine;
  }

  /** Counts `n` items left out on purpose for `reason`. */
  skip(reason: string, n = 1): void {
    if (n > 0) this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }

  /**
   * Records a bad item or file; `detail` must never contain content from the export. After MAX_BAD_PER_FILE entries for
   * one file, one `too_many_bad_items` entry stands for the rest of it, which is not read (see gaveUp): a few kilobytes
   * of zip can hold millions of bad items, each an entry to write and, in a build, to hold in memory.
   */
  quarantine(file: string, line: number, reason: string, detail?: string): void {
    const n = this.#bad.get(file) ?? 0;
    if (n >= MAX_BAD_PER_FILE) return;
    if (this.quarantined >= MAX_BAD_PER_EXPORT) {
      throw new InputError(
        `more than ${MAX_BAD_PER_EXPORT.toLocaleString('en-US')} bad items in this ${this.format} export: check --format, or whether the export is damaged; nothing was converted`,
        'E_TOO_MANY_BAD',
      );
    }
    this.#bad.set(file, n + 1);
    this.#emit(detail === undefined ? { file, line, reason } : { file, line, reason, detail });
    if (n + 1 === MAX_BAD_PER_FILE) {
      this.#emit({
        file,
        line: 0,
        reason: 'too_many_bad_items',
        detail: `${MAX_BAD_PER_FILE} bad items in this file: the rest of it was not read`,
      });
    }
  }

  /** Whether a file had so many bad items that the rest of it is left unread. */
  gaveUp(file: string): boolean {
    return (this.#bad.get(file) ?? 0) >= MAX_BAD_PER_FILE;
  }

  #emit(q: QuarantineEntry): void {
    this.quarantined++;
    this.#onQuarantine?.(q);
  }

  /** Quarantines an item that failed its schema, naming the field paths that were wrong but no values. */
  quarantineInvalid(file: string, index: number, error: z.ZodError): void {
    const fields = error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).slice(0, 3);
    this.quarantine(file, 0, 'bad_item', `item ${index}: ${fields.join('; ')}`);
  }

  /**
   * Counts the keys of `item` that the reader does not know, under `kind.key`. Past MAX_UNKNOWN_FIELDS names, further
   * ones are counted together under `kind.(other)`: a platform adds a few fields, while a file of a million made-up
   * keys is not a format change to list name by name.
   */
  noteUnknown(kind: string, item: object, known: ReadonlySet<string>): void {
    for (const key of Object.keys(item)) {
      if (known.has(key)) continue;
      let name = `${kind}.${key}`;
      if (!(name in this.unknownFields) && this.#unknownNames >= MAX_UNKNOWN_FIELDS) name = `${kind}.(other)`;
      if (!(name in this.unknownFields)) this.#unknownNames++;
      this.unknownFields[name] = (this.unknownFields[name] ?? 0) + 1;
    }
  }

  /** Throws the abort reason when the caller's signal has fired. */
  checkAborted(): void {
    this.signal?.throwIfAborted();
  }

  /** The counts so far. */
  summary(): ConvertSummary {
    return {
      format: this.format,
      filesRead: this.filesRead,
      records: this.records,
      skipped: { ...this.skipped },
      quarantined: this.quarantined,
      noindexAccounts: [...this.noindex],
      unknownFields: { ...this.unknownFields },
    };
  }
}

/** Builds a record with its keys in the canonical order of DESIGN.md. */
export function makeRecord(r: Omit<CanonicalRecord, 'e2ee'>): CanonicalRecord {
  return {
    id: r.id,
    source: r.source,
    kind: r.kind,
    account: r.account,
    created_at: r.created_at,
    visibility: r.visibility,
    // Content from end-to-end-encrypted threads is never read, so nothing emitted is ever e2ee.
    e2ee: false,
    text: r.text,
    participants: r.participants,
    parent: r.parent,
  };
}

/**
 * A user's turn in an AI-assistant chat export (ChatGPT, Claude): assistant chats count as public unless the caller
 * says otherwise, as in Meta's 2025 programme.
 */
export function makeAssistantTurn(
  ctx: Pick<ReaderContext, 'account' | 'visibility'>,
  turn: { id: string; createdAt: string; text: string; parent: string | null },
): CanonicalRecord {
  return makeRecord({
    id: turn.id,
    source: 'assistant',
    kind: 'assistant_chat',
    account: ctx.account,
    created_at: turn.createdAt,
    visibility: ctx.visibility ?? 'public',
    text: turn.text,
    participants: [],
    parent: turn.parent,
  });
}

/** The known keys of a zod object schema, for unknown-field counting. */
export function keysOf(schema: { shape: object }): ReadonlySet<string> {
  return new Set(Object.keys(schema.shape));
}
