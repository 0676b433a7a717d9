import { DissentError, InputError } from '../shared/errors.ts';
import { type ExportContainer, type ExportEntry, openContainer } from './_container.ts';
import { ReaderContext } from './_context.ts';
import { readHead, streamJson } from './_json-stream.ts';
import {
  type FormatReader,
  inSecureStorageMedia,
  isE2eePath,
  isMetaThreadFile,
  isSecureStorageChat,
} from './_reader.ts';
import { chatgpt } from './chatgpt.ts';
import { claude } from './claude.ts';
import { facebook } from './facebook.ts';
import { instagram } from './instagram.ts';
import { mastodon } from './mastodon.ts';
import type { CanonicalRecord, ConvertSummary, ExportFormat, ReadExportOptions } from './types.ts';
import { isWhatsAppFileName, looksLikeWhatsApp, refuseWhatsApp } from './whatsapp.ts';

const READERS: Readonly<Record<Exclude<ExportFormat, 'whatsapp'>, FormatReader>> = {
  facebook,
  instagram,
  mastodon,
  chatgpt,
  claude,
};

/** The streaming result of reading an export. */
export interface ExportReading {
  /** The records, one pass only; iterating drives the whole read. */
  records: AsyncIterable<CanonicalRecord>;
  /** Settles once `records` has been iterated to the end; rejects with the error that stopped it. */
  summary: Promise<ConvertSummary>;
}

// Text files are never content in any supported export, so each one is checked for being a WhatsApp chat.
function isTextFile(path: string): boolean {
  return /\.txt$/i.test(path);
}

async function refuseIfWhatsApp(entry: ExportEntry, format: ExportFormat): Promise<void> {
  if (isWhatsAppFileName(entry.path)) throw refuseWhatsApp(format);
  if (entry.special) return; // never opened; reported when it is reached
  let head: string;
  try {
    head = await readHead(entry);
  } catch {
    return; // unreadable text file: not content either way, counted as not used
  }
  if (looksLikeWhatsApp(head)) throw refuseWhatsApp(format);
}

async function* readEntry(entry: ExportEntry, reader: FormatReader, ctx: ReaderContext, seen: Set<string>) {
  ctx.checkAborted();
  if (seen.has(entry.path)) {
    // A zip or tar can hold one name twice; reading both would give every record twice, under the same ids.
    ctx.quarantine(
      entry.path,
      0,
      'duplicate_entry',
      'the archive holds this name more than once; only the first is read',
    );
    return;
  }
  seen.add(entry.path);
  if (isE2eePath(entry.path) || (ctx.secureStorage && inSecureStorageMedia(entry.path))) {
    ctx.skip('e2ee'); // an end-to-end-encrypted thread file, or what was sent in one: counted, never opened
    return;
  }
  if (entry.special) {
    // Reported rather than dropped without a word, since it may stand for a file of content; never followed.
    const what = {
      symlink: 'a symbolic link',
      hardlink: 'a hard link',
      other: 'a device, pipe or other special entry',
    }[entry.special];
    ctx.quarantine(entry.path, 0, 'not_a_file', `${what}, not a regular file: not followed and not read`);
    return;
  }
  const handler = isTextFile(entry.path) ? null : reader.route(entry.path);
  if (!handler) {
    ctx.skip(isSecureStorageChatOf(entry.path, reader, ctx.format) ? 'e2ee' : 'file_not_used');
    return;
  }
  ctx.filesRead++;
  for await (const record of handler(entry, ctx)) {
    ctx.records++;
    yield record;
  }
}

/**
 * Paths only one of Meta's two exports has. Their readers take the same Messenger-style thread files, so an Instagram
 * export read as Facebook (or the other way round) would yield records labelled with the wrong platform. `mark` gives
 * the folder or file name that tells, never the rest of the path (a Messenger folder name can be a person's name);
 * `weak` marks tell only in an export that has no other mark of either.
 */
const META_MARKS: Readonly<
  Record<
    'facebook' | 'instagram',
    { name: string; mark: (path: string) => string | null; weak?: (path: string) => string | null }
  >
> = {
  facebook: {
    name: 'a Facebook',
    mark: (path) =>
      /(^|\/)(your_facebook_activity|your_activity_across_facebook)\//.exec(path)?.[2] ??
      /(^|\/)(your_posts[^/]*|profile_information)\.json$/.exec(path)?.[2] ??
      null,
    // Messenger's own folders, which a Messenger-only download of the old layout has beside `messages/inbox/`.
    weak: (path) => /(^|\/)messages\/(archived_threads|filtered_threads|stickers_used)\//.exec(path)?.[2] ?? null,
  },
  instagram: {
    name: 'an Instagram',
    mark: (path) =>
      /(^|\/)(your_instagram_activity)\//.exec(path)?.[2] ??
      /(^|\/)(posts_\d+|personal_information)\.json$/.exec(path)?.[2] ??
      null,
  },
};

