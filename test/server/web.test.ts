import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHome } from '../../src/config/home.ts';
import { openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, verifierKeyOf } from '../../src/log/note.ts';
import { type Receipt, verifyReceipt } from '../../src/log/receipt.ts';
import type { AccessLogLine, RunningServer, ServerOptions } from '../../src/server/app.ts';
import { api, Client, makeHome, readOutbox, serve, type TestHome } from './_harness.ts';

let t: TestHome;
let server: RunningServer;
let log: AccessLogLine[];

async function start(opts: ServerOptions = {}): Promise<Client> {
  log = [];
  server = await serve(t, { accessLog: (l) => log.push(l), ...opts });
  return new Client(server.url);
}

beforeEach(async () => {
  t = await makeHome({ persons: 30 });
});
afterEach(async () => {
  await server?.close();
  await t.cleanup();
});

/** Submits the objection form from a fresh page load, in the given language. */
async function object(c: Client, account: string, programme = '*', lang = 'en', reason = ''): Promise<Response> {
  const { csrf } = await c.page(`/?lang=${lang}`);
  return c.post('/object', { _csrf: csrf, account, programme, reason, lang });
}

/** Opens a mailed link and presses its button; returns the resulting page. */
async function follow(c: Client, link: string): Promise<{ status: number; html: string }> {
  const url = new URL(link);
  const { csrf, res } = await c.page(url.pathname + url.search);
  expect(res.status).toBe(200);
  const token = url.pathname.split('/').pop() as string;
  const action = url.pathname.startsWith('/withdraw') ? '/withdraw/confirm' : '/confirm';
  const done = await c.post(action, { _csrf: csrf, token, lang: 'en' });
  return { status: done.status, html: await done.text() };
}

function receiptOf(html: string): Receipt {
  const b64 = /href="data:application\/json;base64,([^"]+)"/.exec(html)?.[1];
  expect(b64).toBeDefined();
  return JSON.parse(Buffer.from(b64 as string, 'base64').toString('utf8'));
}

