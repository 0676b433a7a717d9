import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.ts';
import { parseVerifierKey } from '../../src/log/note.ts';
import { type Receipt, verifyReceipt } from '../../src/log/receipt.ts';
import type { RunningServer } from '../../src/server/app.ts';
import { describeWhere } from '../helpers/requires.ts';
import { makeHome, readOutbox, serve, type TestHome } from './_harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const chromiumHere = existsSync(CHROMIUM)
  ? ({ ok: true } as const)
  : ({ ok: false, reason: `${CHROMIUM} is not installed (apt-get install chromium)` } as const);

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type Lang = 'de' | 'en';
const TEXT = {
  de: {
    account: 'Benutzername oder E-Mail-Adresse eines Ihrer Konten',
    submit: 'Widersprechen',
    sent: 'Bitte prüfen Sie Ihre E-Mails',
    confirm: 'Widerspruch bestätigen',
    effective: 'Ihr Widerspruch ist wirksam',
    download: 'Beleg herunterladen (JSON)',
    receipt: 'Beleg (JSON)',
    file: 'Beleg-Datei',
    check: 'Prüfen',
    browser: 'In Ihrem Browser geprüft.',
    server: 'Auf dem Server geprüft.',
  },
  en: {
    account: 'Handle or e-mail of one of your accounts',
    submit: 'Object',
    sent: 'Check your e-mail',
    confirm: 'Confirm objection',
    effective: 'Your objection is effective',
    download: 'Download receipt (JSON)',
    receipt: 'Receipt (JSON)',
    file: 'Receipt file',
    check: 'Check',
    browser: 'Checked in your browser.',
    server: 'Checked on the server.',
  },
} as const;

