import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/app.ts';
import { MailDeferredError } from '../../src/server/mail/mailer.ts';
import { SmtpMailer } from '../../src/server/mail/smtp.ts';
import { SpooledMailer } from '../../src/server/mail/spool.ts';
import { api, Client, makeHome, parseMail, serve, type TestHome } from './_harness.ts';
import { greylistingSmtp } from './_smtp.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

describe('mail over SMTP (a real smtp-server instance)', () => {
  const received: Received[] = [];
  let smtp: SMTPServer;
  let port: number;
  let t: TestHome;
  let server: RunningServer;
  const errors: string[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (address.address.endsWith('@refused.example')) return cb(new Error('mailbox unavailable'));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
    t = await makeHome({ persons: 20, smtpUrl: `smtp://127.0.0.1:${port}` });
    await t.home.store.upsertAccounts([
      {
        account: 'fb:a:refused',
        person: 'p:refused',
        source: 'facebook',
        handle: 'refused.one',
        display_name: 'R',
        email: 'x@refused.example',
        birth_date: '1990-01-01',
        country: 'DE',
      },
    ]);
    server = await serve(t, { errorLog: (e) => errors.push(e.code) });
  });
  afterAll(async () => {
    await server.close();
    await t.cleanup();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers the confirmation mail to the registered address, in German, with a working link', async () => {
    const account = t.accounts[1];
    const c = new Client(server.url);
    const { csrf } = await c.page('/?lang=de');
    const res = await c.post('/object', {
      _csrf: csrf,
      account: account?.handle as string,
      programme: '*',
      lang: 'de',
    });
    expect(res.status).toBe(200);
    await server.ctx.tasks.idle();
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual([account?.email]);
    expect(received[0]?.from).toBe('no-reply@localhost');
    const mail = parseMail(received[0]?.raw as string);
    expect(mail.body).toContain('Zum Bestätigen');
    expect(mail.subject).toContain('=?UTF-8?');
    const url = new URL(mail.link as string);
    const page = await c.page(url.pathname + url.search);
    const token = url.pathname.split('/').pop() as string;
    const done = await c.post('/confirm', { _csrf: page.csrf, token, lang: 'de' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Ihr Widerspruch ist wirksam');
    // Delivered, the mail is off the spool: it would be sent again at the next start.
    expect(spooled(t.dir)).toEqual([]);
  });

  it('reports a refused delivery as a metric and an error code, and still answers the form the same', async () => {
    const c = new Client(server.url);
    const { csrf } = await c.page('/?lang=en');
    const res = await c.post('/object', { _csrf: csrf, account: 'refused.one', programme: '*', lang: 'en' });
    expect(res.status).toBe(200);
    await server.ctx.tasks.idle();
    expect(errors.length).toBeGreaterThan(0);
    const metrics = (await api(server.url, '/metrics')).text;
    expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="failed"\} 1/);
    expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="sent"\} 1/);
    // A permanent refusal (550) is not tried again.
    expect(metrics).toMatch(/^dissent_mail_retries_total 0$/m);
    // Refused for good, it is not kept for the next start either.
    expect(spooled(t.dir)).toEqual([]);
  });
});

/** The spool folders of this file's tests, removed after each test. */
const spoolDirs: string[] = [];
afterEach(() => {
  for (const d of spoolDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new, empty mail-spool folder, removed after the test. */
function spoolDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'dissent-spool-'));
  spoolDirs.push(parent);
  return join(parent, 'mail-spool');
}

/** A spooled mailer over `dir` that tries each mail once. */
function onceMailer(url: string, dir: string): SpooledMailer {
  return new SpooledMailer(new SmtpMailer(url, 'no-reply@localhost', { retryDelaysMs: [] }), dir);
}

/**
 * A spooled mailer over `dir` whose next attempt after a passing failure comes only in 10 minutes: `retries` resolves
 * once its first mail waits for it.
 */