/** The first mark of `platform` among `paths`, weak marks included unless `strong` is set. */
function markOf(paths: readonly string[], platform: 'facebook' | 'instagram', strong = false): string | null {
  const { mark, weak } = META_MARKS[platform];
  for (const p of paths) {
    const found = mark(p) ?? (strong ? null : (weak?.(p) ?? null));
    if (found !== null) return found;
  }
  return null;
}

/**
 * Whether a file is a chat of Messenger's secure-storage download that the reader does not read by name. Asked for
 * Facebook only: it is Messenger's download, and an Instagram export keeps the owner's posts in a `media/` folder
 * (`your_instagram_activity/media/`), which must not be taken for the download's attachments.
 */
function isSecureStorageChatOf(path: string, reader: FormatReader, format: ExportFormat): boolean {
  return format === 'facebook' && isSecureStorageChat(path) && reader.route(path) === null;
}

/** Whether the export is Messenger's secure-storage download, whose `media/` holds what was sent in its chats. */
function isSecureStorageDownload(paths: readonly string[], reader: FormatReader, format: ExportFormat): boolean {
  return paths.some((p) => isSecureStorageChatOf(p, reader, format));
}

/** Whether `format` is one of Meta's two, whose exports are told apart before any record leaves. */
function isMeta(format: ExportFormat): format is 'facebook' | 'instagram' {
  return format === 'facebook' || format === 'instagram';
}

/**
 * Which of Meta's two platforms a thread file is from: Messenger threads carry `thread_type` (`Regular`,
 * `RegularGroup`), Instagram's do not. A messages-only download of the old layout has no other mark, so one thread
 * file is looked at; null when it cannot tell (the file is broken or no thread), leaving the fault for the real read
 * to report. Only `thread_type` and the participants' entries are held, never a message.
 */
async function threadPlatform(entry: ExportEntry, format: ExportFormat): Promise<'facebook' | 'instagram' | null> {
  const scratch = new ReaderContext({ format, path: entry.path, account: 'peek' });
  let participants = 0;
  for await (const { label } of streamJson(entry, scratch, (p) =>
    p.length === 1 && p[0] === 'thread_type'
      ? 'type'
      : p.length === 2 && p[0] === 'participants' && typeof p[1] === 'number'
        ? 'participant'
        : null,
  )) {
    if (label === 'type') return 'facebook';
    participants++;
  }
  return participants > 0 && scratch.quarantined === 0 ? 'instagram' : null;
}

// Thread files bigger than this are not looked at in a tar, where looking costs a read of the file on the first pass.
const PEEK_MAX_BYTES = 8 << 20;

/** A thread file that may be opened to tell Facebook from Instagram: never one of an end-to-end-encrypted thread. */
function isPeekableThread(entry: ExportEntry): boolean {
  return !entry.special && !isE2eePath(entry.path) && isMetaThreadFile(entry.path);
}

/**
 * Refuses a Facebook export read as Instagram and the other way round, before any record leaves, and an Accounts
 * Center download that holds both (each platform's thread files would be read by the other's reader too, and labelled
 * with the wrong platform). `threadOf` tells which platform a thread file of the export is from; it is asked only when
 * no path tells.
 */
async function refuseOtherMetaExport(
  paths: readonly string[],
  format: ExportFormat,
  threadOf: () => Promise<'facebook' | 'instagram' | null>,
): Promise<void> {
  if (!isMeta(format)) return;
  const other = format === 'facebook' ? 'instagram' : 'facebook';
  if (markOf(paths, format) !== null) {
    const own = markOf(paths, format, true);
    const also = markOf(paths, other, true);
    if (own !== null && also !== null) {
      throw new InputError(
        `this export holds ${META_MARKS[other].name} export beside ${META_MARKS[format].name} one (it has ${own} and ${also}); give the folder of each on its own, with its --format`,
        'E_FORMAT',
      );
    }
    return;
  }
  let found = markOf(paths, other);
  if (found === null && (await threadOf()) === other) {
    found = other === 'facebook' ? 'Messenger thread files' : 'message threads without a Messenger thread_type';
  }
  if (found !== null) {
    throw new InputError(
      `this looks like ${META_MARKS[other].name} export, not ${META_MARKS[format].name} one (it has ${found}); pass --format ${other}`,
      'E_FORMAT',
    );
  }
}

