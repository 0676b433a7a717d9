import { afterEach, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/app.ts';
import type { Mailer, MailMessage } from '../../src/server/mail/index.ts';
import { Client, makeHome, serve, type TestHome } from './_harness.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

/** A mail server that takes every mail but answers none until told to: a slow or stuck one on deadline night. */
class HeldMailer implements Mailer {
  readonly held: { message: MailMessage; release: () => void }[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];

  send(message: MailMessage): Promise<void> {
    return new Promise((release) => {
      this.held.push({ message, release: () => release() });
      for (const w of this.#waiters.filter((x) => this.held.length >= x.n)) w.resolve();
    });
  }

  /** Resolves once `n` mails are held. */
  holding(n: number): Promise<void> {
    return this.held.length >= n ? Promise.resolve() : new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  async close(): Promise<void> {}
}

it('with the mail server stuck, forms are refused with 503 once 3 link mails are held, instead of holding mail until memory runs out', async () => {
  const t: TestHome = await makeHome({ persons: 10 });
  const mailer = new HeldMailer();
  const server: RunningServer = await serve(t, { mailer, limits: { queuedMails: 3 } });
  cleanup.push(
    async () => t.cleanup(),
    async () => {
      for (const h of mailer.held) h.release();
      await server.close();
    },
  );
  const persons = [...new Map(t.accounts.filter((a) => a.email && a.handle).map((a) => [a.person, a])).values()];
  expect(persons.length).toBeGreaterThanOrEqual(5);
  const client = new Client(server.url);
  const object = async (account: string) => {
    const { csrf } = await client.page('/');
    return client.post('/object', { _csrf: csrf, account, programme: '*' });
  };
  const pending = async () =>
    (await t.home.store.countObjections()).filter((r) => r.state === 'pending').reduce((n, r) => n + r.n, 0);

  for (const a of persons.slice(0, 3)) expect((await object(a.handle as string)).status).toBe(200);
  await mailer.holding(3);
  expect(await pending()).toBe(3);

  // A fourth person, and a handle nobody has: the same refusal, nothing stored, no mail held.
  for (const account of [persons[3]?.handle as string, 'nobody-has-this-handle']) {
    const res = await object(account);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('120');
    expect(await res.text()).toContain('Bitte senden Sie das Formular in einigen Minuten erneut ab');
  }
  expect(await pending()).toBe(3);
  expect(mailer.held).toHaveLength(3);
  const { csrf } = await client.page('/withdraw');
  expect((await client.post('/withdraw', { _csrf: csrf, account: persons[0]?.handle as string })).status).toBe(503);

  // Once the mail server takes them, forms work again, and the refused person's limit was not used up.
  for (const h of mailer.held) h.release();
  await server.ctx.tasks.idle();
  expect((await object(persons[3]?.handle as string)).status).toBe(200);
  await mailer.holding(4);
  expect(await pending()).toBe(4);
});
