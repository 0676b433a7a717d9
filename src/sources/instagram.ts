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
import { epochToIso, isoToIso } from './_time.ts';
import type { CanonicalRecord } from './types.ts';

const Media = z.looseObject({ title: z.string().optional(), creation_timestamp: z.number().optional() });
// A post (also a reel or a story) carries one or more media; a story is a single media object itself.
const Post = z.looseObject({
  media: z.array(Media).optional(),
  title: z.string().optional(),
  creation_timestamp: z.number().optional(),
});
const KNOWN_POST = new Set([...keysOf(Post), 'uri', 'media_metadata', 'cross_post_source', 'backup_uri']);

const MapValue = z.looseObject({ value: z.string().optional(), timestamp: z.number().optional() });
const Comment = z.looseObject({
  string_map_data: z.record(z.string(), MapValue),
  media_list_data: z.array(z.unknown()).optional(),
  title: z.string().optional(),
});
const KNOWN_COMMENT = keysOf(Comment);
// Instagram localises the labels of string_map_data.
const COMMENT_LABELS = ['Comment', 'Kommentar', 'Commentaire', 'Comentario', 'Commento'];

/**
 * The caption of a post: for a single-media post `media[0].title`, for a multi-media post the top-level `title`.
 * Each falls back to the other, because older exports fill only one of them.
 */
export function captionOf(post: z.infer<typeof Post>): string {
  const media = post.media ?? [];
  const caption = media.length > 1 ? (post.title ?? '') : media[0]?.title || post.title || '';
  return repairMojibake(caption).trim();
}

function emit(ctx: ReaderContext, kind: string, prefix: string, ts: number, createdAt: string, text: string) {
  return makeRecord({
    id: stableId(prefix, ctx.account, String(ts), text),
    source: 'instagram',
    kind,
    account: ctx.account,
    created_at: createdAt,
    visibility: ctx.visibility ?? 'followers',
    text,
    participants: [],
    parent: null,
  });
}

async function* readPosts(entry: ExportEntry, ctx: ReaderContext, kind: 'post' | 'story') {
  let index = 0;
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) {
    const i = index++;
    const parsed = Post.safeParse(value);
    if (!parsed.success) {
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const post = parsed.data;
    ctx.noteUnknown(`instagram.${kind}`, post, KNOWN_POST);
    const text = captionOf(post);
    if (text === '') {
      ctx.skip('no_text');
      continue;
    }
    const ts = post.creation_timestamp ?? post.media?.[0]?.creation_timestamp;
    const createdAt = epochToIso(ts);
    if (ts === undefined || createdAt === null) {
      ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: creation_timestamp is missing or implausible`);
      continue;
    }
    yield emit(ctx, kind, kind === 'post' ? 'ig:p' : 'ig:s', ts, createdAt, text);
  }
}

// Instagram's exports of 2018 to 2021 keep comments as `{"media_comments": [[time, comment, media owner], …],
// "live_comments": […]}`, the time ISO 8601; the earliest write it without a zone, in UTC as Instagram kept it.
const OldComment = z.tuple([z.string(), z.string()], z.unknown());
const ZONELESS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

function oldCommentRecord(ctx: ReaderContext, path: string, i: number, value: unknown): CanonicalRecord | null {
  const parsed = OldComment.safeParse(value);
  if (!parsed.success) {
    ctx.quarantineInvalid(path, i, parsed.error);
    return null;
  }
  const [time, comment] = parsed.data;
  const text = repairMojibake(comment).trim();
  if (text === '') {
    ctx.skip('no_text');
    return null;
  }
  const createdAt = isoToIso(ZONELESS.test(time.trim()) ? `${time.trim()}Z` : time);
  if (createdAt === null) {
    ctx.quarantine(path, 0, 'bad_timestamp', `item ${i}: the comment's time is not an ISO 8601 time`);
    return null;
  }
  return emit(ctx, 'comment', 'ig:c', Date.parse(createdAt) / 1000, createdAt, text);
}

async function* readComments(entry: ExportEntry, ctx: ReaderContext): AsyncGenerator<CanonicalRecord> {
  let index = 0;
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) {
    const i = index++;
    if (Array.isArray(value)) {
      const record = oldCommentRecord(ctx, entry.path, i, value);
      if (record) yield record;
      continue;
    }
    const parsed = Comment.safeParse(value);
    if (!parsed.success) {
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const map = parsed.data.string_map_data;
    ctx.noteUnknown('instagram.comment', parsed.data, KNOWN_COMMENT);
    const label = COMMENT_LABELS.find((l) => typeof map[l]?.value === 'string');
    if (label === undefined && Object.values(map).some((v) => typeof v.value === 'string' && v.value !== '')) {
      // Labelled in a language not known here: which value is the comment and which the media owner's handle cannot
      // be told, so it is reported, not counted as a comment without text.
      const labels = Object.keys(map)
        .slice(0, 5)
        .map((l) => JSON.stringify(l.slice(0, 40)))
        .join(', ');
      ctx.quarantine(entry.path, 0, 'bad_item', `item ${i}: no comment label known (labels ${labels})`);
      continue;
    }
    const text = repairMojibake(label ? (map[label]?.value ?? '') : '').trim();
    if (text === '') {
      ctx.skip('no_text');
      continue;
    }
    const ts = Object.values(map).find((v) => typeof v.timestamp === 'number')?.timestamp;
    const createdAt = epochToIso(ts);
    if (ts === undefined || createdAt === null) {
      ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: no plausible timestamp in string_map_data`);
      continue;
    }
    yield emit(ctx, 'comment', 'ig:c', ts, createdAt, text);
  }
}

const posts: EntryHandler = (entry, ctx) => readPosts(entry, ctx, 'post');
const stories: EntryHandler = (entry, ctx) => readPosts(entry, ctx, 'story');
const thread: EntryHandler = (entry, ctx) => readMetaThread(entry, ctx, 'ig', 'instagram');
const owner = metadataHandler(readMetaOwner);

/**
 * Instagram export (JSON): posts and reels (`posts_N.json`, `reels.json`), stories, comments in `string_map_data`,
 * and direct-message threads, matched by file name.
 */
export const instagram: FormatReader = {
  route(path) {
    const name = fileName(path);
    if (inMessages(path)) return isMetaThreadFile(path) ? thread : null;
    if (/^posts(_\d+)?\.json$/.test(name) || name === 'reels.json') return posts;
    if (name === 'stories.json') return stories;
    if (/^(post_comments(_\d+)?|reels_comments|comments)\.json$/.test(name)) return readComments;
    if (name === 'personal_information.json') return owner;
    return null;
  },
  priority: (path) => (fileName(path) === 'personal_information.json' ? 0 : 1),
};
