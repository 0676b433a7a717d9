import { describe, expect, it } from 'vitest';
import { collector, drain, fixture } from './_testkit.ts';
import { readExport } from './read-export.ts';

describe('Claude export', () => {
  it('emits human turns from text-only and content[] messages, content[] taking precedence', async () => {
    const q = collector();
    const { records, texts, summary } = await drain(
      readExport({ format: 'claude', path: fixture('claude'), account: 'as:a:9', ...q }),
    );
    expect(records.map((r) => r.text)).toEqual([
      'CLAUDE-TEXT-ONLY question',
      'CLAUDE-CONTENT part one\n\nCLAUDE-CONTENT part two',
      'CLAUDE-FOLLOWUP thanks',
    ]);
    expect(texts).not.toMatch(/CLAUDE-ASSISTANT|CLAUDE-ATTACHMENT|CLAUDE-FLAT-IGNORED/);
    expect(records[0]?.created_at).toBe('2024-03-01T09:00:01.500Z');
    expect(records[2]?.parent).toBe(records[1]?.id);
    expect(records[1]?.parent).toBeNull();
    expect(summary.skipped).toMatchObject({ not_user_turn: 2, file_not_used: 2 });
    expect(q.entries).toEqual([expect.objectContaining({ reason: 'bad_timestamp' })]);
  });

  it('makes the chats public unless told another visibility', async () => {
    const read = (visibility?: 'friends') =>
      drain(
        readExport({
          format: 'claude',
          path: fixture('claude'),
          account: 'as:a:9',
          ...(visibility ? { visibility } : {}),
          ...collector(),
        }),
      );
    expect((await read()).records.map((r) => r.visibility)).toEqual(['public', 'public', 'public']);
    expect((await read('friends')).records.map((r) => r.visibility)).toEqual(['friends', 'friends', 'friends']);
  });
});
