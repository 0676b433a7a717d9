import { InputError } from '../shared/errors.ts';
import type { ExportEntry } from './_container.ts';
import type { ReaderContext } from './_context.ts';
import type { JsonPath } from './_json-stream.ts';
import type { CanonicalRecord } from './types.ts';

/** Reads the records out of one file of an export. */
export type EntryHandler = (entry: ExportEntry, ctx: ReaderContext) => AsyncIterable<CanonicalRecord>;

/** A connector: which files of an export it reads, and in which order where the container allows a choice. */
export interface FormatReader {
  /** The handler for a file, chosen by its file name (never by its full path); null when the file is not used. */
  route(path: string): EntryHandler | null;
  /** Files with a lower number are read first when the container allows it (metadata before content). */
  priority?(path: string): number;
}

/** The last segment of a `/`-separated path. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Matches the items of a top-level array, or of an array under any top-level key (`{"comments_v2": [...]}`). */
export function topLevelItems(path: JsonPath): string | null {
  if (path.length === 1 && typeof path[0] === 'number') return 'item';
  if (path.length === 2 && typeof path[0] === 'string' && typeof path[1] === 'number') return path[0];
  return null;
}

/**
 * True for Meta's end-to-end-encrypted threads, which are never opened: any file in a folder named `e2ee_cutover`, or
 * starting so (`e2ee_cutover_archived`, …), and a Messenger chat as Meta exports end-to-end-encrypted ones since 2024,
 * one file a thread named `<chat name>_<n>.json` right in a `messages/` folder (no thread folder of its own).
 */
export function isE2eePath(path: string): boolean {
  const parts = path.split('/');
  const folders = parts.slice(0, -1);
  if (folders.some((folder) => folder.startsWith('e2ee_cutover'))) return true;
  return folders[folders.length - 1] === 'messages' && /_\d+\.json$/.test(parts[parts.length - 1] ?? '');
}

/**
 * Whether a path is a chat of Messenger's secure-storage download ("Download secure storage data": the
 * end-to-end-encrypted chats on their own, one file a chat named `<chat name>_<n>.json` right at the download's root,
 * beside a `media/` folder of what was sent in them). Such a file is never opened; a name that the format reads (a
 * single `your_posts_1.json` given alone) is asked for by the caller before this, and a lone `message_1.json` is a
 * thread file, not such a chat.
 */
export function isSecureStorageChat(path: string): boolean {
  return !path.includes('/') && /_\d+\.json$/.test(path) && !/^message_\d+\.json$/.test(path);
}

/** Whether a path lies in the `media/` folder of Messenger's secure-storage download: what others sent in its chats. */
export function inSecureStorageMedia(path: string): boolean {
  return path.startsWith('media/');
}

/**
 * Whether a path lies in a Meta export's `messages/` folder. Only its thread files (`messages/<box>/<thread>/
 * message_N.json`) are the owner's messages; everything else there (a `files/` folder of attachments, which other
 * people sent) must never be read as the owner's posts or comments, whatever its name.
 */
export function inMessages(path: string): boolean {
  return path.split('/').includes('messages');
}

/** Whether a path is a Meta thread file: `messages/<box>/<thread>/message_N.json`, and nothing deeper. */
export function isMetaThreadFile(path: string): boolean {
  const parts = path.split('/');
  return /^message_\d+\.json$/.test(parts[parts.length - 1] ?? '') && parts[parts.length - 4] === 'messages';
}

/** A handler for a metadata file (profile, actor) that updates the context and yields no records. */
export function metadataHandler(read: (entry: ExportEntry, ctx: ReaderContext) => Promise<void>): EntryHandler {
  return (entry, ctx) => ({
    [Symbol.asyncIterator]: () => {
      let done = false;
      return {
        next: async (): Promise<IteratorResult<CanonicalRecord>> => {
          if (!done) await read(entry, ctx);
          done = true;
          return { done: true, value: undefined };
        },
      };
    },
  });
}

const ASSISTANT_EXPORTS = {
  chatgpt: { name: 'a ChatGPT', key: 'mapping' },
  claude: { name: 'a Claude', key: 'chat_messages' },
} as const;

/**
 * Refuses a ChatGPT export read as Claude or the other way round. Both keep their chats in `conversations.json`, so
 * the file's first conversation tells: ChatGPT's have a `mapping` of turns, Claude's `chat_messages`. Call it with the
 * first item only when that failed the reader's own schema, so that no record has left yet.
 */
export function refuseOtherAssistantExport(item: unknown, format: 'chatgpt' | 'claude'): void {
  const other = format === 'chatgpt' ? 'claude' : 'chatgpt';
  const { key } = ASSISTANT_EXPORTS[other];
  if (typeof item === 'object' && item !== null && key in item && !(ASSISTANT_EXPORTS[format].key in item)) {
    throw new InputError(
      `this looks like ${ASSISTANT_EXPORTS[other].name} export, not ${ASSISTANT_EXPORTS[format].name} one (its conversations have ${key}); pass --format ${other}`,
      'E_FORMAT',
    );
  }
}