function waitingMailer(url: string, dir: string): { mailer: SpooledMailer; retries: Promise<void> } {
  let retrying = () => {};
  const retries = new Promise<void>((resolve) => {
    retrying = resolve;
  });
  const mailer = new SpooledMailer(
    new SmtpMailer(url, 'no-reply@localhost', { retryDelaysMs: [600_000], onRetry: retrying }),
    dir,
  );
  return { mailer, retries };
}

/** The mails waiting in a home's spool. */
function spooled(home: string): string[] {
  return readdirSync(join(home, 'mail-spool')).filter((n) => n.endsWith('.json'));
}

/** An SMTP server that greets, then never answers a command. */
async function muteSmtp(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const mute = createServer((socket) => {
    sockets.push(socket);
    socket.write('220 mute.example ESMTP\r\n');
  });
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => mute.close(resolve));
  };
  return { port: (mute.address() as AddressInfo).port, stop };
}

describe('an SMTP server that stops answering', () => {
  it('makes the send fail instead of holding it (and a graceful shutdown, which waits for mail) for minutes', async () => {
    // nodemailer's own socket timeout would wait 10 minutes.
    const { port, stop } = await muteSmtp();
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'no-reply@localhost', {
      timeoutMs: 300,
      retryDelaysMs: [],
    });
    try {
      await expect(mailer.send({ to: 'a@example.org', subject: 's', text: 't', lang: 'en' })).rejects.toThrow(
        /timeout/i,
      );
    } finally {
      await mailer.close();
      await stop();
    }
  }, 20_000);

  it('does not hold a graceful shutdown past its grace period for mail queued to it; the mail counts as failed', async () => {
    const { port, stop } = await muteSmtp();
    const t = await makeHome({ persons: 20 });
    // Its timeout is far beyond the test's: before, shutdown waited it out once for every few mails queued.
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'no-reply@localhost', { timeoutMs: 600_000 });
    const server = await serve(t, { mailer, shutdownGraceMs: 50 });
    try {
      const c = new Client(server.url);
      const { csrf } = await c.page('/?lang=en');
      for (const account of t.accounts.slice(0, 8)) {
        const res = await c.post('/object', { _csrf: csrf, account: account.handle as string, programme: '*' });
        expect(res.status).toBe(200);
      }
      const metrics = (await api(server.url, '/metrics')).text;
      await server.close();
      expect(metrics).not.toMatch(/dissent_mail_total\{kind="confirm",result="(sent|failed)"\}/);
      const after = await server.ctx.metrics.render(t.home.store, 0, []);
      expect(after).toMatch(/dissent_mail_total\{kind="confirm",result="failed"\} 8/);
    } finally {
      await stop();
      await t.cleanup();
    }
  }, 20_000);
});

describe('an SMTP server that refuses a mail', () => {
  const mail = { to: 'a@example.org', subject: 's', text: 't', lang: 'en' };

  it('is tried again after a temporary refusal (greylisting): the mail arrives once', async () => {
    const flaky = await greylistingSmtp(2);
    const mailer = new SmtpMailer(flaky.url, 'no-reply@localhost', { retryDelaysMs: [10, 10, 10] });
    try {
      await mailer.send(mail);
      expect(flaky.state.rcpt).toBe(3);
      expect(flaky.state.received).toBe(1);
    } finally {
      await mailer.close();
      await flaky.stop();
    }
  });

  it('is not tried again after a permanent refusal (an unknown mailbox)', async () => {
    const flaky = await greylistingSmtp(0);
    const mailer = new SmtpMailer(flaky.url, 'no-reply@localhost', { retryDelaysMs: [10, 10, 10] });
    try {
      await expect(mailer.send({ ...mail, to: 'x@gone.example' })).rejects.toThrow(/no such mailbox/);
      expect(flaky.state.rcpt).toBe(1);
      expect(flaky.state.received).toBe(0);
    } finally {
      await mailer.close();
      await flaky.stop();
    }
  });

  it('fails when the mailer closes while it waits to be tried again, instead of holding a shutdown', async () => {
    const flaky = await greylistingSmtp(Number.POSITIVE_INFINITY);
    // A wait far beyond the test's timeout: only closing can end it.
    let waiting = () => {};
    const waits = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const mailer = new SmtpMailer(flaky.url, 'no-reply@localhost', { retryDelaysMs: [600_000], onRetry: waiting });
    try {
      const sending = mailer.send(mail);
      sending.catch(() => {});
      await waits;
      await mailer.close();
      await expect(sending).rejects.toThrow(/greylisted/);
      expect(flaky.state.received).toBe(0);
    } finally {
      await flaky.stop();
    }
  });
});

