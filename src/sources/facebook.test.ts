import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collector, drain, fixture, listFiles, tarGzFolder, zipFolder } from './_testkit.ts';
import { readExport } from './read-export.ts';

const ACCOUNT = 'fb:a:42';
const read = (path: string, extra: { onQuarantine?: ReturnType<typeof collector>['onQuarantine'] } = {}) =>
  drain(readExport({ format: 'facebook', path, account: ACCOUNT, ...extra }));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dissent-fb-'));
});

describe('Facebook export', () => {
  it.each([
    ['old layout (posts/)', 'facebook-old', 'FB-OLD-POST Schöner Tag am See 😊', 'FB-OLD-COMMENT Grüße aus Köln'],
    [
      'middle layout (your_activity_across_facebook/)',
      'facebook-mid',
      'FB-MID-POST plain ascii',
      'FB-MID-COMMENT nice',
    ],
    [
      'new layout (your_facebook_activity/)',
      'facebook-new',
      'FB-NEW-POST Grüße aus München! Das kostet 5 € 🎉👍🏽',
      'FB-NEW-COMMENT Stimmt, ganz genau ✔',
    ],
  ])('reads posts and comments in the %s, with mojibake repaired', async (_, dir, post, comment) => {
    const { records } = await read(fixture(dir));
    const posts = records.filter((r) => r.kind === 'post');
    const comments = records.filter((r) => r.kind === 'comment');
    expect(posts.map((r) => r.text)).toContain(post);
    expect(comments.map((r) => r.text)).toContain(comment);
    for (const r of [...posts, ...comments]) {
      expect(r).toMatchObject({ source: 'facebook', account: ACCOUNT, e2ee: false, parent: null });
      expect(r.id).toMatch(r.kind === 'post' ? /^fb:p:[0-9a-f]{16}$/ : /^fb:c:[0-9a-f]{16}$/);
    }
  });

  it('writes keys in the canonical order', async () => {
    const { records } = await read(fixture('facebook-mid'));
    expect(Object.keys(records[0] ?? {})).toEqual([
      'id',
      'source',
      'kind',
      'account',
      'created_at',
      'visibility',
      'e2ee',
      'text',
      'participants',
      'parent',
    ]);
  });

  it('derives post ids from account, timestamp and text, identically for a folder and a zip', async () => {
    const folder = await read(fixture('facebook-new'));
    const zip = join(tmp, 'fb.zip');
    await zipFolder(fixture('facebook-new'), zip, 'facebook-juergen-2024-05-01/');
    const zipped = await read(zip);
    expect(zipped.records.map((r) => r.id)).toEqual(folder.records.map((r) => r.id));
    const again = await read(fixture('facebook-new'));
    expect(again.records).toEqual(folder.records);
    const post = folder.records.find((r) => r.text.startsWith('FB-NEW-POST'));
    const hash = createHash('sha256').update(`${ACCOUNT}\n1714564800\n${post?.text}`).digest('hex').slice(0, 16);
    expect(post?.id).toBe(`fb:p:${hash}`);
  });

  it('leaves correct Latin-1 text alone and converts second and millisecond timestamps', async () => {
    const { records } = await read(fixture('facebook-new'));
    expect(records.map((r) => r.text)).toContain('FB-NEW-LATIN1 Gräfin und SÃO PAULO');
    const ms = records.find((r) => r.text.startsWith('FB-NEW-MS-TIMESTAMP'));
    expect(ms?.created_at).toBe('2024-05-01T16:00:00Z');
  });

  it('never uses the generated title as text and never emits attachment data such as upload_ip', async () => {
    for (const dir of ['facebook-old', 'facebook-new']) {
      const { texts } = await read(fixture(dir));
      expect(texts).not.toMatch(/added a new photo|hat ein neues Foto|hat seinen Status|hat einen Beitrag geteilt/);
      expect(texts).not.toContain('198.51.100.23');
      expect(texts).not.toContain('203.0.113.77');
      expect(texts).not.toContain('FB-NEW-PHOTO-DESCRIPTION');
    }
  });

  it('never reads e2ee_cutover threads: their content is absent and the files are counted as skipped e2ee', async () => {
    const zip = join(tmp, 'fb-e2ee.zip');
    await zipFolder(fixture('facebook-new'), zip);
    for (const path of [fixture('facebook-new'), zip]) {
      const { texts, summary } = await read(path);
      expect(texts).not.toContain('E2EE-SECRET');
      expect(summary.skipped.e2ee).toBe(2);
    }
  });

  it('never reads the one-file-a-chat end-to-end-encrypted threads in messages/, and counts them as e2ee', async () => {
    const dir = join(tmp, 'fb-e2ee-flat');
    await cp(fixture('facebook-new'), dir, { recursive: true });
    // How Meta exports an end-to-end-encrypted Messenger chat since 2024: one file, named after the chat.
    await writeFile(
      join(dir, 'your_facebook_activity', 'messages', 'Anna Schmidt_1.json'),
      JSON.stringify({
        participants: ['Anna Schmidt', 'J\u00c3\u00bcrgen M\u00c3\u00bcller'],
        threadName: 'Anna Schmidt',
        messages: [{ senderName: 'Anna Schmidt', text: 'E2EE-FLAT-SECRET', timestamp: 1714700000000, type: 'text' }],
      }),
    );
    const zip = join(tmp, 'fb-e2ee-flat.zip');
    await zipFolder(dir, zip);
    for (const path of [dir, zip]) {
      const { texts, summary } = await read(path);
      expect(texts).not.toContain('E2EE-FLAT-SECRET');
      expect(summary.skipped).toMatchObject({ e2ee: 3, file_not_used: 1 }); // the other one: autofill_information.json
    }
  });

  it("never reads Messenger's secure-storage download (its e2ee chats at the root, beside media/), in any container", async () => {
    const dir = join(tmp, 'secure-storage');
    await mkdir(join(dir, 'media'), { recursive: true });
    // "Download secure storage data": one file a chat at the root, and what was sent in the chats in media/.
    for (const name of ['Anna Schmidt_1.json', 'Wandergruppe_2.json']) {
      await writeFile(
        join(dir, name),
        JSON.stringify({
          participants: ['Anna Schmidt', 'Alice Owner'],
          threadName: 'Anna Schmidt',
          messages: [{ senderName: 'Alice Owner', text: 'SS-CHAT-SECRET', timestamp: 1714700000000, type: 'text' }],
        }),
      );
    }
    // A file Anna sent in the chat, named and shaped like the owner's comments.
    await writeFile(
      join(dir, 'media', 'comments.json'),
      JSON.stringify([{ timestamp: 1714700000, data: [{ comment: { comment: 'SS-SENT-FILE-SECRET' } }] }]),
    );
    await writeFile(join(dir, 'media', 'photo_1.jpg'), 'jpeg');
    const zip = join(tmp, 'secure-storage.zip');
    const tgz = join(tmp, 'secure-storage.tar.gz');
    await zipFolder(dir, zip);
    await tarGzFolder(dir, tgz);
    for (const path of [dir, zip, tgz]) {
      const { records, summary } = await read(path);
      expect(records).toEqual([]);
      expect(summary).toMatchObject({ filesRead: 0, skipped: { e2ee: 4 } });
      expect(summary.skipped.file_not_used).toBeUndefined();
    }
    // A single file of the owner's, given alone, is still read.
    await writeFile(
      join(tmp, 'your_posts_1.json'),
      JSON.stringify([{ timestamp: 1714600000, data: [{ post: 'mine' }] }]),
    );
    expect((await read(join(tmp, 'your_posts_1.json'))).records.map((r) => r.text)).toEqual(['mine']);
  });

  it("never reads posts in groups, so --visibility public cannot make a secret group's post public", async () => {
    const dir = join(tmp, 'groups');
    await mkdir(join(dir, 'your_facebook_activity', 'groups'), { recursive: true });
    await mkdir(join(dir, 'your_facebook_activity', 'posts'), { recursive: true });
    await writeFile(
      join(dir, 'your_facebook_activity', 'groups', 'your_posts_in_groups.json'),
      JSON.stringify({ group_posts_v2: [{ timestamp: 1714600000, data: [{ post: 'FB-GROUP-POST' }] }] }),
    );
    await writeFile(
      join(dir, 'your_facebook_activity', 'posts', 'your_posts_1.json'),
      JSON.stringify([{ timestamp: 1714600001, data: [{ post: 'FB-TIMELINE-POST' }] }]),
    );
    const { records, summary } = await drain(
      readExport({ format: 'facebook', path: dir, account: ACCOUNT, visibility: 'public' }),
    );
    expect(records.map((r) => r.text)).toEqual(['FB-TIMELINE-POST']);
    expect(summary).toMatchObject({ filesRead: 1, skipped: { file_not_used: 1 } });
  });

  it('emits Messenger inbox messages as private messages attributed by sender', async () => {
    const { records } = await read(fixture('facebook-new'));
    const messages = records.filter((r) => r.kind === 'message');
    expect(messages.map((r) => r.text).sort()).toEqual(['FB-NEW-DM from Anna: Grüß dich', 'FB-NEW-DM from Jürgen']);
    for (const m of messages) expect(m).toMatchObject({ source: 'messenger', visibility: 'private', e2ee: false });
    // The owner's name comes from the profile file (mojibake-repaired); others get a per-export pseudonym.
    expect(messages.find((m) => m.text.includes('from Jürgen'))?.account).toBe(ACCOUNT);
    expect(messages.find((m) => m.text.includes('from Anna'))?.account).toMatch(/^fb:n:[0-9a-f]{16}$/);
  });

  it('attributes the owner’s messages in the old layout too, whose profile file names the owner under "profile"', async () => {
    const { records } = await read(fixture('facebook-old'));
    const messages = records.filter((r) => r.kind === 'message');
    expect(messages.find((m) => m.text === 'FB-OLD-DM from Max')?.account).toBe(ACCOUNT);
    expect(messages.find((m) => m.text === 'FB-OLD-DM from Erika')?.account).toMatch(/^fb:n:[0-9a-f]{16}$/);
  });

  it('keeps every text piece of a post, and reads shared links sent in a chat', async () => {
    const dir = join(tmp, 'pieces');
    await mkdir(join(dir, 'posts'), { recursive: true });
    await mkdir(join(dir, 'messages', 'inbox', 'bob_1'), { recursive: true });
    await writeFile(
      join(dir, 'posts', 'your_posts_1.json'),
      JSON.stringify([
        { timestamp: 1714600000, data: [{ post: 'first part' }, { update_timestamp: 1 }, { post: 'second' }] },
      ]),
    );
    await writeFile(
      join(dir, 'messages', 'inbox', 'bob_1', 'message_1.json'),
      JSON.stringify({
        participants: [{ name: 'Bob' }],
        messages: [{ sender_name: 'Bob', timestamp_ms: 1714601000000, content: 'look at this', type: 'Share' }],
      }),
    );
    const { records } = await read(dir);
    expect(records.map((r) => [r.kind, r.text]).sort()).toEqual([
      ['message', 'look at this'],
      ['post', 'first part\n\nsecond'],
    ]);
  });

  it("without the profile file, attributes no message to the owner: another person's words never get the owner's account", async () => {
    const copy = join(tmp, 'fb-no-profile');
    await cp(fixture('facebook-new'), copy, { recursive: true });
    await rm(join(copy, 'personal_information'), { recursive: true });
    const { records } = await read(copy);
    const messages = records.filter((r) => r.kind === 'message');
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(m.account).toMatch(/^fb:n:[0-9a-f]{16}$/);
    // Posts and comments are the owner's whatever the profile says.
    expect(records.filter((r) => r.kind === 'post').every((r) => r.account === ACCOUNT)).toBe(true);
  });

  it('counts every file and every item: read, skipped or quarantined', async () => {
    const q = collector();
    const { records, summary } = await read(fixture('facebook-new'), { onQuarantine: q.onQuarantine });
    const files = await listFiles(fixture('facebook-new'));
    expect(summary.filesRead + (summary.skipped.file_not_used ?? 0) + (summary.skipped.e2ee ?? 0)).toBe(files.length);
    // Items in the fixture: 8 posts, 2 comments, 5 inbox messages.
    const skippedItems = Object.entries(summary.skipped)
      .filter(([k]) => k !== 'file_not_used' && k !== 'e2ee')
      .reduce((n, [, v]) => n + v, 0);
    expect(summary.records + skippedItems + summary.quarantined).toBe(8 + 2 + 5);
    expect(summary.records).toBe(records.length);
    expect(summary.skipped).toMatchObject({ no_text: 3, system_message: 1, unsent: 1 });
    expect(q.entries.map((e) => e.reason).sort()).toEqual(['bad_item', 'bad_item', 'bad_timestamp']);
    expect(q.entries.every((e) => e.file.endsWith('your_posts__check_ins__photos_and_videos_1.json'))).toBe(true);
    expect(JSON.stringify(q.entries)).not.toContain('FB-NEW'); // quarantine details carry no content
    expect(summary.unknownFields).toEqual({ 'facebook.post.brand_new_field': 1 });
  });

  it('lists at most 100 unknown field names and counts the rest together', async () => {
    const dir = join(tmp, 'made-up-keys');
    const items = Array.from({ length: 500 }, (_, i) => ({
      timestamp: 1714564800,
      data: [{ post: 'x' }],
      [`u${i}`]: 0,
    }));
    await mkdir(join(dir, 'posts'), { recursive: true });
    await writeFile(join(dir, 'posts', 'your_posts_1.json'), JSON.stringify(items));
    const { summary } = await read(dir);
    expect(Object.keys(summary.unknownFields)).toHaveLength(101);
    expect(summary.unknownFields['facebook.post.u99']).toBe(1);
    expect(summary.unknownFields['facebook.post.(other)']).toBe(400);
  });

  it('defaults posts to friends visibility and takes an explicit one', async () => {
    const { records } = await read(fixture('facebook-mid'));
    expect(new Set(records.map((r) => r.visibility))).toEqual(new Set(['friends']));
    const pub = await drain(
      readExport({ format: 'facebook', path: fixture('facebook-mid'), account: ACCOUNT, visibility: 'public' }),
    );
    expect(new Set(pub.records.map((r) => r.visibility))).toEqual(new Set(['public']));
  });

  it("never reads a file someone sent in a chat as the owner's post or comment, nor a look-alike e2ee folder", async () => {
    const dir = join(tmp, 'attachments');
    const write = async (path: string, value: unknown) => {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), JSON.stringify(value));
    };
    await write('personal_information/profile_information/profile_information.json', {
      profile_v2: { name: { full_name: 'Alice Owner' } },
    });
    await write('your_facebook_activity/posts/your_posts_1.json', [
      { timestamp: 1714600000, data: [{ post: 'mine' }] },
    ]);
    // Bob sent these in a chat: they sit in the thread's files/ folder, named like the owner's own files.
    await write('your_facebook_activity/messages/inbox/bob_1/files/comments_1234567890.json', {
      comments_v2: [{ timestamp: 1714600000, data: [{ comment: { timestamp: 1714600000, comment: 'BOB-COMMENT' } }] }],
    });
    await write('your_facebook_activity/messages/inbox/bob_1/files/your_posts_1.json', [
      { timestamp: 1714600000, data: [{ post: 'BOB-POST' }] },
    ]);
    await write('your_facebook_activity/messages/inbox/bob_1/files/message_1.json', {
      messages: [{ sender_name: 'Alice Owner', timestamp_ms: 1714601000000, content: 'BOB-FILE' }],
    });
    await write('your_facebook_activity/messages/e2ee_cutover_archived/carl_1/message_1.json', {
      messages: [{ sender_name: 'Carl', timestamp_ms: 1714601000000, content: 'E2EE-ARCHIVED' }],
    });
    const { records, summary } = await read(dir);
    expect(records.map((r) => r.text)).toEqual(['mine']);
    expect(summary.skipped).toMatchObject({ file_not_used: 3, e2ee: 1 });
  });

  it("gives no message to the owner when a thread has two participants of the owner's name", async () => {
    const dir = join(tmp, 'namesakes');
    await mkdir(join(dir, 'profile_information'), { recursive: true });
    await mkdir(join(dir, 'messages', 'inbox', 'grp_1'), { recursive: true });
    await writeFile(
      join(dir, 'profile_information', 'profile_information.json'),
      JSON.stringify({ profile_v2: { name: { full_name: 'John Smith' } } }),
    );
    const thread = (participants: string[]) =>
      JSON.stringify({
        participants: participants.map((name) => ({ name })),
        messages: [{ sender_name: 'John Smith', timestamp_ms: 1714601000000, content: 'which John?', type: 'Generic' }],
      });
    await writeFile(
      join(dir, 'messages', 'inbox', 'grp_1', 'message_1.json'),
      thread(['John Smith', 'John Smith', 'Mary']),
    );
    expect((await read(dir)).records.map((r) => r.account)).toEqual([expect.stringMatching(/^fb:n:/)]);
    await writeFile(join(dir, 'messages', 'inbox', 'grp_1', 'message_1.json'), thread(['John Smith', 'Mary']));
    expect((await read(dir)).records.map((r) => r.account)).toEqual([ACCOUNT]);
  });

  it('reads a tar.gz export like its folder, though the profile comes after the threads in the archive', async () => {
    const dir = join(tmp, 'tar-order');
    await mkdir(join(dir, 'messages', 'inbox', 'bob_1'), { recursive: true });
    await mkdir(join(dir, 'profile_information'), { recursive: true });
    await writeFile(
      join(dir, 'profile_information', 'profile_information.json'),
      JSON.stringify({ profile_v2: { name: { full_name: 'Alice Owner' } } }),
    );
    await writeFile(
      join(dir, 'messages', 'inbox', 'bob_1', 'message_1.json'),
      JSON.stringify({
        participants: [{ name: 'Alice Owner' }, { name: 'Bob' }],
        messages: [
          { sender_name: 'Bob', timestamp_ms: 1714601000000, content: 'bob words' },
          { sender_name: 'Alice Owner', timestamp_ms: 1714601060000, content: 'alice words' },
        ],
      }),
    );
    const archive = join(tmp, 'tar-order.tar.gz');
    await tarGzFolder(dir, archive);
    const byText = async (path: string) =>
      Object.fromEntries(
        (await read(path)).records.map((r) => [r.text, r.account.startsWith('fb:n:') ? 'other' : r.account]),
      );
    expect(await byText(archive)).toEqual({ 'bob words': 'other', 'alice words': ACCOUNT });
    expect(await byText(archive)).toEqual(await byText(dir));
  });

  it('keeps the fixture honest: the e2ee files really hold the marker text', async () => {
    const raw = await readFile(
      fixture('facebook-new', 'your_facebook_activity/messages/e2ee_cutover/geheimnis_20001/message_1.json'),
      'utf8',
    );
    expect(raw).toContain('E2EE-SECRET-CONTENT');
  });
});
