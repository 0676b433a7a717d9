import { z } from 'zod';
import type { ExportEntry } from './_container.ts';
import { keysOf, makeRecord, type ReaderContext } from './_context.ts';
import { stableId } from './_ids.ts';
import { readSmallJson, streamJson } from './_json-stream.ts';
import { repairMojibake } from './_mojibake.ts';
import { epochToIso } from './_time.ts';
import type { CanonicalRecord } from './types.ts';

const Message = z.looseObject({
  sender_name: z.string().optional(),
  timestamp_ms: z.number(),
  content: z.string().optional(),
  type: z.string().optional(),
  is_unsent: z.boolean().optional(),
});
const KNOWN_MESSAGE = new Set([
  ...keysOf(Message),
  'photos',
  'videos',
  'audio_files',
  'files',
  'gifs',
  'sticker',
  'share',
  'reactions',
  'call_duration',
  'missed',
  'users',
  'ip',
  'is_geoblocked_for_viewer',
  'is_unsent_image_by_messenger_kid_parent',
  'is_taken_down',
  'bumped_message_metadata',
]);
const USER_MESSAGE_TYPES = new Set(['Generic', 'Share']);

// The thread's folder ("inbox/name_123"), which is stable across exports and so keeps message ids stable.
function threadOf(path: string): string {
  const parts = path.split('/');
  return parts.slice(Math.max(0, parts.length - 3), -1).join('/');
}

/**
 * Reads a Messenger or Instagram direct-message thread file (`messages/<box>/<thread>/message_N.json`): private
 * messages, attributed to the archive owner when the sender is the owner (known from the export's profile file),
 * else to a pseudonymous per-export id. Call only for threads outside `e2ee_cutover/`.
 */
export async function* readMetaThread(
  entry: ExportEntry,
  ctx: ReaderContext,
  platform: 'fb' | 'ig',
  source: string,
): AsyncGenerator<CanonicalRecord> {
  const thread = threadOf(entry.path);
  let index = 0;
  // How often the owner's name is among the thread's participants (listed before the messages in Meta's files): a
  // second person of the same name makes the name say nothing about who wrote a message.
  let ownerNamed = 0;
  for await (const { label, value } of streamJson(entry, ctx, (p) =>
    p.length === 2 && typeof p[1] === 'number' && (p[0] === 'messages' || p[0] === 'participants') ? p[0] : null,
  )) {
    if (label === 'participants') {
      const name = (value as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && ctx.ownerName !== null && repairMojibake(name) === ctx.ownerName) ownerNamed++;
      continue;
    }
    const i = index++;
    const parsed = Message.safeParse(value);
    if (!parsed.success) {
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const m = parsed.data;
    ctx.noteUnknown(`${source}.message`, m, KNOWN_MESSAGE);
    if (m.type !== undefined && !USER_MESSAGE_TYPES.has(m.type)) {
      ctx.skip('system_message');
      continue;
    }
    if (m.is_unsent === true) {
      ctx.skip('unsent');
      continue;
    }
    const text = repairMojibake(m.content ?? '').trim();
    if (text === '') {
      ctx.skip('no_text');
      continue;
    }
    const createdAt = epochToIso(m.timestamp_ms);
    if (createdAt === null) {
      ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: timestamp_ms is not a plausible time`);
      continue;
    }
    const sender = repairMojibake(m.sender_name ?? '');
    // Without the owner's name (no profile file), or with two participants of that name, nobody's message can be told
    // to be the owner's: each sender gets a pseudonymous id, so that another person's words never go into training
    // under the owner's account.
    const own = ctx.ownerName !== null && sender === ctx.ownerName && ownerNamed <= 1;
    yield makeRecord({
      id: stableId(`${platform}:m`, ctx.account, thread, String(m.timestamp_ms), sender, text),
      source,
      kind: 'message',
      account: own ? ctx.account : stableId(`${platform}:n`, ctx.account, sender),
      created_at: createdAt,
      visibility: 'private',
      text,
      participants: [],
      parent: null,
    });
  }
}

const FbProfile = z.looseObject({
  profile_v2: z.looseObject({ name: z.looseObject({ full_name: z.string() }) }).optional(),
  profile: z.looseObject({ name: z.looseObject({ full_name: z.string() }) }).optional(),
});
const IgProfile = z.looseObject({
  profile_user: z.array(
    z.looseObject({ string_map_data: z.record(z.string(), z.looseObject({ value: z.string().optional() })) }),
  ),
});

/** Reads the archive owner's display name from a Facebook or Instagram profile file, so messages can be attributed. */
export async function readMetaOwner(entry: ExportEntry, ctx: ReaderContext): Promise<void> {
  const json = await readSmallJson(entry, ctx);
  if (json === undefined) return;
  const fb = FbProfile.safeParse(json);
  const fbName = fb.success ? (fb.data.profile_v2?.name.full_name ?? fb.data.profile?.name.full_name) : undefined;
  if (fbName) {
    ctx.ownerName = repairMojibake(fbName);
    return;
  }
  const ig = IgProfile.safeParse(json);
  const map = ig.success ? ig.data.profile_user[0]?.string_map_data : undefined;
  const igName = map?.Name?.value;
  if (igName) ctx.ownerName = repairMojibake(igName);
  else ctx.quarantine(entry.path, 0, 'bad_item', 'the profile file names no owner');
}
