import { z } from 'zod';
import type { ExportEntry } from './_container.ts';
import { keysOf, makeAssistantTurn, type ReaderContext } from './_context.ts';
import { stableId } from './_ids.ts';
import { streamJson } from './_json-stream.ts';
import { type FormatReader, fileName, refuseOtherAssistantExport, topLevelItems } from './_reader.ts';
import { epochToIso } from './_time.ts';
import type { CanonicalRecord } from './types.ts';

const Message = z.looseObject({
  id: z.string(),
  author: z.looseObject({ role: z.string() }),
  create_time: z.number().nullable().optional(),
  content: z.looseObject({ content_type: z.string(), parts: z.array(z.unknown()).optional() }).optional(),
  metadata: z.looseObject({ is_visually_hidden_from_conversation: z.boolean().optional() }).optional(),
});
const Node = z.looseObject({
  message: Message.nullable().optional(),
  parent: z.string().nullable().optional(),
});
const Conversation = z.looseObject({
  id: z.string().optional(),
  conversation_id: z.string().optional(),
  title: z.string().nullable().optional(),
  create_time: z.number().nullable().optional(),
  update_time: z.number().nullable().optional(),
  mapping: z.record(z.string(), Node),
  current_node: z.string().nullable().optional(),
  is_do_not_remember: z.boolean().nullable().optional(),
  is_archived: z.boolean().nullable().optional(),
});
const KNOWN_CONVERSATION = new Set([
  ...keysOf(Conversation),
  'moderation_results',
  'plugin_ids',
  'conversation_template_id',
  'gizmo_id',
  'gizmo_type',
  'is_starred',
  'safe_urls',
  'blocked_urls',
  'default_model_slug',
  'conversation_origin',
  'voice',
  'async_status',
  'disabled_tool_ids',
  'memory_scope',
  'sugar_item_id',
  'is_study_mode',
  'owner',
]);
const TEXT_CONTENT = new Set(['text', 'multimodal_text']);

type ChatNode = z.infer<typeof Node>;

/** The visible thread of a conversation: from `current_node` back to the root via `parent`, root first. */
export function visibleThread(mapping: Readonly<Record<string, ChatNode>>, current: string): ChatNode[] {
  const thread: ChatNode[] = [];
  const seen = new Set<string>();
  for (let id: string | null | undefined = current; id && !seen.has(id); ) {
    seen.add(id);
    const node: ChatNode | undefined = mapping[id];
    if (!node) break;
    thread.push(node);
    id = node.parent;
  }
  return thread.reverse();
}

async function* readConversations(entry: ExportEntry, ctx: ReaderContext): AsyncGenerator<CanonicalRecord> {
  let index = 0;
  for await (const { value } of streamJson(entry, ctx, topLevelItems)) {
    const i = index++;
    const parsed = Conversation.safeParse(value);
    if (!parsed.success) {
      if (i === 0) refuseOtherAssistantExport(value, 'chatgpt');
      ctx.quarantineInvalid(entry.path, i, parsed.error);
      continue;
    }
    const conv = parsed.data;
    ctx.noteUnknown('chatgpt.conversation', conv, KNOWN_CONVERSATION);
    if (conv.is_do_not_remember === true) {
      ctx.skip('do_not_remember'); // the user asked that this chat not be remembered: the whole conversation
      continue;
    }
    if (!conv.current_node || !conv.mapping[conv.current_node]) {
      ctx.quarantine(entry.path, 0, 'bad_item', `item ${i}: current_node is missing or not in mapping`);
      continue;
    }
    const thread = visibleThread(conv.mapping, conv.current_node);
    // Every message off the visible thread (an edited turn's earlier version, a regenerated answer) is counted, the
    // user's and the assistant's alike, as the turns on it are (records, or skipped as not_user_turn and so on).
    const messages = Object.values(conv.mapping).filter((n) => n.message).length;
    ctx.skip('off_branch', messages - thread.filter((n) => n.message).length);
    let parent: string | null = null;
    for (const node of thread) {
      const m = node.message;
      if (!m) continue; // the synthetic root node
      if (m.author.role !== 'user') {
        ctx.skip('not_user_turn');
        continue;
      }
      if (
        m.metadata?.is_visually_hidden_from_conversation === true ||
        !TEXT_CONTENT.has(m.content?.content_type ?? '')
      ) {
        ctx.skip('hidden_or_not_text'); // custom instructions, tool payloads and the like
        continue;
      }
      const text = (m.content?.parts ?? [])
        .filter((p): p is string => typeof p === 'string')
        .join('\n')
        .trim();
      if (text === '') {
        ctx.skip('no_text');
        continue;
      }
      const createdAt = epochToIso(m.create_time ?? conv.create_time);
      if (createdAt === null) {
        ctx.quarantine(entry.path, 0, 'bad_timestamp', `item ${i}: a user turn has no plausible create_time`);
        continue;
      }
      const id = stableId('cg:u', ctx.account, m.id);
      yield makeAssistantTurn(ctx, { id, createdAt, text, parent });
      parent = id;
    }
  }
}

/**
 * ChatGPT data export (`conversations.json`): the user's turns on the visible branch of each conversation (walked
 * back from `current_node`), chained by `parent`; conversations marked `is_do_not_remember` are left out whole.
 */
export const chatgpt: FormatReader = {
  route: (path) => (fileName(path) === 'conversations.json' ? readConversations : null),
};
