import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Programme } from '../../src/config/config.ts';
import { bearerMatches } from '../../src/server/auth.ts';
import { describeError } from '../../src/server/context.ts';
import { formatDuration, messagesFor, negotiateLang } from '../../src/server/i18n/index.ts';
import { WindowLimiter } from '../../src/server/limiter.ts';
import { hashLinkToken, isLinkToken, newLinkToken } from '../../src/server/link-token.ts';
import { toProblem } from '../../src/server/problem.ts';
import { programmeFacts } from '../../src/server/programme-facts.ts';
import { honours } from '../../src/server/receipt-status.ts';
import { html, raw } from '../../src/server/views/html.ts';
import { InputError, NotFoundError } from '../../src/shared/errors.ts';

describe('server building blocks', () => {
  it('escapes interpolated values but not nested markup', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['&', raw('<br>')]}</p>`.value).toBe(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&amp;<br></p>',
    );
  });

  it('picks the language by explicit choice, then Accept-Language quality, else German', () => {
    expect(negotiateLang('en-GB,en;q=0.9,de;q=0.8')).toBe('en');
    expect(negotiateLang('fr-FR, en;q=0.3, de;q=0.7')).toBe('de');
    expect(negotiateLang('en', 'de')).toBe('de');
    expect(negotiateLang('en', 'xx', undefined, 'de')).toBe('de');
    expect(negotiateLang(undefined)).toBe('de');
    expect(negotiateLang('en;q=0')).toBe('de');
  });

  it('formats grace windows in the largest whole unit', () => {
    expect(formatDuration(72 * 3_600_000, 'de')).toBe('3 Tagen');
    expect(formatDuration(90 * 60_000, 'en')).toBe('90 minutes');
    expect(formatDuration(1000, 'en')).toBe('1 second');
  });

  it('says one day, one hour, one minute in the singular in the time left', () => {
    expect(messagesFor('en').timeLeft(1, 1, 0)).toBe('1 day and 1 hour left');
    expect(messagesFor('de').timeLeft(1, 1, 0)).toBe('noch 1 Tag und 1 Stunde');
    expect(messagesFor('en').timeLeft(0, 2, 1)).toBe('2 hours and 1 minute left');
    expect(messagesFor('de').timeLeft(0, 0, 1)).toBe('noch 1 Minute');
    expect(messagesFor('de').timeLeft(3, 0, 0)).toBe('noch 3 Tage und 0 Stunden');
    // In the last minute before the deadline, never "0 minutes left".
    expect(messagesFor('en').timeLeft(0, 0, 0)).toBe('less than a minute left');
    expect(messagesFor('de').timeLeft(0, 0, 0)).toBe('noch weniger als eine Minute');
  });

  it('accepts only configured bearer tokens', () => {
    const tokens = ['a'.repeat(32), 'b'.repeat(32)];
    expect(bearerMatches(`Bearer ${'b'.repeat(32)}`, tokens)).toBe(true);
    expect(bearerMatches(`Bearer ${'b'.repeat(31)}`, tokens)).toBe(false);
    expect(bearerMatches(`Basic ${'b'.repeat(32)}`, tokens)).toBe(false);
    expect(bearerMatches(undefined, tokens)).toBe(false);
    expect(bearerMatches(`Bearer ${'a'.repeat(32)}`, [])).toBe(false);
    expect(bearerMatches(`bearer ${'b'.repeat(32)}`, tokens)).toBe(true);
    expect(bearerMatches(`BEARER   ${'b'.repeat(32)}`, tokens)).toBe(true);
    expect(bearerMatches(`Bearer${'b'.repeat(32)}`, tokens)).toBe(false);
  });

  it("states a programme's facts from its validated policy, and refuses a policy it cannot trust", () => {
    const dir = mkdtempSync(join(tmpdir(), 'facts-'));
    const programme = (policy: string) => ({ id: 'p', jurisdictions: ['EU'], policy }) as unknown as Programme;
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'sources: [facebook, assistant]\nkinds: [post]\nvisibility: [public]\njurisdictions: [EU]\n');
    expect(programmeFacts(programme(good))).toMatchObject({
      sources: ['facebook'],
      publicOnly: true,
      minAge: 18,
      assistantChats: true,
    });
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'sources: [facebook]\nkinds: [post]\nvisibility: [publik]\njurisdictions: [EU]\n');
    expect(() => programmeFacts(programme(typo))).toThrow(/typo\.yaml:3: visibility\.0/);
    expect(() => programmeFacts(programme(join(dir, 'missing.yaml')))).toThrow(/cannot read the policy/);
  });

  it('logs an error by code, class and call frames, never by its message', () => {
    const e = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <bob@example.org>"), {
      code: 'EENVELOPE',
    });
    const d = describeError(e);
    expect(d.code).toBe('EENVELOPE');
    expect(d.name).toBe('Error');
    expect(d.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(d)).not.toContain('bob@example.org');
  });

  it('makes 256-bit URL-safe link tokens and stores only their hash', () => {
    const a = newLinkToken();
    expect(isLinkToken(a)).toBe(true);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newLinkToken()).not.toBe(a);
    expect(Buffer.from(hashLinkToken(a)).toString('hex')).not.toContain(Buffer.from(a, 'base64url').toString('hex'));
    expect(isLinkToken('x'.repeat(42))).toBe(false);
    expect(isLinkToken(`${'x'.repeat(42)}/`)).toBe(false);
  });

  it('limits per key within a window and forgets at the next one', () => {
    let now = 0;
    const limiter = new WindowLimiter(2, 1000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    now = 1000;
    expect(limiter.take('a')).toBe(true);
  });

  it('says in Retry-After the whole seconds left of the window, never 0', () => {
    let now = 0;
    const limiter = new WindowLimiter(1, 3_600_000, () => now);
    limiter.take('a');
    expect(limiter.retryAfter()).toBe('3600');
    now = 40 * 60_000 + 500;
    expect(limiter.retryAfter()).toBe('1200');
    now = 3_600_000 - 1;
    expect(limiter.retryAfter()).toBe('1');
  });

  it('maps errors to problems without leaking internals', () => {
    expect(toProblem(new NotFoundError('gone', 'E_X'))).toMatchObject({ status: 404, code: 'E_X', detail: 'gone' });
    expect(toProblem(new InputError('bad'))).toMatchObject({ status: 400, code: 'E_INPUT' });
    const internal = toProblem(new Error('SQLITE_BUSY at /secret/path'));
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal)).not.toContain('secret');
    const parse = toProblem(
      Object.assign(new Error('Unexpected token "p:42"'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    );
    expect(parse.status).toBe(400);
    expect(JSON.stringify(parse)).not.toContain('p:42');
  });

  it('says which snapshots honour an objection: inside the cut, same programme or "*", not withdrawn before', () => {
    const snap = (programme: string, cut_size: number) => ({
      id: 's',
      programme,
      cut_size,
      manifest_sha256: '',
      out_dir: '',
      records_kept: 0,
      created_at: '',
    });
    const o = { leaf_index: 10, programme: 'a' };
    expect(honours(snap('a', 11), o, undefined)).toBe(true);
    expect(honours(snap('a', 10), o, undefined)).toBe(false);
    expect(honours(snap('b', 11), o, undefined)).toBe(false);
    expect(honours(snap('b', 11), { leaf_index: 10, programme: '*' }, undefined)).toBe(true);
    expect(honours(snap('a', 15), o, 14)).toBe(false);
    expect(honours(snap('a', 14), o, 14)).toBe(true);
  });
});