function withoutVolatile(h: Headers): [string, string][] {
  const out: [string, string][] = [];
  h.forEach((v, k) => {
    if (!['date', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(k)) out.push([k, v]);
  });
  return out;
}

/** The link of the n-th mail in the outbox. */
function linkAt(n: number): string {
  const link = readOutbox(t.dir)[n]?.link;
  if (!link) throw new Error(`no link in mail ${n}`);
  return link;
}

/**
 * Adds one person per e-mail (null: none on any account), each with one account (`zz:HANDLE:N`, person
 * `p:HANDLE-N`, N from 1) of the handle, in account order.
 */
async function personsWithHandle(handle: string, emails: readonly (string | null)[]): Promise<void> {
  await t.home.store.upsertAccounts(
    emails.map((email, i) => ({
      ...(t.accounts[i] as (typeof t.accounts)[number]),
      account: `zz:${handle}:${i + 1}`,
      person: `p:${handle}-${i + 1}`,
      handle,
      email,
    })),
  );
}

describe('objection form', () => {
  it('answers an existing and an unknown account identically, and mails only the registered address', async () => {
    const c = await start();
    const account = t.accounts.find((a) => a.source === 'instagram') ?? t.accounts[0];
    const a = await object(c, account?.handle as string);
    const aBody = await a.text();
    const b = await object(c, 'nobody.here@example.org');
    const bBody = await b.text();
    expect(b.status).toBe(a.status);
    expect(a.status).toBe(200);
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]*"/g, '');
    expect(strip(bBody)).toBe(strip(aBody));
    expect(Buffer.byteLength(bBody)).toBe(Buffer.byteLength(aBody));
    expect(withoutVolatile(b.headers)).toEqual(withoutVolatile(a.headers));

    await server.ctx.tasks.idle();
    const mails = readOutbox(t.dir);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe(account?.email);
    expect(mails[0]?.link).toMatch(new RegExp(`^${server.url}/confirm/`));
    // The mail holds the person's address and a live link: readable by the operator's user only, as documented.
    expect(statSync(join(t.dir, 'outbox', mails[0]?.file as string)).mode & 0o777).toBe(0o600);
  });

  it('finds the account when the handle or e-mail is typed full-width or pasted with invisible characters', async () => {
    const c = await start();
    const account = t.accounts[2];
    const fullWidth = (s: string) => s.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    // As copied from a profile page or a chat: direction isolates, a zero-width space, a soft hyphen.
    const handle = account?.handle as string;
    await object(c, `\u2066@${handle.slice(0, 2)}\u00ad${handle.slice(2)}\u2069\u200b`);
    // As a Japanese or Chinese keyboard types it, with an ideographic space after it.
    await object(c, `${fullWidth(account?.email as string)}\u3000`);
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).map((m) => m.to)).toEqual([account?.email, account?.email]);
  });

  it("mails the person's registered address for a handle of their account that has no e-mail, and files for the person", async () => {
    const c = await start();
    const owner = t.accounts[5] as (typeof t.accounts)[number];
    // An Instagram account signed up with a phone number: no e-mail in the identity graph.
    await t.home.store.upsertAccounts([
      { ...owner, account: 'ig:a:phone-only', source: 'instagram', handle: 'phone.only', email: null },
    ]);
    await object(c, '@phone.only');
    await server.ctx.tasks.idle();
    const mails = readOutbox(t.dir);
    expect(mails.map((m) => m.to)).toEqual([owner.email]);
    const done = await follow(c, linkAt(0));
    expect(done.status).toBe(200);
    expect(await t.home.store.findEffective(owner.person, 'person', '*')).toMatchObject({ state: 'effective' });
    // And it can be withdrawn the same way.
    const { csrf } = await c.page('/withdraw?lang=en');
    await c.post('/withdraw', { _csrf: csrf, account: 'phone.only', programme: '*', lang: 'en' });
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).map((m) => m.to)).toEqual([owner.email, owner.email]);
    expect((await follow(c, linkAt(1))).status).toBe(200);
    expect(await t.home.store.findEffective(owner.person, 'person', '*')).toBeUndefined();
  });

  it('mails the persons a shared handle names that can be mailed, also when others before them cannot', async () => {
    const c = await start();
    // Four persons with the handle `shared` on four platforms; the first three (in account order) have no e-mail on
    // any account. They took the three places before, and the fourth, who can be mailed, got nothing.
    await personsWithHandle('shared', [null, null, null, 'shared4@example.org']);
    await object(c, '@shared');
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).map((m) => m.to)).toEqual(['shared4@example.org']);
    expect((await follow(c, linkAt(0))).status).toBe(200);
    // Withdrawing: only the fourth has an objection to withdraw, and gets the link.
    const { csrf } = await c.page('/withdraw?lang=en');
    await c.post('/withdraw', { _csrf: csrf, account: 'shared', programme: '*', lang: 'en' });
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).map((m) => m.to)).toEqual(['shared4@example.org', 'shared4@example.org']);
  });

  it("gives the place of a person past this hour's limit of link mails to the next person the handle names", async () => {
    const c = await start();
    await personsWithHandle(
      'common',
      [1, 2, 3, 4].map((n) => `common${n}@example.org`),
    );
    // The first person has had this hour's link mails already (typed by their e-mail, say).
    while (server.ctx.subjects.take('mail:confirm:*:p:common-1'));
    await object(c, '@common');
    await server.ctx.tasks.idle();
    // The first took a place and got nothing before, so the fourth got nothing either. (Sent at once, in any order.)
    expect(
      readOutbox(t.dir)
        .map((m) => m.to)
        .sort(),
    ).toEqual(['common2@example.org', 'common3@example.org', 'common4@example.org']);
  });

  it('asks for a handle when the value typed is only an @ or invisible characters, and mails nobody', async () => {
    const c = await start();
    // Exports often write a missing handle as "" (the identity graph keeps it so), or as a lone invisible character:
    // such a value found those accounts and mailed their persons a link "for your account """.
    const [a, b] = t.accounts as [(typeof t.accounts)[number], (typeof t.accounts)[number]];
    await t.home.store.upsertAccounts([
      { ...a, account: 'ig:a:empty-1', source: 'instagram', handle: '' },
      { ...b, account: 'ig:a:empty-2', source: 'instagram', handle: '\u200b' },
    ]);
    for (const typed of ['@', '\u200b', '\u200e@\u200f', '\u00ad']) {
      const res = await object(c, typed);
      expect([res.status, await res.text()]).toEqual([400, expect.stringContaining('Enter the handle or e-mail')]);
    }
    const { csrf } = await c.page('/withdraw?lang=en');
    const res = await c.post('/withdraw', { _csrf: csrf, account: '\u2060', programme: '*', lang: 'en' });
    expect([res.status, await res.text()]).toEqual([400, expect.stringContaining('Enter the handle or e-mail')]);
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir)).toEqual([]);
  });

  it('files, confirms and shows a verifiable receipt; the deadline is judged by the submission time', async () => {
    const c = await start();
    const account = t.accounts[3];
    // Submitted one hour before the deadline of ai-training-2025, confirmed two hours later (within 24 h grace).
    t.clock.ms = Date.parse('2025-05-26T20:59:59Z');
    expect((await object(c, account?.email as string)).status).toBe(200);
    await server.ctx.tasks.idle();
    const [mail] = readOutbox(t.dir);
    expect(mail?.body).toContain(account?.handle);
    t.clock.advance(2 * 3_600_000);
    const page = await follow(c, mail?.link as string);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your objection is effective');
    const receipt = receiptOf(page.html);
    expect(receipt.late).toEqual({ 'ai-training-2025': false, 'assistant-2025': false });
    expect(receipt.subject).toBe(account?.person);
    expect(verifyReceipt(receipt, parseVerifierKey(server.ctx.verifierKey)).ok).toBe(true);
    const row = await t.home.store.getObjection(receipt.objection_id);
    expect(row?.channel).toBe('web');
    expect(row?.submitted_at).toBe('2025-05-26T20:59:59.000Z');
  });

  it('says on the receipt page and on /status for which programme a late objection is late, and in time for the rest', async () => {
    const c = await start();
    // After the deadline of ai-training-2025, before that of assistant-2025.
    t.clock.ms = Date.parse('2025-05-27T08:00:00Z');
    expect((await object(c, t.accounts[6]?.email as string)).status).toBe(200);
    await server.ctx.tasks.idle();
    const page = await follow(c, linkAt(0));
    const lateness = (html: string) => /<ul class="late">([\s\S]*?)<\/ul>/.exec(html)?.[1];
    const expected =
      '<li>Training of our AI models on public posts and AI-assistant chats: <strong>late: covers only future training</strong></li>' +
      '<li>Training on AI-assistant chats: <strong>in time</strong></li>';
    expect(lateness(page.html)).toBe(expected);
    const { csrf } = await c.page('/status?lang=en');
    const status = await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receiptOf(page.html)) });
    expect(lateness(await status.text())).toBe(expected);
  });

  it('judges the deadline by when the form arrived, the time its answer page shows, not by when the server got round to it', async () => {
    const c = await start();
    const account = t.accounts[4];
    const { csrf } = await c.page('/?lang=en');
    // Deadline night: the form arrives half a second before the deadline of ai-training-2025, and looking the account
    // up (a busy store, a long queue) takes a second.
    t.clock.ms = Date.parse('2025-05-26T21:59:58.500Z');
    const find = t.home.store.findAccounts.bind(t.home.store);
    t.home.store.findAccounts = async (value) => {
      t.clock.advance(1000);
      return find(value);
    };
    const sent = await c.post('/object', {
      _csrf: csrf,
      account: account?.email as string,
      programme: '*',
      lang: 'en',
    });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('26 May 2025 at 23:59');
    await server.ctx.tasks.idle();
    const page = await follow(c, linkAt(0));
    const receipt = receiptOf(page.html);
    expect(JSON.parse(receipt.leaf).submitted_at).toBe('2025-05-26T21:59:58.500Z');
    expect(receipt.late).toEqual({ 'ai-training-2025': false, 'assistant-2025': false });
  });

  it('shows on the link page what the objection is to and the reason sent with it, which the person may change or clear', async () => {
    const c = await start();
    const account = t.accounts[5];
    // Someone else types the person's e-mail, with a reason of their own.
    const sent = await object(c, account?.email as string, 'assistant-2025', 'en', 'Written by someone else <b>');
    expect(sent.status).toBe(200);
    await server.ctx.tasks.idle();
    const url = new URL(linkAt(0));
    const token = url.pathname.split('/').pop() as string;
    const shown = await c.page(url.pathname);
    expect(shown.html).toContain('This link is for an objection to <strong>Training on AI-assistant chats</strong>');
    expect(shown.html).toContain('>Written by someone else &lt;b&gt;</textarea>');
    // Too long: refused before the link is used, so that it still works.
    const long = await c.post('/confirm', { _csrf: shown.csrf, token, edit_reason: '1', reason: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('The reason is too long');
    // Cleared by the person, the reason is not stored with their objection.
    const done = await c.post('/confirm', { _csrf: shown.csrf, token, edit_reason: '1', reason: '  ' });
    expect(done.status).toBe(200);
    const receipt = receiptOf(await done.text());
    expect((await t.home.store.getObjection(receipt.objection_id))?.reason).toBeNull();
    // Pressed again with a reason over the limit: the link is used, and the page shows the receipt this link made
    // effective again (no field error for it).
    const usedLong = await c.post('/confirm', { _csrf: shown.csrf, token, edit_reason: '1', reason: 'x'.repeat(2001) });
    const usedPage = await usedLong.text();
    expect(receiptOf(usedPage)).toEqual(receipt);
    expect(usedPage).toContain('<h1>Your objection is effective</h1>');
    expect(usedPage).not.toContain('The reason is too long');
  });

  it('shows field errors tied to their fields and keeps what was typed', async () => {
    const c = await start();
    const { csrf } = await c.page('/?lang=en');
    const res = await c.post('/object', { _csrf: csrf, account: '  ', programme: 'nope', reason: 'r'.repeat(2001) });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('aria-describedby="account-hint account-error"');
    expect(html).toContain('id="account-error"');
    expect(html).toContain('id="reason-error"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('role="alert"');
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir)).toHaveLength(0);
  });

  it('says "Error" first in the title of a form that comes back with errors, which a screen reader announces on load', async () => {
    const c = await start();
    const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
    let { csrf, html } = await c.page('/?lang=en');
    expect(title(html)).toBe('Object to the use of your content for AI training · Objection to AI training');
    expect(title(await (await c.post('/object', { _csrf: csrf, account: '', lang: 'en' })).text())).toBe(
      'Error: Object to the use of your content for AI training · Objection to AI training',
    );
    // Every other form, in either language, with what makes it come back.
    for (const [path, form, lang, prefix] of [
      ['/object', { account: '' }, 'de', 'Fehler: '],
      ['/withdraw', { account: '' }, 'en', 'Error: '],
      ['/status', { receipt: '{' }, 'en', 'Error: '],
      ['/verify', { receipt: '' }, 'de', 'Fehler: '],
      ['/verify', { receipt: '{' }, 'en', 'Error: '],
    ] as const) {
      const page = path === '/object' ? '/' : path;
      ({ csrf } = await c.page(`${page}?lang=${lang}`));
      const answer = await (await c.post(path, { _csrf: csrf, ...form, lang })).text();
      expect(title(answer), `${path} ${lang}`).toMatch(new RegExp(`^${prefix}`));
    }
    await object(c, t.accounts[1]?.email as string);
    await server.ctx.tasks.idle();
    const url = new URL(linkAt(0));
    ({ csrf, html } = await c.page(url.pathname));
    expect(title(html)).not.toMatch(/Error/);
    const token = url.pathname.split('/').pop() as string;
    const long = await c.post('/confirm', {
      _csrf: csrf,
      token,
      edit_reason: '1',
      reason: 'x'.repeat(2001),
      lang: 'en',
    });
    expect(title(await long.text())).toMatch(/^Error: Confirm your objection/);
  });

  it('counts a line break in the reason as one character, as the browser does against maxlength', async () => {
    const c = await start();
    const { csrf } = await c.page('/?lang=en');
    // 2,000 characters as the browser counts them, 2,005 as sent.
    const reason = `${'x'.repeat(1990)}${'\r\ny'.repeat(5)}`;
    const res = await c.post('/object', { _csrf: csrf, account: t.accounts[3]?.handle as string, reason, lang: 'en' });
    expect(res.status).toBe(200);
  });

  it('confirms with the reason the form accepted, sent back unchanged from the link page with its line breaks', async () => {
    const c = await start();
    const account = t.accounts[4];
    const { csrf } = await c.page('/?lang=en');
    // 2,000 characters as the browser counts them; the link page's text area sends each line break as CR LF.
    const typed = `${'x'.repeat(1990)}${'\ny'.repeat(5)}`;
    const sent = await c.post('/object', { _csrf: csrf, account: account?.email as string, reason: typed, lang: 'en' });
    expect(sent.status).toBe(200);
    await server.ctx.tasks.idle();
    const url = new URL(linkAt(0));
    const token = url.pathname.split('/').pop() as string;
    const shown = await c.page(url.pathname);
    const reason = typed.replace(/\n/g, '\r\n');
    const done = await c.post('/confirm', { _csrf: shown.csrf, token, edit_reason: '1', reason, lang: 'en' });
    expect(done.status).toBe(200);
    const receipt = receiptOf(await done.text());
    expect((await t.home.store.getObjection(receipt.objection_id))?.reason).toBe(typed);
  });

  it('escapes everything it echoes', async () => {
    const c = await start();
    const { csrf } = await c.page('/?lang=en');
    const res = await c.post('/object', { _csrf: csrf, account: '', reason: '<script>alert(1)</script>"' });
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
  });
});

