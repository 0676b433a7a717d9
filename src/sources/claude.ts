import { z } from 'zod';
import type { ExportEntry } from './_container.ts';
import { keysOf, makeAssistantTurn, type ReaderContext } from './_context.ts';
import { stableId } from './_ids.ts';
import { streamJson } from './_json-stream.ts';
import { type FormatReader, fileName, refuseOtherAssistantExport, topLevelItems } from './_reader.ts';
import { isoToIso } from './_time.ts';
import type { CanonicalRecord } from './types.ts';

const Block = z.looseObject({ type: z.string(), text: z.string().optional() });
const Message = z.looseObject({
  uuid: z.string(),
  sender: z.string(),
  text: z.string().nullable().optional(),
  content: z.array(Block).optional(),
  created_at: z.string().optional(),
});
const KNOWN_MESSAGE = new Set([
  ...keysOf(Message),
  'updated_at',
  'attachments',
  'files',
  'parent_message_uuid',
  'index',
  'truncated',
  'stop_reason',
]);
const Conversation = z.looseObject({
  uuid: z.string(),
  name: z.string().nullable().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  account: z.unknown().optional(),
  chat_messages: z.array(z.unknown()),
});
const KNOWN_CONVERSATION = new Set([...keysOf(Conversation), 'summary', 'project', 'is_starred', 'settings']);

/** The text of a Claude message: its `text` blocks in `content[]` when there are any, else the flat `text` field. */
export function claudeText(m: {
  text?: string | null | undefined;
  content?: { type: string; text?: string | undefined }[] | undefined;
}): string {
  const blocks = (m.content ?? []).filter((b) => b.type === 'text' && typeof b.text === 'string');
  return (blocks.length > 0 ? blocks.map((b) => b.text).join('\n\n') : (m.text ?? '')).trim();
}

async function* readConversations(entry: ExportEntry, ctx: ReaderContext): AsyncGenerator<CanonicalRecord> {
  let index = 0;
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) {
    const i = index++;
    const parsed = Conversation.safeParse(value);
    if (!parsed.success) {
      if (i === 0) refuseOtherAssistantExport(value, 'claude');
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    ctx.noteUnknown('claude.conversation', parsed.data, KNOWN_CONVERSATION);
    let parent: string | null = null;
    for (const raw of parsed.data.chat_messages) {
      if (ctx.gaveUp(entry.path)) break;
      const msg = Message.safeParse(raw);
      if (!msg.success) {
        ctx.quarantineInvalid(entry.path, i, msg.error);
        continue;
      }
      const m = msg.data;
      ctx.noteUnknown('claude.message', m, KNOWN_MESSAGE);
      if (m.sender !== 'human') {
        ctx.skip('not_user_turn');
        continue;
      }
      const text = claudeText(m);
      if (text === '') {
        ctx.skip('no_text');
        continue;
      }
      const createdAt = isoToIso(m.created_at ?? parsed.data.created_at);
      if (createdAt === null) {
        ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: created_at is missing or not an ISO time with zone`);
        continue;
      }
      const id = stableId('cl:u', ctx.account, m.uuid);
      yield makeAssistantTurn(ctx, { id, createdAt, text, parent });
      parent = id;
    }
  }
}

/** Claude data export (`conversations.json`): the human turns of `chat_messages[]`, from `content[]` or `text`. */
export const claude: FormatReader = {
  route: (path) => (fileName(path) === 'conversations.json' ? readConversations : null),
};
