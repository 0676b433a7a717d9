import { z } from 'zod';
import type { ExportEntry } from './_container.ts';
import { keysOf, makeRecord, type ReaderContext } from './_context.ts';
import { htmlToText } from './_html-to-text.ts';
import { stableId } from './_ids.ts';
import { readSmallJson, streamJson } from './_json-stream.ts';
import { type FormatReader, fileName, metadataHandler } from './_reader.ts';
import { isoToIso } from './_time.ts';
import type { CanonicalRecord, Visibility } from './types.ts';

const PUBLIC = new Set(['https://www.w3.org/ns/activitystreams#Public', 'as:Public', 'Public']);
const Audience = z
  .union([z.string(), z.array(z.string())])
  .nullable()
  .optional();
const Activity = z.looseObject({
  id: z.string().optional(),
  type: z.string(),
  actor: z.string().optional(),
  published: z.string().optional(),
  to: Audience,
  cc: Audience,
  object: z.unknown(),
  signature: z.unknown().optional(),
});
const KNOWN_ACTIVITY = keysOf(Activity);
const Note = z.looseObject({
  id: z.string(),
  type: z.string(),
  content: z.string().nullable().optional(),
  summary: z.string().nullable().optional(),
  sensitive: z.boolean().nullable().optional(),
  inReplyTo: z.string().nullable().optional(),
  published: z.string().optional(),
  to: Audience,
  cc: Audience,
  tag: z.array(z.looseObject({ type: z.string().optional(), href: z.string().optional() })).optional(),
  attributedTo: z.unknown().optional(),
});
const KNOWN_NOTE = new Set([
  ...keysOf(Note),
  'url',
  'contentMap',
  'attachment',
  'replies',
  'likes',
  'shares',
  'conversation',
  'atomUri',
  'inReplyToAtomUri',
  'updated',
  'quoteUri',
  '_misskey_quote',
  'quoteUrl',
  'oneOf',
  'anyOf',
  'endTime',
  'closed',
  'votersCount',
  'name',
  'mediaType',
]);
const TEXT_TYPES = new Set(['Note', 'Question', 'Article', 'Page']);

function list(a: z.infer<typeof Audience>): string[] {
  return a == null ? [] : typeof a === 'string' ? [a] : a;
}

/**
 * The visibility Mastodon meant, from the addressing: Public in `to` is public, Public in `cc` unlisted, the author's
 * followers collection (`<actor>/followers`) followers-only, anything else a direct message (private). Another
 * address ending in `/followers` is not enough: a direct message to an account named `followers` has one.
 */
export function visibilityOf(to: readonly string[], cc: readonly string[], actor: string | undefined): Visibility {
  if (to.some((a) => PUBLIC.has(a))) return 'public';
  if (cc.some((a) => PUBLIC.has(a))) return 'unlisted';
  const followers = actor === undefined ? null : `${withoutTrailingSlashes(actor)}/followers`;
  if (followers !== null && [...to, ...cc].includes(followers)) return 'followers';
  return 'private';
}

/**
 * `url` without the slashes at its end. Not `/\/+$/`: that pattern is tried again from every slash of a run that does
 * not end the text, so an actor of many slashes took time in the square of their number (a minute for 300,000).
 */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

/**
 * The text of a status: its HTML as text. A content warning (`sensitive` with `summary`) is the author's own words
 * about the post, so it is kept as the first paragraph rather than dropped or merged into the body.
 */
export function statusText(note: { content: string | null; summary: string | null }): string {
  const body = htmlToText(note.content ?? '');
  const warning = htmlToText(note.summary ?? '');
  return warning === '' ? body : body === '' ? warning : `${warning}\n\n${body}`;
}

async function* readOutbox(entry: ExportEntry, ctx: ReaderContext): AsyncGenerator<CanonicalRecord> {
  let index = 0;
  // Real outboxes have been seen with `orderedItems` twice, the first one empty; taking every array under that key
  // reads the populated one whichever comes first.
  for await (const { value } of streamJson(entry, ctx, (p) =>
    p.length === 2 && p[0] === 'orderedItems' && typeof p[1] === 'number' ? 'item' : null,
  )) {
    const i = index++;
    const act = Activity.safeParse(value);
    if (!act.success) {
      ctx.quarantineInvalid(entry.path, i, act.error);
      continue;
    }
    ctx.noteUnknown('mastodon.activity', act.data, KNOWN_ACTIVITY);
    if (act.data.type === 'Announce') {
      ctx.skip('boost'); // someone else's post, boosted: never the archive owner's content
      continue;
    }
    if (act.data.type !== 'Create') {
      ctx.skip('other_activity');
      continue;
    }
    if (typeof act.data.object === 'string') {
      ctx.skip('no_text');
      continue;
    }
    const parsed = Note.safeParse(act.data.object);
    if (!parsed.success) {
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const note = parsed.data;
    ctx.noteUnknown('mastodon.object', note, KNOWN_NOTE);
    if (note.type === 'Tombstone') {
      ctx.skip('deleted');
      continue;
    }
    if (!TEXT_TYPES.has(note.type)) {
      ctx.skip('other_object');
      continue;
    }
    const text = statusText({ content: note.content ?? null, summary: note.summary ?? null });
    if (text === '') {
      ctx.skip('no_text');
      continue;
    }
    const createdAt = isoToIso(note.published ?? act.data.published);
    if (createdAt === null) {
      ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: published is missing or not an ISO time with zone`);
      continue;
    }
    const to = note.to === undefined ? list(act.data.to) : list(note.to);
    const cc = note.cc === undefined ? list(act.data.cc) : list(note.cc);
    const mentions = (note.tag ?? []).filter((t) => t.type === 'Mention' && t.href).map((t) => t.href as string);
    yield makeRecord({
      id: stableId('md:s', note.id),
      source: 'mastodon',
      kind: 'post',
      account: ctx.account,
      created_at: createdAt,
      visibility: visibilityOf(to, cc, typeof note.attributedTo === 'string' ? note.attributedTo : act.data.actor),
      text,
      participants: [...new Set(mentions)],
      parent: note.inReplyTo ? stableId('md:s', note.inReplyTo) : null,
    });
  }
}

const Actor = z.looseObject({ indexable: z.boolean().optional(), discoverable: z.boolean().nullable().optional() });

const readActor = metadataHandler(async (entry, ctx) => {
  const json = await readSmallJson(entry, ctx);
  if (json === undefined) return;
  const actor = Actor.safeParse(json);
  if (!actor.success) {
    ctx.quarantineInvalid(entry.path, 0, actor.error);
    return;
  }
  // `indexable: false` is the owner saying "do not index me"; it is reported so that the operator can honour it.
  if (actor.data.indexable === false) ctx.noindex.add(ctx.account);
});

/**
 * Mastodon account archive (tar.gz or folder): statuses from `outbox.json` (boosts left out), and the owner's
 * `indexable` flag from `actor.json`. Record ids hash the status URI, so replies link across archives.
 */
export const mastodon: FormatReader = {
  route(path) {
    const name = fileName(path);
    if (name === 'outbox.json') return readOutbox;
    if (name === 'actor.json') return readActor;
    return null;
  },
  priority: (path) => (fileName(path) === 'actor.json' ? 0 : 1),
};