describe('landing page', () => {
  it('states what a programme uses and never uses, from its policy, and the days and hours left to object', async () => {
    const c = await start();
    const { html } = await c.page('/?lang=en');
    const from = html.indexOf('id="prog-ai-training-2025"');
    const section = html.slice(from, html.indexOf('</section>', from));
    const items = (heading: string) =>
      [...(new RegExp(`<h4>${heading}</h4><ul>(.*?)</ul>`).exec(section)?.[1] ?? '').matchAll(/<li>(.*?)<\/li>/g)].map(
        (m) => m[1],
      );
    expect(items('What is used')).toEqual([
      'Posts, comments, captions and stories on Facebook and Instagram',
      'Chats with the AI assistant',
      'Only content that was public',
      'Only content of people aged 18 or over when they posted it',
      'Only accounts in EU',
    ]);
    expect(items('What is never used')).toEqual([
      'End-to-end-encrypted chats',
      'Private messages and content that was not public',
      'Content of minors',
    ]);
    // 2025-05-20T10:00Z to 2025-05-26T21:59:59Z.
    expect(section).toContain('<strong>6 days and 11 hours left</strong>');
  });

  it('counts the deadline instant itself as open, as lateness does, and says it has passed only after it', async () => {
    const c = await start();
    const notice = 'The deadline has passed';
    // ai-training-2025 closes at 2025-05-26T23:59:59+02:00; an objection submitted at that instant is not late.
    const section = (html: string) => html.slice(html.indexOf('id="prog-ai-training-2025"'));
    t.clock.ms = Date.parse('2025-05-26T21:59:59Z');
    const at = section((await c.page('/?lang=en')).html);
    expect(at).toContain('less than a minute left');
    expect(at.slice(0, at.indexOf('</section>'))).not.toContain(notice);
    t.clock.ms += 1;
    const after = section((await c.page('/?lang=en')).html);
    expect(after.slice(0, after.indexOf('</section>'))).toContain(notice);
  });

  it('shows the deadline in the time zone the config names (an operator in Dublin), Berlin by default', async () => {
    const berlin = (await (await start()).page('/?lang=en')).html;
    expect(berlin).toContain('26 May 2025 at 23:59 (CEST)');
    await server.close();
    await t.cleanup();
    t = await makeHome({ persons: 30, timeZone: 'Europe/Dublin' });
    const dublin = (await (await start()).page('/?lang=en')).html;
    expect(dublin).toMatch(/26 May 2025 at 22:59 \((IST|GMT\+1)\)/);
  });

  it('marks a title the config gives only in English as English on a German page, so that a screen reader says it so', async () => {
    await t.cleanup();
    t = await makeHome({ persons: 30, assistantTitle: '{ en: "Training on AI-assistant chats" }' });
    const c = await start();
    const de = (await c.page('/?lang=de')).html;
    // The heading and the form's choice; the German default title of the other programme stays unmarked.
    expect(de.match(/<span lang="en">Training on AI-assistant chats<\/span>/g)?.length).toBe(2);
    expect(de).toContain('>Training unserer KI-Modelle mit öffentlichen');
    expect(de).not.toMatch(/<span lang="en">[^<]*öffentlichen/);
    const en = (await c.page('/?lang=en')).html;
    expect(en).toContain('Training on AI-assistant chats');
    expect(en).not.toContain('<span lang="en">');
    const withdraw = (await c.page('/withdraw?lang=de')).html;
    expect(withdraw).toContain('<span lang="en">Training on AI-assistant chats</span>');
  });

  it('says until when a mailed link works, which "3 days" read by the calendar gets wrong when the clocks go back', async () => {
    // Saturday 25 October 2025, 10:00 in Berlin; the clocks go back an hour the next night. Every programme is closed,
    // so a link for "*" lives the longest grace window, 72 hours: until Tuesday 09:00, not 10:00.
    t.clock.ms = Date.parse('2025-10-25T08:00:00Z');
    const c = await start();
    const account = t.accounts[4];
    for (const lang of ['en', 'de'] as const) {
      const sent = await (await object(c, account?.handle as string, '*', lang)).text();
      expect(sent).toContain(
        lang === 'en'
          ? 'by 28 October 2025 at 09:00 (CET) at the latest'
          : 'spätestens bis 28. Oktober 2025 um 09:00 (MEZ)',
      );
    }
    await server.ctx.tasks.idle();
    const [en, de] = readOutbox(t.dir);
    expect(en?.body).toContain('by 28 October 2025 at 09:00 (CET) at the latest');
    expect(de?.body).toContain('spätestens bis 28. Oktober 2025 um 09:00 (MEZ)');
    // That is when it expires.
    t.clock.ms = Date.parse('2025-10-28T07:59:00Z');
    const { res } = await c.page(new URL(en?.link as string).pathname);
    expect(res.status).toBe(200);
    t.clock.ms = Date.parse('2025-10-28T08:00:01Z');
    expect((await follow(c, en?.link as string)).status).toBe(410);
    // A withdrawal link (24 hours) requested on the Saturday works until Sunday 09:00.
    t.clock.ms = Date.parse('2025-10-25T08:00:00Z');
    await t.home.registry.object({ subject: account?.person as string, channel: 'api' });
    const { csrf } = await c.page('/withdraw?lang=en');
    const asked = await c.post('/withdraw', {
      _csrf: csrf,
      account: account?.handle as string,
      programme: '*',
      lang: 'en',
    });
    expect(await asked.text()).toContain('until 26 October 2025 at 09:00 (CET)');
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir)[2]?.body).toContain('by 26 October 2025 at 09:00 (CET) at the latest');
  });
});

