import { describe, expect, it } from 'vitest';
import { InputError } from '../shared/errors.ts';
import { parseInputSpec } from './input-spec.ts';

describe('parseInputSpec', () => {
  it('splits a format prefix from the path', () => {
    expect(parseInputSpec('facebook:EXPORT.zip')).toEqual({ format: 'facebook', path: 'EXPORT.zip' });
    expect(parseInputSpec('mastodon:/data/archive-2024.tar.gz')).toEqual({
      format: 'mastodon',
      path: '/data/archive-2024.tar.gz',
    });
    expect(parseInputSpec('whatsapp:chat.txt').format).toBe('whatsapp');
    expect(parseInputSpec('jsonl:records.jsonl')).toEqual({ format: 'jsonl', path: 'records.jsonl' });
  });

  it('reads a plain path, a Windows drive or a path with colons later on as JSONL', () => {
    expect(parseInputSpec('records.jsonl')).toEqual({ format: 'jsonl', path: 'records.jsonl' });
    expect(parseInputSpec('C:\\data\\r.jsonl')).toEqual({ format: 'jsonl', path: 'C:\\data\\r.jsonl' });
    expect(parseInputSpec('./a:b.jsonl')).toEqual({ format: 'jsonl', path: './a:b.jsonl' });
  });

  it('refuses an unknown format prefix instead of treating it as a path', () => {
    expect(() => parseInputSpec('tiktok:export.zip')).toThrow(InputError);
    expect(() => parseInputSpec('tiktok:export.zip')).toThrow(/unknown input format/);
  });

  it('tells how to name a JSONL file whose name holds a colon, which it otherwise takes for a format', () => {
    expect(() => parseInputSpec('posts:2024.jsonl')).toThrow(
      'unknown input format "posts:" (expected one of jsonl, facebook, instagram, mastodon, chatgpt, claude, whatsapp, or a plain path); to read a file or folder whose name holds a colon, write it as ./posts:2024.jsonl',
    );
    expect(parseInputSpec('./posts:2024.jsonl')).toEqual({ format: 'jsonl', path: './posts:2024.jsonl' });
  });
});
