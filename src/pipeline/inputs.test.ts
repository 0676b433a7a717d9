import { describe, expect, it } from 'vitest';
import { splitAccount } from './inputs.ts';

describe('splitAccount', () => {
  it('takes an actor URL after the @ as the owner, also one holding an @ of its own', () => {
    expect(splitAccount('mastodon:archive.tar.gz@https://social.example/users/alice')).toEqual({
      spec: 'mastodon:archive.tar.gz',
      account: 'https://social.example/users/alice',
    });
    expect(splitAccount('mastodon:archive.tar.gz@https://social.example/@alice')).toEqual({
      spec: 'mastodon:archive.tar.gz',
      account: 'https://social.example/@alice',
    });
  });

  it('splits at the last @ for an account id, and never a path with a folder after its @', () => {
    expect(splitAccount('facebook:export.zip@fb:a:42')).toEqual({ spec: 'facebook:export.zip', account: 'fb:a:42' });
    expect(splitAccount('facebook:me@web.de/export.zip')).toEqual({ spec: 'facebook:me@web.de/export.zip' });
    expect(splitAccount('jsonl:me@web.de.jsonl')).toEqual({ spec: 'jsonl:me@web.de.jsonl' });
  });
});