describe('link tokens', () => {
  it('shows the receipt again on a second press, and refuses a wrong and a malformed token', async () => {
    const c = await start();
    await object(c, t.accounts[0]?.email as string);
    await server.ctx.tasks.idle();
    const link = readOutbox(t.dir)[0]?.link as string;
    const first = await follow(c, link);
    expect(first.status).toBe(200);
    // A double click or a reload must not lose the receipt: the same objection's receipt, nothing new logged.
    const size = server.ctx.registry.size;
    const again = await follow(c, link);
    expect(again.status).toBe(200);
    expect(receiptOf(again.html).objection_id).toBe(receiptOf(first.html).objection_id);
    expect(server.ctx.registry.size).toBe(size);

    const { csrf } = await c.page('/verify');
    const wrong = await c.post('/confirm', { _csrf: csrf, token: randomBytes(32).toString('base64url') });
    expect(wrong.status).toBe(404);
    const malformed = await c.post('/confirm', { _csrf: csrf, token: 'short' });
    expect(malformed.status).toBe(404);
    expect((await c.request('/confirm/short')).status).toBe(404);

    // Paths the router cannot take: a page with the security headers, never the path (a link token) echoed.
    const token = `${'t'.repeat(120)}secret`;
    for (const [path, status] of [
      [`/confirm/${token}`, 404],
      ['/confirm/%E0%A4%A', 400],
    ] as const) {
      const res = await c.request(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).not.toContain('secret');
    }
    // In the language the person chose, which the mailed link carries (or the switch left in a cookie), not the
    // browser's: the person reads German, and the page tells them what became of their link.
    for (const [path, headers] of [
      [`/confirm/${token}?lang=de`, {}],
      ['/confirm/%E0%A4%A?lang=de', {}],
      ['/confirm/%E0%A4%A', { cookie: 'lang=de' }],
    ] as const) {
      const res = await fetch(server.url + path, { headers: { 'accept-language': 'en', ...headers } });
      const html = await res.text();
      expect(html, path).toContain('<html lang="de">');
      expect(html, path).toMatch(/<h1>(Seite nicht gefunden|Etwas ist schiefgegangen)<\/h1>/);
    }
    const api = await c.request(`/api/v1/objections/%zz${token}`);
    expect(api.status).toBe(400);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(await api.text()).not.toContain('secret');
  });

  it('answers a double click with the receipt twice, and lets a press that failed be tried again', async () => {
    const c = await start();
    await object(c, t.accounts[4]?.email as string);
    await object(c, t.accounts[5]?.email as string);
    await server.ctx.tasks.idle();
    // Both presses arrive before the first one's commit is done.
    const url = new URL(linkAt(0));
    const { csrf } = await c.page(url.pathname);
    const token = url.pathname.split('/').pop() as string;
    const presses = await Promise.all([0, 1].map(() => c.post('/confirm', { _csrf: csrf, token, lang: 'en' })));
    expect(presses.map((r) => r.status)).toEqual([200, 200]);
    const ids = await Promise.all(presses.map(async (r) => receiptOf(await r.text()).objection_id));
    expect(ids[1]).toBe(ids[0]);

    const registry = server.ctx.registry;
    const confirmPending = registry.confirmPending.bind(registry);
    let fail = true;
    registry.confirmPending = async (id) => {
      if (!fail) return confirmPending(id);
      fail = false;
      throw new Error('the disk is full');
    };
    const failed = await follow(c, linkAt(1));
    expect(failed.status).toBe(500);
    const retried = await follow(c, linkAt(1));
    expect(retried.status).toBe(200);
    expect(receiptOf(retried.html).objection_id).toMatch(/^o_/);
  });

  it('never changes anything on a second press: a link whose objection was withdrawn since stays used', async () => {
    const c = await start();
    const account = t.accounts[2];
    // The person already objects; the form then finds that objection in force.
    await t.home.registry.object({ subject: account?.person as string, channel: 'api' });
    await object(c, account?.email as string);
    await server.ctx.tasks.idle();
    const link = linkAt(0);
    const first = await follow(c, link);
    expect(first.status).toBe(200);
    // The objection in force was there before the press, and a second press still says so.
    expect(first.html).toContain('<h1>Your objection was already effective</h1>');
    const second = await follow(c, link);
    expect(second.status).toBe(200);
    expect(second.html).toContain('<h1>Your objection was already effective</h1>');
    await t.home.registry.withdraw({ subject: account?.person as string, channel: 'api' });
    const size = server.ctx.registry.size;
    const after = await follow(c, link);
    expect(after.status).toBe(410);
    expect(after.html).toContain('already been used');
    expect(server.ctx.registry.size).toBe(size);
    const states = await t.home.store.countObjections();
    expect(states.filter((r) => r.state === 'effective')).toEqual([]);
    // The link made nothing effective (the objection in force covered it): nothing counted as filed by the web.
    const counters = (await api(server.url, '/metrics')).text
      .split('\n')
      .filter((l) => /^dissent_(objections_filed|link_tokens)_total\{/.test(l));
    expect(counters.sort()).toEqual([
      'dissent_link_tokens_total{purpose="confirm",result="ok"} 1',
      'dissent_link_tokens_total{purpose="confirm",result="replayed"} 1',
      'dissent_link_tokens_total{purpose="confirm",result="used"} 1',
    ]);
  });

  it('keeps the language switch of a confirmation page on that page', async () => {
    const c = await start();
    await object(c, t.accounts[1]?.email as string);
    await server.ctx.tasks.idle();
    const url = new URL(linkAt(0));
    const { html, csrf } = await c.page(`${url.pathname}?lang=en`);
    // A button that posts the link's form back to the link's page, so that an edited reason goes along.
    expect(html).toContain(`form="link-form" formaction="${url.pathname}?lang=de" name="switch_lang"`);
    const de = await c.page(`${url.pathname}?lang=de`);
    expect(de.html).toContain('<html lang="de">');
    expect(de.html).toContain('name="token"');
    const token = url.pathname.split('/').pop() as string;
    const fields = { token, lang: 'en', edit_reason: '1', reason: 'Edited\r\nby me', switch_lang: 'de' };
    const switched = await c.post(`${url.pathname}?lang=de`, { ...fields, _csrf: csrf });
    expect(switched.status).toBe(200);
    const page = await switched.text();
    expect(page).toContain('<html lang="de">');
    expect(page).toContain('>Edited\nby me</textarea>');
    // Like every form, only with the CSRF token; and the link is still unused.
    expect((await c.post(`${url.pathname}?lang=de`, fields)).status).toBe(403);
    const filed = await c.post('/confirm', { ...fields, _csrf: /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' });
    expect(filed.status).toBe(200);
    const receipt = receiptOf(await filed.text());
    expect((await t.home.store.getObjection(receipt.objection_id))?.reason).toBe('Edited\nby me');
  });

  it("keeps a receipt page's language switch on the receipt: it presses the link again, which changes nothing", async () => {
    const c = await start();
    const account = t.accounts[3];
    await object(c, account?.email as string);
    await server.ctx.tasks.idle();
    /** Presses the language switch of a receipt page: its form, posted to the switch's formaction. */
    const switchLanguage = async (html: string) => {
      const action = /form="again-form" formaction="([^"]+)" name="switch_lang" value="(\w+)"/.exec(html);
      expect(action, 'the switch posts the receipt form').not.toBeNull();
      const form = /<form id="again-form"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
      const fields = Object.fromEntries(
        [...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
      );
      const res = await c.post(action?.[1] as string, { ...fields, switch_lang: action?.[2] as string });
      return { status: res.status, html: await res.text() };
    };

    const confirmed = await follow(c, linkAt(0));
    expect(confirmed.html).toContain('<html lang="en">');
    const size = server.ctx.registry.size;
    const de = await switchLanguage(confirmed.html);
    expect(de.status).toBe(200);
    expect(de.html).toContain('<html lang="de">');
    expect(receiptOf(de.html)).toEqual(receiptOf(confirmed.html));
    // The press made the objection effective: the page says so in either language, not that it already was.
    expect(confirmed.html).toContain('<h1>Your objection is effective</h1>');
    expect(de.html).toContain('<h1>Ihr Widerspruch ist wirksam</h1>');
    const en = await switchLanguage(de.html);
    expect(en.html).toContain('<html lang="en">');
    expect(receiptOf(en.html)).toEqual(receiptOf(confirmed.html));

    // The same on a withdrawal's receipt page.
    const { csrf } = await c.page('/withdraw?lang=en');
    await c.post('/withdraw', { _csrf: csrf, account: account?.email as string, programme: '*' });
    await server.ctx.tasks.idle();
    const mail = readOutbox(t.dir).find((m) => m.link?.includes('/withdraw/confirm/'));
    const withdrawn = await follow(c, mail?.link as string);
    expect(withdrawn.status).toBe(200);
    const withdrawal = receiptOf(withdrawn.html);
    expect(JSON.parse(withdrawal.leaf).type).toBe('withdrawal');
    const sizeAfter = server.ctx.registry.size;
    expect(sizeAfter).toBe(size + 1);
    const wDe = await switchLanguage(withdrawn.html);
    expect(wDe.status).toBe(200);
    expect(wDe.html).toContain('<html lang="de">');
    expect(receiptOf(wDe.html)).toEqual(withdrawal);
    // Nothing was logged or changed by the presses: the objection stays withdrawn.
    expect(server.ctx.registry.size).toBe(sizeAfter);
    expect((await t.home.store.getObjection(withdrawal.objection_id))?.state).toBe('withdrawn');
  });

  it('refuses an expired token: the link lives as long as the shortest grace window for "*"', async () => {
    const c = await start();
    await object(c, t.accounts[0]?.email as string);
    await server.ctx.tasks.idle();
    const link = readOutbox(t.dir)[0]?.link as string;
    t.clock.advance(24 * 3_600_000 + 1);
    const res = await follow(c, link);
    expect(res.status).toBe(410);
    expect(res.html).toContain('expired');
    const pending = await t.home.store.countObjections();
    expect(pending.find((r) => r.state === 'effective')).toBeUndefined();
    expect(pending.find((r) => r.state === 'pending')?.n).toBe(1);
    // A server starting (and every hour after) deletes the request nobody can confirm any more, reason and all.
    await server.close();
    await start();
    await server.ctx.tasks.idle();
    expect(await t.home.store.countObjections()).toEqual([]);
    expect((await api(server.url, '/metrics')).text).toMatch(/^dissent_unconfirmed_purged_total 1$/m);
    // The link, opened once more, is unknown now; the page still says that it may have expired, as it did.
    const purged = await follow(new Client(server.url), link);
    expect(purged.status).toBe(404);
    expect(purged.html).toContain('or it has expired');
  });

  it('lets a closed programme\'s grace window no longer cut short the link of an objection to "*"', async () => {
    // Both deadlines have passed: the objection is late everywhere however soon it is confirmed, so the longest
    // window (72 h) applies, not the closed assistant programme's 24 h.
    await t.cleanup();
    t = await makeHome({ persons: 30, now: '2025-07-01T10:00:00Z' });
    const c = await start();
    await object(c, t.accounts[0]?.email as string);
    await server.ctx.tasks.idle();
    t.clock.advance(48 * 3_600_000);
    const res = await follow(c, readOutbox(t.dir)[0]?.link as string);
    expect(res.status).toBe(200);
    expect(receiptOf(res.html).late).toEqual({ 'ai-training-2025': true, 'assistant-2025': true });
  });

  it('does not accept a confirmation link as a withdrawal link, nor use it up there', async () => {
    const c = await start();
    await object(c, t.accounts[0]?.email as string);
    await server.ctx.tasks.idle();
    const token = linkAt(0).split('/confirm/')[1]?.split('?')[0] as string;
    const { csrf } = await c.page('/');
    expect((await c.post('/withdraw/confirm', { _csrf: csrf, token })).status).toBe(404);
    const confirmed = await follow(c, linkAt(0));
    expect(confirmed.status).toBe(200);
    expect(receiptOf(confirmed.html).objection_id).toMatch(/^o_/);
  });

  it('limits token attempts per address', async () => {
    const c = await start({ limits: { tokenAttemptsPer15Min: 3 } });
    const { csrf } = await c.page('/');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await c.post('/confirm', { _csrf: csrf, token: randomBytes(32).toString('base64url') })).status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });

  it('tells a person whose address is past the link limit when to come back, and that the link still works', async () => {
    // Behind a busy NAT (a mobile network, a campus), a person who opens their link may meet others' attempts.
    const c = await start({ limits: { tokenAttemptsPer15Min: 1 } });
    const account = t.accounts.find((a) => a.handle && a.email);
    expect((await object(c, account?.handle as string)).status).toBe(200);
    await server.ctx.tasks.idle();
    const link = new URL(linkAt(0));
    expect((await c.request(`${link.pathname}?lang=en`)).status).toBe(200);
    for (const lang of ['en', 'de']) {
      const res = await c.request(`${link.pathname}?lang=${lang}`);
      expect(res.status).toBe(429);
      const minutes = Math.ceil(Number(res.headers.get('retry-after')) / 60);
      expect(minutes).toBeGreaterThan(10);
      const text = (await res.text()).replace(/\s+/g, ' ');
      // Not "wait a few minutes": the limit lasts 15 minutes, and trying again sooner only fails again.
      expect(text).not.toMatch(/a few minutes|einige Minuten/);
      expect(text).toContain(lang === 'en' ? `in ${minutes} minutes` : `in ${minutes} Minuten`);
      expect(text).toContain(lang === 'en' ? 'did nothing with the link' : 'nichts geschehen');
    }
    // The link was indeed not used: pressing it (a route with a limit of its own) still confirms.
    const { csrf } = await c.page('/');
    const token = link.pathname.split('/').pop() as string;
    const pressed = await c.post('/confirm', { _csrf: csrf, token, lang: 'en' });
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('id="download"');
  });
});

describe('CSRF', () => {
  it('refuses every form post without a valid token (403)', async () => {
    const c = await start();
    await c.page('/');
    const forms = {
      '/object': { account: 'x' },
      '/withdraw': { account: 'x' },
      '/verify': { receipt: '{}' },
      '/status': { receipt: '{}' },
      '/confirm': { token: 'a'.repeat(43) },
      '/withdraw/confirm': { token: 'a'.repeat(43) },
    };
    for (const [path, fields] of Object.entries(forms)) {
      expect((await c.post(path, fields)).status, path).toBe(403);
      expect((await c.post(path, { ...fields, _csrf: 'forged' })).status, path).toBe(403);
      const { csrf } = await c.page('/');
      expect(
        (await new Client(server.url).post(path, { ...fields, _csrf: csrf })).status,
        `${path} without cookie`,
      ).toBe(403);
    }
  });

  it('tells a person whose browser blocks cookies why the form keeps failing, instead of only "reload"', async () => {
    // A browser that refuses cookies never sends the CSRF cookie back: reloading and sending again fails every time.
    const c = await start();
    for (const lang of ['en', 'de']) {
      const { csrf } = await c.page(`/?lang=${lang}`);
      const res = await new Client(server.url).post('/object', { _csrf: csrf, account: 'x', lang });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(lang === 'en' ? 'cookie' : 'Cookie');
    }
  });

  it("says in the reader's language that a form sent as multipart, text or JSON could not be read, and files nothing", async () => {
    const c = await start();
    const account = t.accounts[2];
    for (const [lang, headers] of [
      ['en', { 'accept-language': 'en-GB,en;q=0.9' }],
      ['de', { 'accept-language': 'de-DE' }],
    ] as const) {
      const fresh = new Client(server.url);
      const { csrf } = await fresh.page('/', { headers });
      const fields = { _csrf: csrf, account: account?.email as string, programme: '*', lang };
      const multipart = new FormData();
      for (const [k, v] of Object.entries(fields)) multipart.set(k, v);
      for (const [path, body, type] of [
        ['/object', multipart, undefined],
        ['/object', new URLSearchParams(fields).toString(), 'text/plain'],
        ['/object', JSON.stringify(fields), 'application/json'],
        ['/withdraw', multipart, undefined],
        ['/status', multipart, undefined],
        ['/confirm', multipart, undefined],
      ] as const) {
        const res = await fresh.request(path, {
          method: 'POST',
          body,
          headers: { ...headers, ...(type ? { 'content-type': type } : {}) },
        });
        const page = await res.text();
        expect(res.status, `${lang} ${path} ${type ?? 'multipart'}`).toBe(415);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page).toContain(`<html lang="${lang}">`);
        expect(page).toContain(
          lang === 'en' ? 'The form could not be read' : 'Das Formular konnte nicht gelesen werden',
        );
        expect(page).not.toMatch(/try again later|später erneut|expired|abgelaufen/i);
      }
    }
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir)).toEqual([]);
    // The language chosen on the page (its cookie) wins over the browser's, as on every page.
    const { csrf } = await c.page('/?lang=en', { headers: { 'accept-language': 'de' } });
    const form = new FormData();
    form.set('_csrf', csrf);
    const res = await c.request('/object', { method: 'POST', body: form, headers: { 'accept-language': 'de' } });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('<html lang="en">');
    // The url-encoded form still works, and POST /verify still takes its file as multipart.
    expect((await object(c, account?.email as string)).status).toBe(200);
    const verify = await c.page('/verify?lang=en');
    const upload = new FormData();
    upload.set('_csrf', verify.csrf);
    upload.set('receipt', '');
    upload.set('file', new Blob(['{}']), 'receipt.json');
    expect((await c.request('/verify', { method: 'POST', body: upload })).status).toBe(200);
  });
});