async function* readAll(
  container: ExportContainer,
  reader: FormatReader,
  ctx: ReaderContext,
  reopen: () => Promise<ExportContainer>,
) {
  // A secure-storage download's `media/` is known for what it is only once every path has been seen: nothing in it is
  // read early, in a tar's first pass.
  const rank = (path: string) =>
    ctx.format === 'facebook' && inSecureStorageMedia(path) ? 1 : (reader.priority?.(path) ?? 1);
  if (container.list) {
    const entries = await container.list();
    ctx.secureStorage = isSecureStorageDownload(
      entries.map((e) => e.path),
      reader,
      ctx.format,
    );
    // The smallest thread file is the cheapest to look at.
    const thread = entries.filter(isPeekableThread).sort((a, b) => a.size - b.size)[0];
    await refuseOtherMetaExport(
      entries.map((e) => e.path),
      ctx.format,
      async () => (thread === undefined ? null : await threadPlatform(thread, ctx.format)),
    );
    // Every text file is checked before the first record leaves, so a refused export emits nothing.
    for (const e of entries) if (isTextFile(e.path)) await refuseIfWhatsApp(e, ctx.format);
    const ordered = entries.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e.path) - rank(b.e.path) || a.i - b.i);
    const seen = new Set<string>();
    for (const { e } of ordered) yield* readEntry(e, reader, ctx, seen);
    return;
  }
  // A tar can only be read in order, so it is read twice: first its metadata files (the profile that tells the
  // owner's messages from others') and a check of every text file, then the rest. It gives the records a folder
  // gives, and a refused export emits nothing.
  const paths: string[] = [];
  const seen = new Set<string>(); // a path is read in one of the two passes, by its rank
  let peeked = false;
  let platform: 'facebook' | 'instagram' | null = null;
  for await (const e of container.entries()) {
    paths.push(e.path);
    if (isTextFile(e.path)) await refuseIfWhatsApp(e, ctx.format);
    if (rank(e.path) === 0) yield* readEntry(e, reader, ctx, seen);
    else if (isMeta(ctx.format) && !peeked && isPeekableThread(e) && e.size <= PEEK_MAX_BYTES) {
      peeked = true;
      platform = await threadPlatform(e, ctx.format);
    }
  }
  await refuseOtherMetaExport(paths, ctx.format, async () => platform);
  ctx.secureStorage = isSecureStorageDownload(paths, reader, ctx.format);
  const again = await reopen();
  try {
    for await (const e of again.entries()) if (rank(e.path) !== 0) yield* readEntry(e, reader, ctx, seen);
  } finally {
    await again.close();
  }
}

/**
 * Streams the canonical records out of a platform export (zip, tar.gz, folder or single file). Bad items and files go
 * to `onQuarantine` and never throw; an unreadable container throws InputError, and WhatsApp (asked for, or found
 * inside any export) throws RefusedError `E_E2EE` before any of its messages is read.
 * @example
 * const { records, summary } = readExport({ format: 'facebook', path: 'export.zip', account: 'fb:a:42' });
 * for await (const r of records) write(r);
 * console.log(await summary);
 */
export function readExport(opts: ReadExportOptions): ExportReading {
  if (opts.format === 'whatsapp') throw refuseWhatsApp();
  const reader = READERS[opts.format];
  if (!reader)
    throw new InputError('unknown export format (expected facebook, instagram, mastodon, chatgpt or claude)');
  if (opts.account.trim() === '' || /[\r\n]/.test(opts.account)) {
    throw new InputError('the account id must be a non-empty single line, e.g. fb:a:42', 'E_ACCOUNT');
  }
  const ctx = new ReaderContext(opts);
  let settle!: { resolve: (s: ConvertSummary) => void; reject: (e: unknown) => void };
  const summary = new Promise<ConvertSummary>((resolve, reject) => {
    settle = { resolve, reject };
  });
  summary.catch(() => {}); // callers that only iterate must not see an unhandled rejection
  async function* run(): AsyncGenerator<CanonicalRecord> {
    let finished = false;
    try {
      const container = await openContainer(opts.path);
      try {
        yield* readAll(container, reader, ctx, () => openContainer(opts.path));
        finished = true;
        settle.resolve(ctx.summary());
      } finally {
        await container.close();
      }
    } catch (error) {
      settle.reject(error);
      throw error;
    } finally {
      if (!finished) settle.reject(new DissentError('the export was not read to the end', 'E_INCOMPLETE'));
    }
  }
  return { records: run(), summary };
}