describe('the mail spool: a link mail the mail server has not taken survives a restart', () => {
  it('keeps the mail when the server stops while the mail server refuses it for now, and sends it at the next start', async () => {
    const down = await greylistingSmtp(Number.POSITIVE_INFINITY);
    const t = await makeHome({ persons: 20, smtpUrl: down.url });
    const up = await greylistingSmtp(0);
    const account = t.accounts[2];
    try {
      // The mailer the config makes: SMTP behind the home's spool, first retry after 5 s, cut by the shutdown.
      const first = await serve(t, { shutdownGraceMs: 50 });
      const c = new Client(first.url);
      const { csrf } = await c.page('/?lang=en');
      const res = await c.post('/object', { _csrf: csrf, account: account?.handle as string, programme: '*' });
      expect(res.status).toBe(200);
      await down.state.refusedOnce;
      await first.close();
      expect(down.state.received).toBe(0);
      const metrics = await first.ctx.metrics.render(t.home.store, 0, []);
      expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="deferred"\} 1/);
      expect(metrics).not.toMatch(/result="failed"/);
      const [file] = spooled(t.dir);
      // It holds an address and a live link: for the server's user only.
      expect(statSync(join(t.dir, 'mail-spool', file as string)).mode & 0o777).toBe(0o600);
      expect(statSync(join(t.dir, 'mail-spool')).mode & 0o777).toBe(0o700);

      // The next start, with the mail server back.
      const mailer = onceMailer(up.url, join(t.dir, 'mail-spool'));
      const second = await serve(t, { mailer });
      try {
        expect(second.spooledMails).toEqual({ resent: 1, expired: 0 });
        await second.ctx.tasks.idle();
        expect(up.state.received).toBe(1);
        expect(spooled(t.dir)).toEqual([]);
        expect((await api(second.url, '/metrics')).text).toMatch(
          /dissent_mail_total\{kind="confirm",result="sent"\} 1/,
        );
        // The link it carries still confirms the objection filed before the restart.
        const link = new URL(parseMail(up.state.mails[0] as string).link as string);
        const c2 = new Client(second.url);
        const page = await c2.page(link.pathname + link.search);
        const token = link.pathname.split('/').pop() as string;
        const done = await c2.post('/confirm', { _csrf: page.csrf, token, lang: 'en' });
        expect(done.status).toBe(200);
        expect(await done.text()).toContain('Your objection is effective');
      } finally {
        await second.close();
      }
    } finally {
      await down.stop();
      await up.stop();
      await t.cleanup();
    }
  }, 20_000);

  it('keeps with the mail when its link expires, and drops it at a start after that, counted as expired', async () => {
    const down = await greylistingSmtp(Number.POSITIVE_INFINITY);
    const up = await greylistingSmtp(0);
    const t = await makeHome({ persons: 20, smtpUrl: down.url });
    try {
      const first = await serve(t, { shutdownGraceMs: 50 });
      const c = new Client(first.url);
      const { csrf } = await c.page('/?lang=en');
      const res = await c.post('/object', { _csrf: csrf, account: t.accounts[5]?.handle as string, programme: '*' });
      expect(res.status).toBe(200);
      await down.state.refusedOnce;
      await first.close();
      const [file] = spooled(t.dir);
      const kept = JSON.parse(readFileSync(join(t.dir, 'mail-spool', file as string), 'utf8'));
      // Filed at 2025-05-20T10:00Z, its confirmation link is good for the shortest grace window of the programmes
      // still open (24 h), like the link's token.
      expect(kept.message).toMatchObject({ kind: 'confirm', expiresAt: '2025-05-21T10:00:00.000Z' });

      t.clock.advance(24 * 3_600_000);
      const mailer = onceMailer(up.url, join(t.dir, 'mail-spool'));
      const second = await serve(t, { mailer });
      try {
        expect(second.spooledMails).toEqual({ resent: 0, expired: 1 });
        await second.ctx.tasks.idle();
        expect(up.state.received).toBe(0);
        expect(spooled(t.dir)).toEqual([]);
        expect((await api(second.url, '/metrics')).text).toMatch(
          /dissent_mail_total\{kind="confirm",result="expired"\} 1/,
        );
      } finally {
        await second.close();
      }
    } finally {
      await down.stop();
      await up.stop();
      await t.cleanup();
    }
  }, 20_000);

  it('leaves to later sweeps a mail spooled less than a sweep interval ago (by another server on the home)', async () => {
    const up = await greylistingSmtp(0);
    const t = await makeHome({ persons: 20, smtpUrl: up.url });
    const dir = join(t.dir, 'mail-spool');
    const server = await serve(t, { spoolSweepMs: 20 });
    try {
      const write = (name: string, to: string, mtime: Date) => {
        const message = { to, subject: 's', text: 't', lang: 'en' };
        writeFileSync(join(dir, name), JSON.stringify({ v: 1, message }));
        utimesSync(join(dir, name), mtime, mtime);
      };
      // Spooled an hour ago by a server that has gone: the next sweep sends it. The other stands in for one another
      // server spooled a moment ago (its time ahead, since the test cannot hold a moment still for 20 ms of sweeps).
      write('000000000000001-000000000-aaaaaaaa.json', 'old@example.org', new Date(Date.now() - 3_600_000));
      write('000000000000002-000000000-bbbbbbbb.json', 'young@example.org', new Date(Date.now() + 3_600_000));
      await expect.poll(() => up.state.received, { timeout: 5_000 }).toBe(1);
      // The sweep that sent the old one listed both.
      expect(parseMail(up.state.mails[0] as string).to).toContain('old@example.org');
      expect(spooled(t.dir)).toEqual(['000000000000002-000000000-bbbbbbbb.json']);
    } finally {
      await server.close();
      await up.stop();
      await t.cleanup();
    }
  });

  it('sends a mail every attempt failed on again at the next sweep, once the mail server takes mail again', async () => {
    // Refuses the first attempt for now (451), takes the next; the mailer makes one attempt per send.
    const flaky = await greylistingSmtp(1);
    const t = await makeHome({ persons: 20 });
    const mailer = onceMailer(flaky.url, join(t.dir, 'mail-spool'));
    const server = await serve(t, { mailer, spoolSweepMs: 100 });
    try {
      const c = new Client(server.url);
      const { csrf } = await c.page('/?lang=en');
      const res = await c.post('/object', { _csrf: csrf, account: t.accounts[4]?.handle as string, programme: '*' });
      expect(res.status).toBe(200);
      await flaky.state.refusedOnce;
      await expect.poll(() => flaky.state.received, { timeout: 5_000 }).toBe(1);
      await expect.poll(() => spooled(t.dir)).toEqual([]);
      const metrics = (await api(server.url, '/metrics')).text;
      expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="failed"\} 1/);
      expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="sent"\} 1/);
    } finally {
      await server.close();
      await flaky.stop();
      await t.cleanup();
    }
  });

  it('leaves to a sweep neither a mail a send of its own is still trying nor one spooled too recently', async () => {
    const down = await greylistingSmtp(Number.POSITIVE_INFINITY);
    const dir = spoolDir();
    const { mailer, retries } = waitingMailer(down.url, dir);
    try {
      const sending = mailer.send({ to: 'a@example.org', subject: 's', text: 't', lang: 'en' });
      sending.catch(() => {});
      await retries;
      // Waiting for its next attempt: a sweep must not send it a second time alongside.
      expect((await mailer.resume(new Date(), { olderThanMs: 0 })).pending).toEqual([]);
      // Another mailer on the same folder (a second server) sees it, but only once it is old enough.
      const other = new SpooledMailer(new SmtpMailer(down.url, 'no-reply@localhost'), dir);
      expect((await other.resume(new Date(), { olderThanMs: 3_600_000 })).pending).toEqual([]);
      expect((await other.resume(new Date(), { olderThanMs: 0 })).pending.map((m) => m.message.to)).toEqual([
        'a@example.org',
      ]);
      await other.close();
    } finally {
      await mailer.close();
      await down.stop();
    }
  });

  it('sends a kept mail once when two looks into the spool (the start and a sweep) both list it', async () => {
    const up = await greylistingSmtp(0);
    const dir = spoolDir();
    const mailer = onceMailer(up.url, dir);
    try {
      const message = { to: 'a@example.org', subject: 's', text: 't', lang: 'en' };
      writeFileSync(join(dir, '000000000000001-000000000-aaaaaaaa.json'), JSON.stringify({ v: 1, message }));
      const [a, b] = [await mailer.resume(new Date()), await mailer.resume(new Date())];
      expect([a.pending.length, b.pending.length]).toEqual([1, 1]);
      await Promise.all([a.pending[0]?.send(), b.pending[0]?.send()]);
      expect(up.state.received).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await mailer.close();
      await up.stop();
    }
  });

  it('drops a kept mail whose link expired before the next start, and sends nothing', async () => {
    const down = await greylistingSmtp(Number.POSITIVE_INFINITY);
    const up = await greylistingSmtp(0);
    const dir = spoolDir();
    const { mailer: first, retries } = waitingMailer(down.url, dir);
    const expiresAt = '2025-05-23T10:00:00.000Z';
    try {
      const sending = first.send({ to: 'a@example.org', subject: 's', text: 't', lang: 'en', expiresAt });
      sending.catch(() => {});
      await retries;
      await first.close();
      await expect(sending).rejects.toBeInstanceOf(MailDeferredError);
      const second = onceMailer(up.url, dir);
      try {
        // One millisecond before the link expires, the mail would still go; at the instant, it is dropped.
        const before = await second.resume(new Date(Date.parse(expiresAt) - 1));
        expect(before.pending.map((m) => m.message.to)).toEqual(['a@example.org']);
        const at = await second.resume(new Date(expiresAt));
        expect(at.pending).toEqual([]);
        expect(at.expired.map((m) => m.to)).toEqual(['a@example.org']);
        expect(readdirSync(dir)).toEqual([]);
        expect(up.state.received).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await down.stop();
      await up.stop();
    }
  });

  it('sets a damaged spool file aside instead of failing the start, and removes a write a crash cut short (not one in progress)', async () => {
    const up = await greylistingSmtp(0);
    const dir = spoolDir();
    const mailer = onceMailer(up.url, dir);
    try {
      writeFileSync(join(dir, '000000000000001-000000000-aaaaaaaa.json'), '{"v":1,"message":{"to":');
      // Whole, but with an expiry no clock reaches: it would be sent again at every start and sweep, for ever.
      const undated = { to: 'a@example.org', subject: 's', text: 't', lang: 'en', expiresAt: 'in three days' };
      writeFileSync(join(dir, '000000000000001-000000001-dddddddd.json'), JSON.stringify({ v: 1, message: undated }));
      const cut = join(dir, '.000000000000002-000000000-bbbbbbbb.json.tmp');
      writeFileSync(cut, '{"v":1');
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(cut, hourAgo, hourAgo);
      // Being written right now, by the server a deploy is replacing: its rename will finish it.
      writeFileSync(join(dir, '.000000000000003-000000000-cccccccc.json.tmp'), '{"v":1');
      const { pending, expired } = await mailer.resume(new Date());
      expect([pending.length, expired.length]).toEqual([0, 0]);
      expect(readdirSync(dir).sort()).toEqual([
        '.000000000000003-000000000-cccccccc.json.tmp',
        '000000000000001-000000000-aaaaaaaa.json.unreadable',
        '000000000000001-000000001-dddddddd.json.unreadable',
      ]);
      expect(readFileSync(join(dir, '000000000000001-000000000-aaaaaaaa.json.unreadable'), 'utf8')).toContain('"v":1');
    } finally {
      await mailer.close();
      await up.stop();
    }
  });
  it('sets aside a spool entry it cannot read (a folder, a file of another user) and still starts and sends the others', async () => {
    const up = await greylistingSmtp(0);
    const t = await makeHome({ persons: 20, smtpUrl: up.url });
    const dir = join(t.dir, 'mail-spool');
    try {
      // Reading it fails (EISDIR here; EACCES for a file an earlier run as root left): the tests run as root.
      mkdirSync(join(dir, '000000000000001-000000000-aaaaaaaa.json'), { recursive: true });
      const message = { to: 'a@example.org', subject: 's', text: 't', lang: 'en' };
      writeFileSync(join(dir, '000000000000002-000000000-bbbbbbbb.json'), JSON.stringify({ v: 1, message }));
      const server = await serve(t);
      try {
        expect(server.spooledMails).toEqual({ resent: 1, expired: 0 });
        await server.ctx.tasks.idle();
        expect(up.state.received).toBe(1);
        expect(readdirSync(dir)).toEqual(['000000000000001-000000000-aaaaaaaa.json.unreadable']);
      } finally {
        await server.close();
      }
    } finally {
      await up.stop();
      await t.cleanup();
    }
  });
});