describe('withdrawal, status and verification pages', () => {
  it('withdraws by mailed link, and /status shows state, lateness and the snapshots that honour it', async () => {
    const c = await start();
    const account = t.accounts[5];
    await object(c, account?.handle as string, 'ai-training-2025');
    await server.ctx.tasks.idle();
    const confirmed = await follow(c, readOutbox(t.dir)[0]?.link as string);
    const receipt = receiptOf(confirmed.html);
    await t.home.store.recordSnapshot({
      id: 'snap-1',
      programme: 'ai-training-2025',
      cut_size: receipt.leaf_index + 1,
      manifest_sha256: 'a'.repeat(64),
      out_dir: '/tmp/x',
      records_kept: 10,
      created_at: '2025-06-01T00:00:00Z',
    });
    await t.home.store.recordSnapshot({
      id: 'snap-old',
      programme: 'ai-training-2025',
      cut_size: receipt.leaf_index,
      manifest_sha256: 'b'.repeat(64),
      out_dir: '/tmp/y',
      records_kept: 10,
      created_at: '2025-05-21T00:00:00Z',
    });
    // Built over snap-old in its folder (build --force): snap-old's files are gone, but it may have fed a training run.
    await t.home.store.recordSnapshot({
      id: 'snap-redo',
      programme: 'ai-training-2025',
      cut_size: receipt.leaf_index,
      manifest_sha256: 'd'.repeat(64),
      out_dir: '/tmp/y',
      records_kept: 9,
      created_at: '2025-05-25T00:00:00Z',
    });
    // A snapshot of another programme, which the objection does not cover, is none of the person's business here.
    await t.home.store.recordSnapshot({
      id: 'snap-assistant',
      programme: 'assistant-2025',
      cut_size: 0,
      manifest_sha256: 'c'.repeat(64),
      out_dir: '/tmp/z',
      records_kept: 10,
      created_at: '2025-05-21T00:00:00Z',
    });
    let { csrf } = await c.page('/status?lang=en');
    let status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receipt) })).text();
    expect(status).toMatch(/id="state"><strong>effective/);
    const honouring = /<ul id="snapshots">([\s\S]*?)<\/ul>/.exec(status)?.[1] ?? '';
    expect(honouring).toContain('snap-1');
    expect(honouring).not.toContain('snap-old');
    const without = /<ul id="snapshots-without">([\s\S]*?)<\/ul>/.exec(status)?.[1] ?? '';
    expect(without).toContain('snap-old');
    const rowsOf = (list: string) => [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1] as string);
    expect(rowsOf(without).find((r) => r.startsWith('snap-old:'))).toMatch(
      /; replaced by snap-redo on .*, built again in the same folder \(it may have been used for training before\)$/,
    );
    expect(rowsOf(without).find((r) => r.startsWith('snap-redo:'))).not.toContain('replaced');
    expect(honouring).not.toContain('replaced');
    expect(status).not.toContain('snap-assistant');

    ({ csrf } = await c.page('/withdraw?lang=en'));
    expect(
      (await c.post('/withdraw', { _csrf: csrf, account: account?.email as string, programme: 'ai-training-2025' }))
        .status,
    ).toBe(200);
    await server.ctx.tasks.idle();
    const mail = readOutbox(t.dir).find((m) => m.link?.includes('/withdraw/confirm/'));
    expect(mail?.to).toBe(account?.email);
    const withdrawn = await follow(c, mail?.link as string);
    expect(withdrawn.status).toBe(200);
    const wReceipt = receiptOf(withdrawn.html);
    expect(JSON.parse(wReceipt.leaf).type).toBe('withdrawal');
    expect(verifyReceipt(wReceipt, parseVerifierKey(server.ctx.verifierKey)).ok).toBe(true);

    ({ csrf } = await c.page('/status?lang=en'));
    status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(wReceipt) })).text();
    expect(status).toMatch(/id="state"><strong>withdrawn/);

    // The `late` map is not signed: /status shows the registry's lateness, whatever the posted receipt says.
    const relabelled = { ...receipt, late: { 'ai-training-2025': true } };
    ({ csrf } = await c.page('/status?lang=en'));
    status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(relabelled) })).text();
    expect(status).toMatch(/id="state"><strong>withdrawn/);
    expect(status).not.toContain('late: covers only future training');
    expect(status).toMatch(/: <strong>in time<\/strong>/);
    ({ csrf } = await c.page('/status?lang=en'));
    const emptied = JSON.stringify({ ...receipt, late: {} });
    status = await (await c.post('/status', { _csrf: csrf, receipt: emptied })).text();
    expect(status).toMatch(/: <strong>in time<\/strong>/);

    const forged = { ...receipt, salt: 'f'.repeat(64) };
    ({ csrf } = await c.page('/status?lang=en'));
    status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(forged) })).text();
    expect(status).toContain('not valid');

    // The operator's counters saw one objection made effective by link (covering one programme), one withdrawal,
    // and each link used once.
    const counters = (await api(server.url, '/metrics')).text
      .split('\n')
      .filter((l) => /^dissent_(objections_filed|withdrawals|link_tokens)_total\{/.test(l));
    expect(counters.sort()).toEqual([
      'dissent_link_tokens_total{purpose="confirm",result="ok"} 1',
      'dissent_link_tokens_total{purpose="withdraw",result="ok"} 1',
      'dissent_objections_filed_total{channel="web",programme="ai-training-2025",late="false"} 1',
      'dissent_withdrawals_total{channel="web"} 1',
    ]);
  });

  it('withdraws nothing with a withdrawal link whose objection was withdrawn since, not even a newer objection', async () => {
    const c = await start();
    const account = t.accounts[6];
    const first = await t.home.registry.object({ subject: account?.person as string, channel: 'api' });
    const { csrf } = await c.page('/withdraw?lang=en');
    await c.post('/withdraw', { _csrf: csrf, account: account?.email as string, programme: '*' });
    await server.ctx.tasks.idle();
    const link = readOutbox(t.dir).find((m) => m.link?.includes('/withdraw/confirm/'))?.link as string;
    // Withdrawn by the operator meanwhile, and objected to again.
    await t.home.registry.withdraw({ subject: account?.person as string, channel: 'api' });
    const second = await t.home.registry.object({ subject: account?.person as string, channel: 'api' });
    expect(second.receipt.objection_id).not.toBe(first.receipt.objection_id);
    const pressed = await follow(c, link);
    expect(pressed.status).toBe(410);
    expect((await t.home.store.getObjection(second.receipt.objection_id))?.state).toBe('effective');
    expect(await t.home.store.logSize()).toBe(3);
  });

  it('/status of a withdrawn objection gives when it was submitted and withdrawn, and that new snapshots no longer honour it', async () => {
    const c = await start();
    const subject = t.accounts[8]?.person as string;
    t.clock.ms = Date.parse('2025-05-20T10:00:00Z');
    const { receipt } = await t.home.registry.object({ subject, channel: 'cli' });
    t.clock.ms = Date.parse('2025-05-22T15:30:00Z');
    await t.home.registry.withdraw({ subject, channel: 'cli' });
    const { csrf } = await c.page('/status?lang=en');
    const status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receipt) })).text();
    expect(status).toMatch(/id="state"><strong>withdrawn/);
    expect(status).toContain('<dt>Submitted at</dt><dd>20 May 2025 at 12:00');
    expect(status).toContain('<dt>Withdrawn at</dt><dd>22 May 2025 at 17:30');
    expect(status).toContain(
      '<p id="snapshots">After the withdrawal, new snapshots no longer honour the objection.</p>',
    );
  });

  it('/status names the snapshots built without a late objection, and never says none was built since when one was', async () => {
    const c = await start();
    const account = t.accounts[3];
    // A first snapshot built before the objection, and a second one whose build pinned its cut before the objection
    // was logged but finished after it was submitted (a long build, or one resumed): neither honours it.
    await t.home.store.recordSnapshot({
      id: 'snap-before',
      programme: 'ai-training-2025',
      cut_size: 0,
      manifest_sha256: 'a'.repeat(64),
      out_dir: '/tmp/x',
      records_kept: 10,
      created_at: '2025-06-01T00:00:00Z',
    });
    t.clock.advance(30 * 24 * 3600_000);
    const { receipt } = await t.home.registry.object({ subject: account?.account as string, channel: 'cli' });
    await t.home.store.recordSnapshot({
      id: 'snap-racing',
      programme: 'ai-training-2025',
      cut_size: receipt.leaf_index,
      manifest_sha256: 'b'.repeat(64),
      out_dir: '/tmp/y',
      records_kept: 10,
      created_at: new Date(t.clock.ms + 60_000).toISOString(),
    });
    const { csrf } = await c.page('/status?lang=en');
    const status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receipt) })).text();
    expect(status).toMatch(/id="state"><strong>effective/);
    expect(status).not.toContain('No training snapshot has been built since');
    expect(status).toContain('No training snapshot honours it yet');
    const without = /<ul id="snapshots-without">([\s\S]*?)<\/ul>/.exec(status)?.[1] ?? '';
    expect(without).toContain('snap-before');
    expect(without).toContain('snap-racing');
  });

  it('/status says that no snapshot has been built yet when there is none, not that every one was cut before it', async () => {
    const c = await start();
    const { receipt } = await t.home.registry.object({ subject: t.accounts[3]?.account as string, channel: 'cli' });
    let { csrf } = await c.page('/status?lang=en');
    let status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receipt) })).text();
    expect(status).toContain(
      'No training snapshot of the programmes it covers has been built yet. Every snapshot cut from now on will honour it.',
    );
    expect(status).not.toContain('every snapshot so far');
    ({ csrf } = await c.page('/status?lang=de'));
    status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(receipt), lang: 'de' })).text();
    expect(status).toContain('Für die Programme, die er abdeckt, wurde noch kein Trainings-Snapshot erstellt.');
  });

  it("/status says when an objection covers one account only, not all of the person's linked accounts", async () => {
    const c = await start();
    const person = t.accounts.find((a) => t.accounts.some((b) => b.person === a.person && b.account !== a.account));
    const filed = await t.home.registry.object({
      subject: person?.account as string,
      accountOnly: true,
      channel: 'cli',
    });
    let { csrf } = await c.page('/status?lang=en');
    let status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(filed.receipt) })).text();
    expect(status).toContain('this account only, not the accounts linked to it');
    ({ csrf } = await c.page('/status?lang=de'));
    status = await (
      await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(filed.receipt), lang: 'de' })
    ).text();
    expect(status).toContain('nur dieses Konto');
    const whole = await t.home.registry.object({ subject: person?.person as string, channel: 'cli' });
    ({ csrf } = await c.page('/status?lang=en'));
    status = await (await c.post('/status', { _csrf: csrf, receipt: JSON.stringify(whole.receipt) })).text();
    expect(status).not.toContain('this account only');
  });

  it("mails a withdrawal link for one account's objection even when its person also objects to everything", async () => {
    const c = await start();
    const account = t.accounts[9];
    await t.home.registry.object({
      subject: account?.account as string,
      accountOnly: true,
      programme: 'ai-training-2025',
      channel: 'api',
    });
    await t.home.registry.object({ subject: account?.person as string, channel: 'api' });
    const { csrf } = await c.page('/withdraw?lang=en');
    await c.post('/withdraw', { _csrf: csrf, account: account?.email as string, programme: 'ai-training-2025' });
    await server.ctx.tasks.idle();
    const mail = readOutbox(t.dir).find((m) => m.link?.includes('/withdraw/confirm/'));
    expect(mail?.to).toBe(account?.email);
    // The page says what pressing its button takes back, by the programme's title.
    expect((await c.page(new URL(mail?.link as string).pathname)).html).toContain(
      'This link withdraws the objection to <strong>Training of our AI models on public posts and AI-assistant chats</strong>',
    );
    const withdrawn = await follow(c, mail?.link as string);
    const leaf = JSON.parse(receiptOf(withdrawn.html).leaf);
    expect(leaf).toMatchObject({ type: 'withdrawal', programme: 'ai-training-2025', scope: 'account' });
  });

  it('sends no withdrawal mail when there is nothing to withdraw, and answers the same', async () => {
    const c = await start();
    let { csrf } = await c.page('/withdraw?lang=en');
    const a = await c.post('/withdraw', { _csrf: csrf, account: t.accounts[7]?.email as string, programme: '*' });
    ({ csrf } = await c.page('/withdraw?lang=en'));
    const b = await c.post('/withdraw', { _csrf: csrf, account: 'ghost@example.org', programme: '*' });
    expect(await a.text()).toBe(await b.text());
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir)).toHaveLength(0);
  });

  it('verifies on the server without JavaScript: valid and tampered receipts', async () => {
    const c = await start();
    const r = await t.home.registry.object({ subject: 'p:4', channel: 'cli' });
    let { csrf } = await c.page('/verify?lang=en');
    let html = await (await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify(r.receipt) })).text();
    expect(html).toContain('data-valid="true"');
    expect(html).toContain('Checked on the server');
    expect(html).toContain('It records an objection to all current and future AI training.');
    // `late` is not signed, so a changed one still verifies: the page shows the signed time that decides lateness.
    const signedAt = (JSON.parse(r.receipt.leaf) as { submitted_at: string }).submitted_at;
    const flipped = Object.fromEntries(Object.entries(r.receipt.late).map(([p, late]) => [p, !late]));
    ({ csrf } = await c.page('/verify?lang=en'));
    html = await (
      await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify({ ...r.receipt, late: flipped }) })
    ).text();
    expect(html).toContain('data-valid="true"');
    expect(html).toContain(
      `Submitted ${signedAt.replace('T', ' ').replace('Z', ' UTC')}, as signed in the entry: whether it was late follows from this time`,
    );
    expect(html).toContain('(the receipt’s &quot;late&quot; field is not signed)');
    // One account's objection is not the whole person's: the page says so, as the CLI's "(account scope)" does.
    const acct = await t.home.registry.object({
      subject: t.accounts.at(-1)?.account as string,
      accountOnly: true,
      channel: 'cli',
    });
    ({ csrf } = await c.page('/verify?lang=en'));
    html = await (await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify(acct.receipt) })).text();
    expect(html).toContain('data-valid="true"');
    expect(html).toContain(
      'It records an objection to all current and future AI training (this account only, not the accounts linked to it).',
    );
    // A withdrawal's receipt proves the same way, and the page says it is one.
    const w = await t.home.registry.withdraw({ subject: 'p:4', channel: 'cli' });
    ({ csrf } = await c.page('/verify?lang=en'));
    html = await (await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify(w.receipt) })).text();
    expect(html).toContain('data-valid="true"');
    expect(html).toContain('data-event="withdrawal"');
    expect(html).toContain('It records the WITHDRAWAL of an objection');
    // The same tree signed by the same key under another origin (a staging log, say) is not this server's log.
    const cp = openCheckpoint(r.receipt.checkpoint, parseVerifierKey(server.ctx.verifierKey));
    const staging = signCheckpoint({ ...cp, origin: 'staging.example/log' }, t.home.signer);
    ({ csrf } = await c.page('/verify?lang=en'));
    html = await (
      await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify({ ...r.receipt, checkpoint: staging }) })
    ).text();
    expect(html).toContain('data-valid="false"');
    ({ csrf } = await c.page('/verify'));
    html = await (
      await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify({ ...r.receipt, subject: 'p:5' }) })
    ).text();
    expect(html).toContain('data-valid="false"');
    expect(html).toContain('the subject and salt do not match the commitment in the leaf');
    // Checked with the key pasted into the form: a receipt of another log verifies with that log's key only.
    const stranger = parseSignerKey(generateSignerKey('test.dissent/log'));
    const foreign = { ...r.receipt, checkpoint: signCheckpoint(cp, stranger) };
    const check = async (receipt: Receipt, key?: string) => {
      const form = await c.page('/verify?lang=en');
      const body = { _csrf: form.csrf, receipt: JSON.stringify(receipt), ...(key ? { key } : {}) };
      return /data-valid="(true|false)"/.exec(await (await c.post('/verify', body)).text())?.[1];
    };
    expect(await check(foreign, verifierKeyOf(stranger))).toBe('true');
    expect(await check(foreign)).toBe('false');
    expect(await check(r.receipt, verifierKeyOf(stranger))).toBe('false');
    // In German the reason is German too.
    ({ csrf } = await c.page('/verify?lang=de'));
    html = await (
      await c.post('/verify', { _csrf: csrf, receipt: JSON.stringify({ ...r.receipt, subject: 'p:5' }) })
    ).text();
    expect(html).toContain('Personen-Commitment: fehlgeschlagen (Person und Salt passen nicht zum Commitment');
    expect(html).not.toContain('do not match');
    ({ csrf } = await c.page('/verify'));
    const res = await c.post('/verify', { _csrf: csrf, receipt: '{not json' });
    expect(res.status).toBe(400);

    // Uploaded as a file, as the form sends it without JavaScript (multipart/form-data); CSRF still checked.
    const upload = async (token: string, file: string) => {
      const form = new FormData();
      form.set('_csrf', token);
      form.set('lang', 'en');
      form.set('receipt', '');
      form.set('file', new Blob([file], { type: 'application/json' }), 'receipt.json');
      return c.request('/verify', { method: 'POST', body: form });
    };
    const verifyForm = await c.page('/verify?lang=en');
    expect(verifyForm.html).toMatch(/<form[^>]*enctype="multipart\/form-data"/);
    expect(verifyForm.html).toMatch(/<input type="file" id="file" name="file"/);
    const uploaded = await upload(verifyForm.csrf, JSON.stringify(r.receipt));
    expect(uploaded.status).toBe(200);
    expect(await uploaded.text()).toContain('data-valid="true"');
    ({ csrf } = await c.page('/verify?lang=en'));
    expect(await (await upload(csrf, JSON.stringify({ ...r.receipt, subject: 'p:5' }))).text()).toContain(
      'data-valid="false"',
    );
    expect((await upload('forged', JSON.stringify(r.receipt))).status).toBe(403);
    ({ csrf } = await c.page('/verify?lang=en'));
    expect((await upload(csrf, 'x'.repeat(70 * 1024))).status).toBe(413);
    // A file with a byte order mark, as some editors save it, reads as the browser reads it.
    ({ csrf } = await c.page('/verify?lang=en'));
    expect(await (await upload(csrf, `\uFEFF${JSON.stringify(r.receipt)}`)).text()).toContain('data-valid="true"');
    // Malformed multipart is a 400, not a server error; and no other route takes multipart at all.
    ({ csrf } = await c.page('/verify?lang=en'));
    const malformed = await c.request('/verify', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XX' },
      body: `--XX\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}`,
    });
    expect(malformed.status).toBe(400);
    const elsewhere = new FormData();
    elsewhere.set('_csrf', csrf);
    elsewhere.set('account', 'x'.repeat(200 * 1024));
    for (const path of ['/object', '/status', '/withdraw']) {
      const res = await c.request(path, { method: 'POST', body: elsewhere });
      expect(res.status, path).toBe(415);
    }
  });
});

