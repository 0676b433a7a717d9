import { describe, expect, it } from 'vitest';
import { collector, drain, fixture } from './_testkit.ts';
import { readExport } from './read-export.ts';

const ACCOUNT = 'as:a:3';
const read = () => {
  const q = collector();
  return drain(readExport({ format: 'chatgpt', path: fixture('chatgpt'), account: ACCOUNT, ...q })).then((r) => ({
    ...r,
    quarantine: q.entries,
  }));
};

describe('ChatGPT export', () => {
  it('emits only the user turns of the visible branch, found by walking back from current_node', async () => {
    const { records } = await read();
    const texts = records.map((r) => r.text);
    expect(texts).toContain('GPT-U1 Was ist ein Widerspruch nach Art. 21?');
    expect(texts).toContain('GPT-U2B edited question');
    expect(texts.join('\n')).not.toContain('GPT-U2A'); // the edited-away branch
    expect(texts.join('\n')).not.toMatch(/GPT-A\d/); // assistant output is not the user's content
    expect(texts.join('\n')).not.toContain('GPT-CUSTOM-INSTRUCTIONS');
    for (const r of records) expect(r).toMatchObject({ source: 'assistant', kind: 'assistant_chat', account: ACCOUNT });
  });

  it('makes the chats public, as Meta counted its assistant chats, unless told another visibility', async () => {
    const { records } = await read();
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) expect(r.visibility).toBe('public');
    const q = collector();
    const told = await drain(
      readExport({ format: 'chatgpt', path: fixture('chatgpt'), account: ACCOUNT, visibility: 'private', ...q }),
    );
    expect(told.records.map((r) => r.visibility)).toEqual(records.map(() => 'private'));
  });

  it('chains turns by parent and keeps fractional epoch seconds', async () => {
    const { records } = await read();
    const u1 = records.find((r) => r.text.startsWith('GPT-U1'));
    const u2 = records.find((r) => r.text.startsWith('GPT-U2B'));
    expect(u1?.parent).toBeNull();
    expect(u2?.parent).toBe(u1?.id);
    expect(u1?.created_at).toBe('2024-05-01T12:00:01.123Z');
  });

  it('honours is_do_not_remember by leaving the whole conversation out', async () => {
    const { texts, summary } = await read();
    expect(texts).not.toContain('GPT-DO-NOT-REMEMBER');
    expect(summary.skipped.do_not_remember).toBe(1);
  });

  it('reads the text parts of multimodal turns', async () => {
    const { records } = await read();
    expect(records.map((r) => r.text)).toContain('GPT-MULTIMODAL what is in this picture?');
  });

  it('quarantines a conversation without current_node and counts skipped turns and unknown fields', async () => {
    const { summary, quarantine } = await read();
    expect(quarantine).toEqual([expect.objectContaining({ file: 'conversations.json', reason: 'bad_item' })]);
    // Off the visible thread: the first version of an edited turn and the answer to it, both counted.
    expect(summary.skipped).toMatchObject({ off_branch: 2, not_user_turn: 3, hidden_or_not_text: 1 });
    expect(summary.skipped.file_not_used).toBe(2); // user.json, chat.html
    expect(summary.unknownFields).toEqual({ 'chatgpt.conversation.brand_new_conversation_field': 1 });
  });
});

describe('the other assistant export', () => {
  it.each([
    ['chatgpt', 'claude', /Claude export, not a ChatGPT one.*pass --format claude/],
    ['claude', 'chatgpt', /ChatGPT export, not a Claude one.*pass --format chatgpt/],
  ] as const)('is refused when read as %s, before any record, naming --format', async (format, other, message) => {
    const r = readExport({ format, path: fixture(other), account: ACCOUNT });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const rec of r.records) seen.push(rec.text);
      })(),
    ).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringMatching(message) });
    expect(seen).toEqual([]);
  });
});