describe('a mail spool the server cannot write to', () => {
  it('still sends the link mail when the spool folder was removed, and spools again', async () => {
    const up = await greylistingSmtp(0);
    const t = await makeHome({ persons: 20, smtpUrl: up.url });
    const errors: string[] = [];
    const server = await serve(t, { errorLog: (e) => errors.push(e.code), spoolSweepMs: 20 });
    try {
      // A clean-up script, or an operator, took the folder for clutter; a few sweeps find it gone before the next mail.
      rmSync(join(t.dir, 'mail-spool'), { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const c = new Client(server.url);
      const { csrf } = await c.page('/?lang=en');
      await c.post('/object', { _csrf: csrf, account: t.accounts[1]?.handle as string, programme: '*' });
      await server.ctx.tasks.idle();
      expect(up.state.received).toBe(1);
      expect(errors).toEqual([]);
      expect(statSync(join(t.dir, 'mail-spool')).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
      await up.stop();
      await t.cleanup();
    }
  });

  it('still sends the link mail when the spool cannot be written (a full disk), and logs why by error code', async () => {
    const up = await greylistingSmtp(0);
    const t = await makeHome({ persons: 20, smtpUrl: up.url });
    const errors: string[] = [];
    const server = await serve(t, { errorLog: (e) => errors.push(e.code) });
    try {
      // Stands in for ENOSPC or a read-only mount: the tests run as root, which file modes do not stop.
      rmSync(join(t.dir, 'mail-spool'), { recursive: true, force: true });
      writeFileSync(join(t.dir, 'mail-spool'), '');
      const c = new Client(server.url);
      const { csrf } = await c.page('/?lang=en');
      const res = await c.post('/object', { _csrf: csrf, account: t.accounts[1]?.handle as string, programme: '*' });
      expect(res.status).toBe(200);
      await server.ctx.tasks.idle();
      expect(up.state.received).toBe(1);
      expect(parseMail(up.state.mails[0] as string).to).toContain(t.accounts[1]?.email);
      expect(errors).toEqual(['ENOTDIR']);
      const metrics = (await api(server.url, '/metrics')).text;
      expect(metrics).toMatch(/dissent_mail_total\{kind="confirm",result="sent"\} 1/);
      expect(metrics).toMatch(/dissent_mail_spool_errors_total 1/);
    } finally {
      await server.close();
      await up.stop();
      await t.cleanup();
    }
  });
  it('starts all the same when the spool cannot be looked in at the start (its folder not readable), and logs why', async () => {
    const t = await makeHome({ persons: 20 });
    const errors: string[] = [];
    // Stands in for a spool folder an earlier run as root left (EACCES): the tests run as root.
    const mailer = {
      send: async () => {},
      close: async () => {},
      resume: async () => {
        throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      },
    };
    const server = await serve(t, { mailer, errorLog: (e) => errors.push(e.code) }).catch((e: unknown) => e);
    try {
      expect(server).not.toBeInstanceOf(Error);
      const running = server as RunningServer;
      expect(running.spooledMails).toEqual({ resent: 0, expired: 0 });
      expect(errors).toEqual(['EACCES']);
      expect((await api(running.url, '/api/v1/log/checkpoint', { token: null })).status).toBe(200);
      await running.close();
    } finally {
      await t.cleanup();
    }
  });
});

describe("a link mail the mail server refused for the operator's settings", () => {
  it('stays in the spool when the mail server refuses the login or the sender, which mending the config cures', async () => {
    const strict = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(_auth, _session, cb) {
        cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      },
      onMailFrom(_address, _session, cb) {
        cb(Object.assign(new Error('Sender address rejected'), { responseCode: 553 }));
      },
    });
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
    const port = (strict.server.address() as AddressInfo).port;
    const dir = spoolDir();
    const message = { to: 'a@example.org', subject: 's', text: 't', lang: 'en' };
    const login = new SpooledMailer(
      new SmtpMailer(`smtp://user:wrong@127.0.0.1:${port}`, 'no-reply@localhost', { retryDelaysMs: [] }),
      dir,
    );
    const sender = new SpooledMailer(
      new SmtpMailer(`smtp://127.0.0.1:${port}`, 'no-reply@localhost', { retryDelaysMs: [] }),
      dir,
    );
    try {
      await expect(login.send(message)).rejects.toMatchObject({ responseCode: 535 });
      await expect(sender.send(message)).rejects.toMatchObject({ responseCode: 553 });
      expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(2);
    } finally {
      await login.close();
      await sender.close();
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });
});

describe('a link mail the mail server refused for now at every attempt', () => {
  it('stays in the spool for the next start, unlike one refused for good', async () => {
    const down = await greylistingSmtp(Number.POSITIVE_INFINITY);
    const up = await greylistingSmtp(0);
    const dir = spoolDir();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    // The mail server is down for longer than the last attempt (deadline night): 451 to every try.
    const first = onceMailer(down.url, dir);
    try {
      await expect(
        first.send({ to: 'a@example.org', subject: 's', text: 't', lang: 'en', expiresAt }),
      ).rejects.toMatchObject({ responseCode: 451 });
      await expect(
        first.send({ to: 'b@gone.example', subject: 's', text: 't', lang: 'en', expiresAt }),
      ).rejects.toMatchObject({ responseCode: 550 });
      // A refused relay is the operator's settings (5.7.1), not the mailbox: kept for when they are mended.
      await expect(
        first.send({ to: 'c@relay.example', subject: 's', text: 't', lang: 'en', expiresAt }),
      ).rejects.toMatchObject({ responseCode: 554 });
      await first.close();
      expect(readdirSync(dir)).toHaveLength(2);
      const second = onceMailer(up.url, dir);
      try {
        const { pending } = await second.resume(new Date());
        expect(pending.map((m) => m.message.to)).toEqual(['a@example.org', 'c@relay.example']);
        await pending[0]?.send();
        expect(up.state.received).toBe(1);
        expect(readdirSync(dir)).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await down.stop();
      await up.stop();
    }
  });
});