describe('operations', () => {
  it('keeps personal data, tokens and receipts out of the access log', async () => {
    const c = await start();
    const account = t.accounts[2];
    await object(c, account?.email as string);
    await object(c, account?.handle as string);
    await server.ctx.tasks.idle();
    const link = readOutbox(t.dir)[0]?.link as string;
    const page = await follow(c, link);
    const receipt = receiptOf(page.html);
    const text = JSON.stringify(log);
    for (const secret of [
      account?.email,
      account?.handle,
      account?.account,
      account?.person,
      receipt.salt,
      link.split('/').pop()?.split('?')[0],
    ]) {
      expect(text).not.toContain(secret as string);
    }
    expect(log.length).toBeGreaterThan(5);
    for (const line of log) expect(Object.keys(line).sort()).toEqual(['method', 'ms', 'route', 'status']);
    expect(log.map((l) => l.route)).toContain('/confirm/:token');
  });

  it('makes the outbox folder again when it was removed while the server runs, instead of losing every link mail', async () => {
    const c = await start();
    const account = t.accounts.find((a) => a.handle && a.email);
    // Say, the operator's clean-up took the whole folder (rm -r outbox) where it meant the mails in it.
    rmSync(join(t.dir, 'outbox'), { recursive: true });
    expect((await object(c, account?.handle as string)).status).toBe(200);
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).map((m) => m.to)).toEqual([account?.email]);
    expect(statSync(join(t.dir, 'outbox')).mode & 0o777).toBe(0o700);
  });

  it('counts the objections covering each programme by lateness in /metrics, and the log another process grew', async () => {
    const c = await start();
    await t.home.registry.object({ subject: 'p:1', channel: 'api' });
    t.clock.ms = Date.parse('2025-06-01T00:00:00Z');
    await t.home.registry.object({ subject: 'p:2', programme: 'assistant-2025', channel: 'api' });
    await t.home.registry.object({ subject: 'p:3', channel: 'api' });
    // Another process (the CLI) appends to the same log while the server runs.
    const cli = await openHome(t.dir, { clock: t.clock.now });
    await cli.registry.object({ subject: 'p:4', programme: 'assistant-2025', channel: 'cli' });
    await cli.close();
    const metrics = (await api(server.url, '/metrics')).text;
    const covering = metrics.split('\n').filter((l) => l.startsWith('dissent_objections_covering{'));
    expect(covering.sort()).toEqual([
      'dissent_objections_covering{programme="ai-training-2025",state="effective",channel="api",late="false"} 1',
      'dissent_objections_covering{programme="ai-training-2025",state="effective",channel="api",late="true"} 1',
      'dissent_objections_covering{programme="assistant-2025",state="effective",channel="api",late="false"} 3',
      'dissent_objections_covering{programme="assistant-2025",state="effective",channel="cli",late="false"} 1',
    ]);
    expect(metrics).toMatch(/^dissent_log_size 4$/m);
    expect(await (await c.request('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('sets its cookies HttpOnly with SameSite, Secure behind an https public URL, and keeps pages out of caches', async () => {
    for (const [publicUrl, secure] of [
      [undefined, false],
      ['https://objections.example', true],
    ] as const) {
      await start(publicUrl ? { publicUrl } : {});
      const res = await fetch(`${server.url}/?lang=en`);
      const cookies = res.headers.getSetCookie();
      const csrfCookie = cookies.find((k) => k.startsWith('_csrf=')) ?? '';
      const langCookie = cookies.find((k) => k.startsWith('lang=')) ?? '';
      for (const [cookie, sameSite] of [
        [csrfCookie, 'Strict'],
        [langCookie, 'Lax'],
      ] as const) {
        expect(cookie).toMatch(/; HttpOnly(;|$)/);
        expect(cookie).toContain(`; SameSite=${sameSite}`);
        expect(/; Secure(;|$)/.test(cookie), `${cookie} behind ${publicUrl}`).toBe(secure);
      }
      // A page holds a CSRF token, and a receipt page the receipt: no cache may keep one.
      expect(res.headers.get('cache-control')).toBe('no-store');
      await server.close();
    }
  });

  it('serves /healthz, /metrics in Prometheus text, security headers and the language switch', async () => {
    const c = await start();
    await t.home.registry.object({ subject: 'p:1', channel: 'api' });
    const health = await c.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // Only the operator reads the counters: they move when a form finds an account.
    const anonymous = await c.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(await anonymous.text()).not.toContain('dissent_');
    const posted = await c.request('/metrics', { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('content-type')).toContain('application/problem+json');
    const metrics = (await api(server.url, '/metrics')).text;
    expect(metrics).toMatch(/dissent_objections\{state="effective",channel="api",programme="\*"\} 1/);
    expect(metrics).toMatch(/^dissent_log_size 1$/m);
    expect(metrics).toMatch(/^dissent_unconfirmed_purged_total 0$/m);
    expect(metrics).toMatch(
      /dissent_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",status="200",le="\+Inf"\} 1/,
    );

    const de = await c.page('/', { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
    expect(de.html).toContain('<html lang="de">');
    const en = await c.page('/', { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(en.html).toContain('<html lang="en">');
    // A programme with a title per language shows the reader's; one with a single title shows it in both.
    expect(de.html).toContain('Training unserer KI-Modelle mit öffentlichen Beiträgen');
    expect(de.html).not.toContain('Training of our AI models');
    expect(en.html).toContain('Training of our AI models on public posts');
    for (const page of [de.html, en.html]) expect(page).toContain('Training on AI-assistant chats');
    await object(c, t.accounts[0]?.email as string, 'ai-training-2025', 'de');
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).at(-1)?.body).toContain('Training unserer KI-Modelle');
    const csp = en.res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(en.res.headers.get('x-frame-options')).toBe('DENY');
    expect(en.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(en.res.headers.get('referrer-policy')).toBe('no-referrer');
    await c.page('/?lang=de', { headers: { 'accept-language': 'en' } });
    expect((await c.page('/', { headers: { 'accept-language': 'en' } })).html).toContain('<html lang="de">');
  });

  it('marks no navigation entry as the current page on an error page or a receipt: "Object, current page" would mislead', async () => {
    const c = await start();
    expect((await c.page('/')).html).toContain('<a href="/" aria-current="page">');
    expect((await c.page('/withdraw')).html).toContain('<a href="/withdraw" aria-current="page">');
    expect((await c.page('/no-such-page')).html).not.toContain('aria-current');
    expect((await c.page(`/confirm/${'A'.repeat(43)}/x`)).html).not.toContain('aria-current');
    await object(c, t.accounts[0]?.email as string);
    await server.ctx.tasks.idle();
    const receipt = await follow(c, linkAt(0));
    expect(receipt.status).toBe(200);
    expect(receipt.html).not.toContain('aria-current');
    const used = await follow(c, 'http://x/confirm/' + 'A'.repeat(43));
    expect(used.status).toBe(404);
    expect(used.html).not.toContain('aria-current');
  });

  it('limits form submissions per address and per typed account', async () => {
    const c = await start({ limits: { formsPerIpPerMinute: 1000, perSubjectPerHour: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await object(c, 'Someone@Example.org')).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await object(c, 'other@example.org')).status).toBe(200);
  });

  it('tells a person past the hourly limit of a typed account to use the link they got, or when to come back', async () => {
    const c = await start({ limits: { formsPerIpPerMinute: 1000, perSubjectPerHour: 1 } });
    await object(c, 'someone@example.org');
    for (const lang of ['en', 'de']) {
      const res = await object(c, 'someone@example.org', '*', lang);
      expect(res.status).toBe(429);
      const minutes = Math.ceil(Number(res.headers.get('retry-after')) / 60);
      expect(minutes).toBeGreaterThan(50);
      const text = (await res.text()).replace(/\s+/g, ' ');
      // Not "wait a few minutes": the limit lasts the rest of the hour, and trying again sooner only fails again.
      expect(text).not.toMatch(/a few minutes|einige Minuten/);
      expect(text).toContain(lang === 'en' ? `in ${minutes} minutes` : `in ${minutes} Minuten`);
      expect(text).toContain(lang === 'en' ? 'confirmation link' : 'Bestätigungslink');
    }
  });

  it('counts a handle with and without its @ as one typed account, and mails one person at most the limit', async () => {
    const c = await start({ limits: { formsPerIpPerMinute: 1000, perSubjectPerHour: 2 } });
    const account = t.accounts.find((a) => a.handle && a.email);
    const handle = account?.handle as string;
    expect((await object(c, handle)).status).toBe(200);
    expect((await object(c, `@${handle.toUpperCase()}`)).status).toBe(200);
    expect((await object(c, `@${handle}`)).status).toBe(429);
    // Typing the e-mail is another value, so the page cannot tell that it belongs to the same person; but the
    // person already had their two mails this hour, so no third one is sent and no pending objection is made.
    const viaEmail = await object(c, account?.email as string);
    expect(viaEmail.status).toBe(200);
    await server.ctx.tasks.idle();
    expect(readOutbox(t.dir).filter((m) => m.to === account?.email)).toHaveLength(2);
    expect(await t.home.store.countObjections()).toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'pending', n: 2 })]),
    );
  });

  it('mails at most three persons for one e-mail address shared by more of them', async () => {
    const c = await start();
    // Five persons registered with one family address: typing it must not send five mails.
    await t.home.store.upsertAccounts(
      Array.from({ length: 5 }, (_, i) => ({
        account: `fb:a:family${i}`,
        person: `p:family${i}`,
        source: 'facebook',
        handle: `family${i}`,
        display_name: null,
        email: 'family@example.org',
        birth_date: null,
        country: 'DE',
      })),
    );
    expect((await object(c, 'family@example.org')).status).toBe(200);
    await server.ctx.tasks.idle();
    const mails = readOutbox(t.dir);
    expect(mails).toHaveLength(3);
    expect(new Set(mails.map((m) => m.body.match(/family\d/)?.[0])).size).toBe(3);
  });

  it('keys the per-address limits on the client behind a trusted proxy, and ignores X-Forwarded-For otherwise', async () => {
    const submit = async (c: Client, from: string) => {
      const { csrf } = await c.page('/?lang=en', { headers: { 'x-forwarded-for': from } });
      const res = await c.post(
        '/object',
        { _csrf: csrf, account: `nobody-${randomBytes(4).toString('hex')}`, programme: '*', lang: 'en' },
        { headers: { 'x-forwarded-for': from } },
      );
      return res.status;
    };
    // By default the header is anyone's to forge, so it changes nothing.
    let c = await start({ limits: { formsPerIpPerMinute: 2 } });
    expect([await submit(c, '198.51.100.1'), await submit(c, '198.51.100.2'), await submit(c, '198.51.100.3')]).toEqual(
      [200, 200, 429],
    );
    await server.close();
    // Behind the proxy named in the config, each client has its own limit, and one cannot use up another's.
    c = await start({ trustProxy: ['127.0.0.1'], limits: { formsPerIpPerMinute: 2 } });
    expect([await submit(c, '198.51.100.1'), await submit(c, '198.51.100.1'), await submit(c, '198.51.100.1')]).toEqual(
      [200, 200, 429],
    );
    expect(await submit(c, '198.51.100.2')).toBe(200);
  });

  it("cannot be used by someone else to stop a person's own objection to everything", async () => {
    const c = await start({ limits: { formsPerIpPerMinute: 1000, perSubjectPerHour: 2 } });
    const victim = t.accounts.find((a) => a.handle && a.email);
    const handle = victim?.handle as string;
    const email = victim?.email as string;
    // A stranger uses up the limits with withdrawal requests (which mail nothing: there is nothing to withdraw) and
    // with objections to one other programme, by handle and by e-mail.
    const withdrawPage = await c.page('/withdraw?lang=en');
    for (const account of [handle, handle, email, email]) {
      await c.post('/withdraw', { _csrf: withdrawPage.csrf, account, programme: '*', lang: 'en' });
      await object(c, account, 'assistant-2025');
    }
    await server.ctx.tasks.idle();
    const before = readOutbox(t.dir).length;
    // The person's own objection to all programmes still gets its page and its confirmation link.
    expect((await object(c, handle)).status).toBe(200);
    await server.ctx.tasks.idle();
    const mails = readOutbox(t.dir).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe(email);
    expect((await follow(c, linkAt(before))).status).toBe(200);
  });
});
