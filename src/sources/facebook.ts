import { z } from 'zod';
import type { ExportEntry } from './_container.ts';
import { keysOf, makeRecord, type ReaderContext } from './_context.ts';
import { stableId } from './_ids.ts';
import { streamJson } from './_json-stream.ts';
import { readMetaOwner, readMetaThread } from './_meta.ts';
import { repairMojibake } from './_mojibake.ts';
import {
  type EntryHandler,
  type FormatReader,
  fileName,
  inMessages,
  isMetaThreadFile,
  metadataHandler,
  topLevelItems,
} from './_reader.ts';
import { epochToIso } from './_time.ts';
import type { CanonicalRecord } from './types.ts';

// `title` is a sentence Facebook writes ("X added a new photo."), never the user's text; attachments may carry EXIF
// `upload_ip`. Both are read past, never emitted.
const Post = z.looseObject({
  timestamp: z.number(),
  data: z.array(z.looseObject({ post: z.string().optional() })).optional(),
  attachments: z.array(z.unknown()).optional(),
  title: z.string().optional(),
  tags: z.array(z.unknown()).optional(),
});
const KNOWN_POST = keysOf(Post);

const Comment = z.looseObject({
  timestamp: z.number(),
  data: z.array(z.looseObject({ comment: z.looseObject({ comment: z.string().optional() }).optional() })).optional(),
  attachments: z.array(z.unknown()).optional(),
  title: z.string().optional(),
});
const KNOWN_COMMENT = keysOf(Comment);

interface ItemSpec<T extends { timestamp: number }> {
  kind: 'post' | 'comment';
  prefix: string;
  schema: z.ZodType<T>;
  known: ReadonlySet<string>;
  pieces(item: T): (string | undefined)[];
}

const POSTS: ItemSpec<z.infer<typeof Post>> = {
  kind: 'post',
  prefix: 'fb:p',
  schema: Post,
  known: KNOWN_POST,
  pieces: (item) => (item.data ?? []).map((d) => d.post),
};
const COMMENTS: ItemSpec<z.infer<typeof Comment>> = {
  kind: 'comment',
  prefix: 'fb:c',
  schema: Comment,
  known: KNOWN_COMMENT,
  pieces: (item) => (item.data ?? []).map((d) => d.comment?.comment),
};

// The user's own text pieces of an item, repaired and joined; empty when there is none.
function joinPieces(pieces: readonly (string | undefined)[]): string {
  return pieces
    .filter((p): p is string => typeof p === 'string')
    .map((p) => repairMojibake(p).trim())
    .filter((p) => p !== '')
    .join('\n\n');
}

async function* readItems<T extends { timestamp: number }>(
  entry: ExportEntry,
  ctx: ReaderContext,
  spec: ItemSpec<T>,
): AsyncGenerator<CanonicalRecord> {
  let index = 0;
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) {
    const i = index++;
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const item = parsed.data;
    ctx.noteUnknown(`facebook.${spec.kind}`, item, spec.known);
    const text = joinPieces(spec.pieces(item));
    if (text === '') {
      ctx.skip('no_text');
      continue;
    }
    const createdAt = epochToIso(item.timestamp);
    if (createdAt === null) {
      ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: timestamp is not a plausible time`);
      continue;
    }
    yield makeRecord({
      id: stableId(spec.prefix, ctx.account, String(item.timestamp), text),
      source: 'facebook',
      kind: spec.kind,
      account: ctx.account,
      created_at: createdAt,
      visibility: ctx.visibility ?? 'friends',
      text,
      participants: [],
      parent: null,
    });
  }
}

const readPosts: EntryHandler = (entry, ctx) => readItems(entry, ctx, POSTS);
const readComments: EntryHandler = (entry, ctx) => readItems(entry, ctx, COMMENTS);
const readThread: EntryHandler = (entry, ctx) => readMetaThread(entry, ctx, 'fb', 'messenger');
const readOwner = metadataHandler(readMetaOwner);

/**
 * Facebook "Download Your Information" (JSON), in all three layouts (`posts/`, `your_activity_across_facebook/`,
 * `your_facebook_activity/`): posts, comments and Messenger threads, matched by file name.
 */
export const facebook: FormatReader = {
  route(path) {
    const name = fileName(path);
    if (inMessages(path)) return isMetaThreadFile(path) ? readThread : null;
    // Posts in groups (`your_posts_in_groups.json`) went to the group's members, and the export does not say whether a
    // group was public or secret: not read, so that --visibility (meant for the timeline) never makes them public.
    if (/^your_posts.*\.json$/.test(name) && !/in_groups/.test(name)) return readPosts;
    if (/^(your_)?comments(_\d+)?\.json$/.test(name)) return readComments;
    if (name === 'profile_information.json') return readOwner;
    return null;
  },
  priority: (path) => (fileName(path) === 'profile_information.json' ? 0 : 1),
};