describeWhere(chromiumHere, 'portal in Chromium', () => {
  let t: TestHome;
  let server: RunningServer;
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  const audited = new Set<string>();

  async function browser(lang: Lang, javaScriptEnabled: boolean): Promise<BrowserContext> {
    const dir = mkdtempSync(join(tmpdir(), 'dissent-chromium-'));
    profiles.push(dir);
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      locale: lang === 'de' ? 'de-DE' : 'en-GB',
      javaScriptEnabled,
      acceptDownloads: true,
    });
    contexts.push(ctx);
    return ctx;
  }

  /** Runs axe-core on the page; fails on any serious or critical violation. */
  async function audit(page: Page, name: string): Promise<void> {
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (o?: unknown) => Promise<unknown> } }).axe;
      return (await axe.run()) as { violations: { id: string; impact: string; nodes: { html: string }[] }[] };
    });
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.html).join(' | ')}`);
    expect(bad, `axe on ${name}`).toEqual([]);
    audited.add(name);
  }

  async function latestLink(kind: 'confirm' | 'withdraw/confirm'): Promise<string> {
    await server.ctx.tasks.idle();
    const link = readOutbox(t.dir)
      .map((m) => m.link)
      .filter((l): l is string => l?.includes(`/${kind}/`) === true)
      .pop();
    if (!link) throw new Error('no mail with a link');
    return link;
  }

  /** Files, confirms, downloads the receipt and checks it (valid, then tampered) on /verify. */
  async function flow(lang: Lang, js: boolean, accountIndex: number): Promise<void> {
    const tx = TEXT[lang];
    const ctx = await browser(lang, js);
    const page = await ctx.newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    const account = t.accounts[accountIndex];
    await page.goto(`${server.url}/`);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    if (js) await audit(page, `landing-${lang}`);
    await page.getByLabel(tx.account).fill(account?.email as string);
    await page.getByRole('button', { name: tx.submit, exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(tx.sent);
    if (js) await audit(page, `sent-${lang}`);

    await page.goto(await latestLink('confirm'));
    if (js) await audit(page, `confirm-${lang}`);
    await page.getByRole('button', { name: tx.confirm }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(tx.effective);
    if (js) await audit(page, `receipt-${lang}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: tx.download }).click(),
    ]);
    const file = await download.path();
    const receipt = JSON.parse(readFileSync(file, 'utf8')) as Receipt;
    expect(verifyReceipt(receipt, parseVerifierKey(server.ctx.verifierKey)).ok).toBe(true);
    expect(receipt.subject).toBe(account?.person);

    await page.goto(`${server.url}/verify`);
    if (js) {
      await audit(page, `verify-${lang}`);
      await page.getByLabel(tx.file).setInputFiles(file);
      await expect.poll(() => page.getByLabel(tx.receipt).inputValue()).toContain(receipt.objection_id);
    } else {
      // Without JavaScript the file is uploaded with the form and checked on the server.
      await page.getByLabel(tx.file).setInputFiles(file);
      expect(await page.getByLabel(tx.receipt).inputValue()).toBe('');
    }
    const before = posts.length;
    await page.getByRole('button', { name: tx.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('true');
    await expect.poll(() => page.locator('#result .where').textContent()).toBe(js ? tx.browser : tx.server);
    // What the receipt records, in the browser as on the server: an objection, not a withdrawal.
    expect(await page.locator('#records').getAttribute('data-event')).toBe('objection');
    if (js) {
      expect(posts.length, 'the browser check must not post the receipt').toBe(before);
      await audit(page, `verify-valid-${lang}`);
    }

    const tampered = { ...receipt, subject: `${receipt.subject}0` };
    if (!js) await page.goto(`${server.url}/verify`);
    await page.getByLabel(tx.receipt).fill(JSON.stringify(tampered));
    await page.getByRole('button', { name: tx.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('false');
    await expect.poll(() => page.locator('#result .where').textContent()).toBe(js ? tx.browser : tx.server);
    if (js) await audit(page, `verify-invalid-${lang}`);
    await page.close();
  }

  beforeAll(async () => {
    t = await makeHome({ persons: 40 });
    // Some log history first, so that inclusion proofs have several levels.
    await t.home.registry.objectMany(
      Array.from({ length: 21 }, (_, i) => ({ subject: `p:${i + 15}`, channel: 'api' as const })),
    );
    server = await serve(t);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    for (const d of profiles) rmSync(d, { recursive: true, force: true });
    await server?.close();
    await t?.cleanup();
  });

  it('German: file, confirm by mailed link, download the receipt, /verify says valid, a tampered one invalid', async () => {
    await flow('de', true, 1);
  });

  it('English: the same flow', async () => {
    await flow('en', true, 2);
  });

  it('without JavaScript: the same flow, checked on the server', async () => {
    await flow('de', false, 3);
    await flow('en', false, 4);
  });

  it('without JavaScript: switching the language of a confirmation page keeps the reason as the person edited it', async () => {
    const account = t.accounts[7];
    const ctx = await browser('de', false);
    const page = await ctx.newPage();
    // Someone else asked for the objection, with a reason of their own.
    await page.goto(`${server.url}/?lang=de`);
    await page.getByLabel(TEXT.de.account).fill(account?.email as string);
    await page.getByLabel('Begründung (freiwillig)').fill('Written by a stranger');
    await page.getByRole('button', { name: TEXT.de.submit, exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.de.sent);
    const link = await latestLink('confirm');
    await page.goto(link);
    await page.getByLabel('Begründung (freiwillig)').fill('My own words');
    await page.locator('header .lang').getByText('English').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByLabel('Reason (optional)').inputValue()).toBe('My own words');
    // Cleared after the switch, and switched back: still cleared, not the stranger's reason again.
    await page.getByLabel('Reason (optional)').fill('');
    await page.locator('header .lang').getByText('Deutsch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.getByLabel('Begründung (freiwillig)').inputValue()).toBe('');
    // The page stays the link's own (a reload shows it again), and the link is still unused.
    expect(new URL(page.url()).pathname).toBe(new URL(link).pathname);
    await page.getByLabel('Begründung (freiwillig)').fill('Meine Worte');
    await page.getByRole('button', { name: TEXT.de.confirm }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.de.effective);
    const filed = await t.home.store.findEffective(account?.person as string, 'person', '*');
    expect(filed?.reason).toBe('Meine Worte');
    await page.close();
  });

  it('switching the language of the objection and withdrawal forms keeps what was typed, and Enter still sends them', async () => {
    for (const js of [false, true]) {
      const account = t.accounts[js ? 12 : 11]?.email as string;
      const ctx = await browser('de', js);
      const page = await ctx.newPage();
      const mails = readOutbox(t.dir).length;
      await page.goto(`${server.url}/?lang=de`);
      await page.getByLabel(TEXT.de.account).fill(account);
      await page.locator('input[name="programme"]').nth(1).check();
      await page.getByLabel('Begründung (freiwillig)').fill('Weil ich es so will');
      await page.locator('header .lang').getByText('English').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toBe(TEXT.en.sent);
      expect(await page.getByLabel(TEXT.en.account).inputValue()).toBe(account);
      expect(await page.locator('input[name="programme"]').nth(1).isChecked()).toBe(true);
      expect(await page.getByLabel('Reason (optional)').inputValue()).toBe('Weil ich es so will');
      // The switch sent nothing: no link mail went out.
      expect(readOutbox(t.dir).length).toBe(mails);
      // Enter in the account field sends the form (the switch, first in the page, is not its default button).
      await page.getByLabel(TEXT.en.account).press('Enter');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.en.sent);
      await expect.poll(() => readOutbox(t.dir).length).toBe(mails + 1);

      await page.goto(`${server.url}/withdraw?lang=en`);
      await page.getByLabel(TEXT.en.account).fill(account);
      await page.locator('header .lang').getByText('Deutsch').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.getByLabel(TEXT.de.account).inputValue()).toBe(account);
      await page.getByLabel(TEXT.de.account).press('Enter');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.de.sent);
      await page.close();
    }
  });

  it('without JavaScript: switching the language of a status result shows it again, not an empty form', async () => {
    const { receipt } = await t.home.registry.object({ subject: 'p:8', channel: 'api' });
    const ctx = await browser('en', false);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/status?lang=en`);
    await page.getByLabel(TEXT.en.receipt).fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: 'Show status' }).click();
    await expect.poll(() => page.locator('#state').textContent()).toBe('effective');
    await page.locator('header .lang').getByText('Deutsch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.locator('#state').count(), 'the status is shown again').toBe(1);
    expect(await page.locator('#state').textContent()).toBe('wirksam');
    expect(JSON.parse(await page.getByLabel(TEXT.de.receipt).inputValue())).toEqual(receipt);
    await page.close();
  });

  it('switching the language of a receipt the server checked shows its verdict again, not an empty form', async () => {
    const { receipt } = await t.home.registry.object({ subject: 'p:9', channel: 'api' });
    for (const js of [false, true]) {
      const ctx = await browser('en', js);
      const page = await ctx.newPage();
      if (js) {
        // A browser without WebCrypto posts the form, as one without JavaScript does.
        await page.addInitScript(() => Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined }));
      }
      await page.goto(`${server.url}/verify?lang=en`);
      await page.getByLabel(TEXT.en.receipt).fill(JSON.stringify(receipt));
      await page.getByRole('button', { name: TEXT.en.check }).click();
      await expect.poll(() => page.locator('#result .where').textContent()).toBe(TEXT.en.server);
      await page.locator('header .lang').getByText('Deutsch').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.locator('#verdict').getAttribute('data-valid'), `verdict shown again (js: ${js})`).toBe('true');
      expect(await page.locator('#result .where').textContent()).toBe(TEXT.de.server);
      expect(JSON.parse(await page.getByLabel(TEXT.de.receipt).inputValue())).toEqual(receipt);
      await page.close();
    }
  });

  it("with JavaScript, /verify ties a missing or unreadable receipt's error to the field, as the server does", async () => {
    const { receipt } = await t.home.registry.object({ subject: 'p:10', channel: 'api' });
    const ctx = await browser('en', true);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/verify?lang=en`);
    const field = page.getByLabel(TEXT.en.receipt);
    // What a screen reader reads with the field: the texts its aria-describedby names.
    const described = () =>
      field.evaluate((el) =>
        (el.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim(),
      );
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(described).toBe('Paste a receipt.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await focused()).toBe('receipt');
    await audit(page, 'verify-js-error');
    await field.fill('{');
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(described).toBe('This is not valid JSON.');
    expect(await page.locator('.error').count(), 'one error, not one per press').toBe(1);
    await field.fill(JSON.stringify(receipt));
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('true');
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('.error').count()).toBe(0);
    await page.close();
  });

  it('the browser check agrees with the server on valid and tampered receipts', async () => {
    const { receipt } = await t.home.registry.object({ subject: 'p:5', channel: 'api' });
    const key = server.ctx.verifierKey;
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      return bytes.toString('base64');
    };
    const [body, sigLine] = receipt.checkpoint.split('\n\n') as [string, string];
    const sig = /^(\u2014 \S+ )(\S+)\n$/u.exec(sigLine) as RegExpExecArray;
    const lines = body.split('\n');
    const variants: Record<string, unknown> = {
      valid: receipt,
      subject: { ...receipt, subject: 'p:6' },
      salt: { ...receipt, salt: 'f'.repeat(64) },
      index: { ...receipt, leaf_index: receipt.leaf_index - 1 },
      beyond: { ...receipt, leaf_index: 10_000 },
      proofFlipped: { ...receipt, inclusion_proof: receipt.inclusion_proof.map((p, i) => (i === 0 ? flip(p) : p)) },
      proofShort: { ...receipt, inclusion_proof: receipt.inclusion_proof.slice(1) },
      proofNotBase64: { ...receipt, inclusion_proof: ['@@@'] },
      signature: { ...receipt, checkpoint: `${body}\n\n${sig[1]}${flip(sig[2] as string)}\n` },
      root: { ...receipt, checkpoint: `${lines[0]}\n${lines[1]}\n${flip(lines[2] as string)}\n\n${sigLine}` },
      size: { ...receipt, checkpoint: `${lines[0]}\n${Number(lines[1]) + 1}\n${lines[2]}\n\n${sigLine}` },
      leafSpaced: { ...receipt, leaf: receipt.leaf.replace('{', '{ ') },
      objectionId: { ...receipt, objection_id: 'o_other' },
      programme: { ...receipt, programme: 'ai-training-2025' },
      version: { ...receipt, v: 2 },
      late: { ...receipt, late: { x: 'yes' } },
      // A valid signature among more lines than any verifier takes: all three checks refuse it alike.
      manySignatures: {
        ...receipt,
        checkpoint: `${receipt.checkpoint}${Array.from({ length: 100 }, (_, i) => `\u2014 other${i} AAAAAAAAAAAAAAAA\n`).join('')}`,
      },
      notObject: 'receipt',
      // Another key's line whose name holds U+0085, a space to Go's note.Open, which refuses the note: so do all.
      foreignNameWithSpace: {
        ...receipt,
        checkpoint: `${receipt.checkpoint}\u2014 Enoch\u0085Root AAAAAAAAAAAAAAAA\n`,
      },
      // U+FEFF is no space to Go (though JavaScript's \s says it is): a line by another key that Go would ignore.
      validForeignName: { ...receipt, checkpoint: `${receipt.checkpoint}\u2014 Enoch\ufeffRoot AAAAAAAAAAAAAAAA\n` },
    };
    const ctx = await browser('en', true);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/verify`);
    const verifier = parseVerifierKey(key);
    for (const [name, v] of Object.entries(variants)) {
      const inBrowser = (await page.evaluate(
        ([r, k]) =>
          (
            globalThis as unknown as { dissentVerifyReceipt: (r: unknown, k: string) => Promise<unknown> }
          ).dissentVerifyReceipt(r, k),
        [v, key] as const,
      )) as { ok: boolean; checks: { name: string; ok: boolean }[] };
      const onServer = verifyReceipt(v, verifier);
      expect(inBrowser.ok, name).toBe(onServer.ok);
      expect(
        inBrowser.checks.map((c) => `${c.name}:${c.ok}`),
        name,
      ).toEqual(onServer.checks.map((c) => `${c.name}:${c.ok}`));
    }
    expect(
      Object.keys(variants)
        .filter((n) => !n.startsWith('valid'))
        .every((n) => !verifyReceipt(variants[n], verifier).ok),
    ).toBe(true);
    expect(verifyReceipt(variants.validForeignName, verifier).ok).toBe(true);
    const otherKey = 'other.example/log+00000000+AW44QgF6e8Of7uJdWsUv0QFqFhyIV0ypSUuw9er4Rr8p';
    const wrongKey = (await page.evaluate(
      ([r, k]) =>
        (
          globalThis as unknown as { dissentVerifyReceipt: (r: unknown, k: string) => Promise<{ ok: boolean }> }
        ).dissentVerifyReceipt(r, k),
      [receipt, otherKey] as const,
    )) as { ok: boolean };
    expect(wrongKey.ok).toBe(false);
    // One account's objection reads as that account's on the page, in the browser as on the server.
    const acct = await t.home.registry.object({
      subject: t.accounts.at(-1)?.account as string,
      accountOnly: true,
      channel: 'api',
    });
    await page.getByLabel(TEXT.en.receipt).fill(JSON.stringify(acct.receipt));
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('true');
    expect(await page.locator('#records').textContent()).toBe(
      'It records an objection to all current and future AI training (this account only, not the accounts linked to it).',
    );
    // The signed submission time, which decides lateness: the receipt's own `late` is not signed.
    const signedAt = (JSON.parse(acct.receipt.leaf) as { submitted_at: string }).submitted_at;
    expect(await page.locator('#submitted').textContent()).toContain(
      `Submitted ${signedAt.replace('T', ' ').replace('Z', ' UTC')}, as signed in the entry`,
    );
    // An emptied key field is this log's key, as on the server without JavaScript: the receipt is valid in both, and
    // a receipt of another log that this key signs (a staging log) is not.
    await page.getByLabel('Verifier key of the log').fill('');
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('true');
    const cp = openCheckpoint(acct.receipt.checkpoint, verifier);
    const staging = signCheckpoint({ ...cp, origin: 'staging.example/log' }, t.home.signer);
    await page.getByLabel(TEXT.en.receipt).fill(JSON.stringify({ ...acct.receipt, checkpoint: staging }));
    await page.getByLabel('Verifier key of the log').fill('  ');
    await page.getByRole('button', { name: TEXT.en.check }).click();
    await expect.poll(() => page.locator('#verdict').getAttribute('data-valid')).toBe('false');
    await page.close();
  });

  it('on a 320px-wide screen no page scrolls sideways (WCAG 1.4.10), even with a long German word in a title', async () => {
    const narrow = await makeHome({
      persons: 5,
      assistantTitle:
        '{ en: "Training on AI-assistant chats", de: "Training mit Chats mit dem KI-Assistenten (Datenverarbeitungsvereinbarungsergänzung 2025)" }',
    });
    const s = await serve(narrow);
    const ctx = await browser('de', false);
    try {
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 320, height: 640 });
      const sideways = async (name: string) => {
        const [scroll, client] = await page.evaluate(() => [
          document.documentElement.scrollWidth,
          document.documentElement.clientWidth,
        ]);
        expect(scroll, `${name} scrolls sideways`).toBe(client);
      };
      const link = async (kind: string) => {
        await s.ctx.tasks.idle();
        return readOutbox(narrow.dir)
          .map((m) => m.link)
          .filter((l) => l?.includes(`/${kind}/`))
          .pop() as string;
      };
      await page.goto(`${s.url}/?lang=en`);
      await sideways('landing-en');
      await page.goto(`${s.url}/?lang=de`);
      await sideways('landing-de');
      await page.getByLabel(TEXT.de.account).fill(narrow.accounts[0]?.email as string);
      await page.getByRole('button', { name: TEXT.de.submit, exact: true }).click();
      await page.goto(await link('confirm'));
      await page.getByRole('button', { name: TEXT.de.confirm }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TEXT.de.effective);
      await sideways('receipt');
      const receiptJson = (await page.locator('#receipt-json').textContent()) as string;
      await page.goto(`${s.url}/withdraw`);
      await page.getByLabel(TEXT.de.account).fill(narrow.accounts[0]?.email as string);
      await page.getByRole('button', { name: 'Link zur Rücknahme anfordern' }).click();
      await page.goto(await link('withdraw/confirm'));
      await page.getByRole('button', { name: 'Widerspruch zurücknehmen' }).click();
      await expect.poll(() => page.locator('#state').textContent()).toBe('zurückgenommen');
      await sideways('withdrawal-receipt');
      await page.goto(`${s.url}/status`);
      await page.getByLabel(TEXT.de.receipt).fill(receiptJson);
      await page.getByRole('button', { name: 'Status anzeigen' }).click();
      await expect.poll(() => page.locator('#state').textContent()).toBe('zurückgenommen');
      await sideways('status');
    } finally {
      // The browser's kept-alive connections would hold the server's graceful close.
      await ctx.close();
      await s.close();
      await narrow.cleanup();
    }
  });

  it('every other page passes axe-core: status, withdrawal, errors and form errors', async () => {
    const ctx = await browser('en', true);
    const page = await ctx.newPage();
    const account = t.accounts[6];
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Object', exact: true }).click();
    await expect.poll(() => page.locator('#account-error').count()).toBe(1);
    await audit(page, 'landing-errors');
    await page.getByLabel(TEXT.en.account).fill(account?.handle as string);
    await page.getByRole('radio', { name: 'Training of our AI models on public posts and AI-assistant chats' }).check();
    await page.getByRole('button', { name: 'Object', exact: true }).click();
    await page.goto(await latestLink('confirm'));
    await page.getByRole('button', { name: TEXT.en.confirm }).click();
    const receiptJson = (await page.locator('#receipt-json').textContent()) as string;

    await page.goto(`${server.url}/status`);
    await audit(page, 'status');
    await page.getByLabel(TEXT.en.receipt).fill(receiptJson);
    await page.getByRole('button', { name: 'Show status' }).click();
    await expect.poll(() => page.locator('#state').textContent()).toBe('effective');
    await audit(page, 'status-result');

    await page.goto(`${server.url}/withdraw`);
    await audit(page, 'withdraw');
    await page.getByLabel(TEXT.en.account).fill(account?.email as string);
    await page.getByRole('radio', { name: 'Training of our AI models on public posts and AI-assistant chats' }).check();
    await page.getByRole('button', { name: 'Request withdrawal link' }).click();
    await audit(page, 'withdraw-sent');
    await page.goto(await latestLink('withdraw/confirm'));
    await audit(page, 'withdraw-confirm');
    await page.getByRole('button', { name: 'Withdraw objection' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your objection is withdrawn');
    await audit(page, 'withdrawal-receipt');

    await page.goto(`${server.url}/confirm/${'A'.repeat(43)}`);
    await page.getByRole('button', { name: TEXT.en.confirm }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('The link cannot be used');
    await audit(page, 'link-problem');
    await page.goto(`${server.url}/no-such-page`);
    await audit(page, 'not-found');

    // Keyboard only: the skip link is the first stop and is visible when focused.
    await page.goto(`${server.url}/`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { text: el.textContent, left: el.getBoundingClientRect().left, outline: style.outlineStyle };
    });
    expect(focused.text).toBe('Skip to content');
    expect(focused.left).toBeGreaterThanOrEqual(0);
    expect(focused.outline).not.toBe('none');
    expect([...audited].length).toBeGreaterThanOrEqual(15);
  });
});
