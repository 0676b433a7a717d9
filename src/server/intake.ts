import { programmeTitleById } from '../config/config.ts';
import { foldLookupKey } from '../registry/migrations.ts';
import type { AccountRow } from '../registry/types.ts';
import type { ServerContext } from './context.ts';
import { formatDuration, formatTime, type Lang, messagesFor } from './i18n/index.ts';
import { hashLinkToken, newLinkToken } from './link-token.ts';
import { MailDeferredError, type MailMessage } from './mail/index.ts';

/** How long a withdrawal link stays valid. */
export const WITHDRAW_LINK_MS = 24 * 3_600_000;

/** At most this many persons get a mail for one typed value (an e-mail shared by several persons). */
const MAX_PERSONS = 3;

/**
 * Of how many persons a typed value names the mail goes to the first MAX_PERSONS that can be mailed (that have an
 * e-mail, and for a withdrawal an objection to withdraw): a person without one takes no place of another's.
 */
const MAX_CANDIDATES = 10;

/**
 * How long a confirmation link for `programme` stays valid: that programme's grace window. For `*` it is the shortest
 * grace window of the programmes still open at `at` (their deadline not passed), so that a confirmation never keeps a
 * submission time longer than any programme allows; a programme already closed has no say, since the objection is
 * late for it however soon it is confirmed. When every programme is closed, the longest window applies.
 */
export function graceWindowMs(ctx: ServerContext, programme: string, at: Date): number {
  if (programme !== '*') return ctx.programmes.find((p) => p.id === programme)?.grace_window ?? 0;
  const open = ctx.programmes.filter((p) => p.deadline.getTime() >= at.getTime()).map((p) => p.grace_window);
  return open.length > 0 ? Math.min(...open) : Math.max(...ctx.programmes.map((p) => p.grace_window));
}

/**
 * The limiter key of a typed account on one form for one programme: a handle with or without its `@`, in any case and
 * Unicode form, is one key. The visible limit (a 429 page) keys on what was typed, never on the person found, or its
 * answer would tell which handles and e-mails belong to one person. The form and the programme are part of the key so
 * that nobody can use up a person's objection to everything with withdrawal requests or with objections to another
 * programme: whoever uses up this key has had the person sent the very links the person would ask for.
 */
export function typedAccountKey(form: 'object' | 'withdraw', programme: string, account: string): string {
  return `web:${form}:${programme}:${foldLookupKey(account.trim()).replace(/^@/, '')}`;
}

/**
 * The accounts a typed value names, at most one per person: of a person's accounts found, the first with an e-mail of
 * its own, else the first (see `mailTo`).
 */
function recipients(accounts: readonly AccountRow[]): AccountRow[] {
  const byPerson = new Map<string, AccountRow>();
  for (const a of accounts) {
    const had = byPerson.get(a.person);
    if (had === undefined ? byPerson.size < MAX_CANDIDATES : !had.email && a.email) byPerson.set(a.person, a);
  }
  return [...byPerson.values()];
}

/**
 * The first MAX_PERSONS of `accounts` (one per person) that `reach` gives something for (an address, an objection),
 * each with it, asked one after another. Run in the background: how many were asked must not show in the answer's
 * timing.
 */
async function firstReachable<T>(
  accounts: readonly AccountRow[],
  reach: (account: AccountRow) => Promise<T | undefined>,
): Promise<{ account: AccountRow; found: T }[]> {
  const out: { account: AccountRow; found: T }[] = [];
  for (const account of accounts) {
    if (out.length === MAX_PERSONS) break;
    const found = await reach(account);
    if (found !== undefined) out.push({ account, found });
  }
  return out;
}

/** One link token for each person that may be mailed, made on every path, whatever was found: the same work. */
function linkTokens(): { tokens: string[]; hashes: Uint8Array[] } {
  const tokens = Array.from({ length: MAX_PERSONS }, () => newLinkToken());
  return { tokens, hashes: tokens.map(hashLinkToken) };
}

/**
 * The address a link for `account` goes to: the e-mail registered on it or, for an account without one (an Instagram
 * account signed up with a phone number), the first registered on another account of its person, which the objection
 * covers too. Looked up after the answer was sent, so that its timing tells nothing.
 */
async function mailTo(ctx: ServerContext, account: AccountRow): Promise<string | undefined> {
  if (account.email) return account.email;
  return (await ctx.store.accountsOfPerson(account.person)).find((a) => a.email)?.email ?? undefined;
}

/**
 * Whether a person may get one more link mail of this kind for this programme in this hour. Typing another of their
 * handles or their e-mail gets past the visible per-value limit, so the mails themselves are limited per person as
 * well; past the limit the request is dropped in silence (no pending objection, no mail), and the page stays the
 * same. Kind and programme are in the key for the reason given at `typedAccountKey`: a person past this limit has
 * this hour's links of this kind for this programme in their mailbox.
 */
function mayMail(ctx: ServerContext, kind: 'confirm' | 'withdraw', programme: string, account: AccountRow): boolean {
  return ctx.subjects.take(`mail:${kind}:${programme}:${account.person}`);
}

/**
 * Handles the objection form. The caller answers at once with the same page whatever happens here: the lookup,
 * the tokens and their hashes are made on both paths, and the pending objection, the stored token and the mail (only for
 * an existing account) are finished in the background, so neither the answer nor its timing tells whether the
 * account exists.
 */
export async function requestConfirmation(
  ctx: ServerContext,
  form: { account: string; programme: string; reason?: string | undefined; lang: Lang; submittedAt?: string },
): Promise<void> {
  const accounts = recipients(await ctx.store.findAccounts(form.account));
  const { tokens, hashes } = linkTokens();
  if (accounts.length === 0) return;
  ctx.tasks.run(async () => {
    const reachable = await firstReachable(accounts, async (account) => {
      const to = await mailTo(ctx, account);
      // A person past this hour's limit of link mails gives their place to the next.
      return to !== undefined && mayMail(ctx, 'confirm', form.programme, account) ? to : undefined;
    });
    await Promise.all(
      reachable.map(async ({ account, found: to }, i) => {
        const pending = await ctx.registry.createPending({
          subject: account.account,
          // The account found is the one meant: its id may also be another person's id, which a lookup would refuse.
          resolved: { subject: account.person, scope: 'person', account: account.account },
          programme: form.programme,
          channel: 'web',
          ...(form.reason ? { reason: form.reason } : {}),
          ...(form.submittedAt ? { submittedAt: form.submittedAt } : {}),
        });
        const grace = graceWindowMs(ctx, form.programme, new Date(pending.submitted_at));
        await ctx.store.createToken({
          token_hash: hashes[i] as Uint8Array,
          objection_id: pending.id,
          purpose: 'confirm',
          expires_at: new Date(Date.parse(pending.submitted_at) + grace).toISOString(),
        });
        await sendLinkMail(ctx, {
          kind: 'confirm',
          account,
          to,
          programme: form.programme,
          token: tokens[i] as string,
          validMs: grace,
          time: pending.submitted_at,
          lang: form.lang,
        });
      }),
    );
  });
}

/**
 * Handles the withdrawal form like the objection form: the same answer whether or not the account exists or has
 * an objection to withdraw; the link goes to the e-mail registered on the account (see mailTo).
 */
export async function requestWithdrawal(
  ctx: ServerContext,
  form: { account: string; programme: string; lang: Lang },
): Promise<void> {
  const named = await ctx.store.findAccounts(form.account);
  const accounts = recipients(named);
  const { tokens, hashes } = linkTokens();
  if (accounts.length === 0) return;
  const now = ctx.clock();
  ctx.tasks.run(async () => {
    const reachable = await firstReachable(accounts, async (account) => {
      // Only an objection to exactly this programme can be withdrawn; a `*` one covers it but is not it. The
      // person's `*` objection must not hide an objection of this one account to the programme.
      const found = [
        await ctx.store.findEffective(account.person, 'person', form.programme),
        ...(await Promise.all(
          named
            .filter((a) => a.person === account.person)
            .map((a) => ctx.store.findEffective(a.account, 'account', form.programme)),
        )),
      ].find((row) => row?.programme === form.programme);
      const to = found ? await mailTo(ctx, account) : undefined;
      // A person past this hour's limit of link mails gives their place to the next.
      return found && to !== undefined && mayMail(ctx, 'withdraw', form.programme, account)
        ? { objection: found, to }
        : undefined;
    });
    await Promise.all(
      reachable.map(async ({ account, found: { objection: found, to } }, i) => {
        await ctx.store.createToken({
          token_hash: hashes[i] as Uint8Array,
          objection_id: found.id,
          purpose: 'withdraw',
          expires_at: new Date(now.getTime() + WITHDRAW_LINK_MS).toISOString(),
        });
        await sendLinkMail(ctx, {
          kind: 'withdraw',
          account,
          to,
          programme: form.programme,
          token: tokens[i] as string,
          validMs: WITHDRAW_LINK_MS,
          time: now.toISOString(),
          lang: form.lang,
        });
      }),
    );
  });
}

async function sendLinkMail(
  ctx: ServerContext,
  m: {
    kind: 'confirm' | 'withdraw';
    account: AccountRow;
    /** The address to write to (see mailTo). */
    to: string;
    programme: string;
    token: string;
    validMs: number;
    time: string;
    lang: Lang;
  },
): Promise<void> {
  const t = messagesFor(m.lang);
  const title = m.programme === '*' ? undefined : programmeTitleById(ctx.programmes, m.programme, m.lang);
  const params = {
    handle: m.account.handle ?? m.account.account,
    what: t.what(title),
    grace: formatDuration(m.validMs, m.lang),
    // When the link expires, as a time: "3 days" read by the calendar is an hour off across a change of the clocks.
    until: formatTime(new Date(Date.parse(m.time) + m.validMs), m.lang, ctx.timeZone),
    link: `${ctx.publicUrl}/${m.kind === 'confirm' ? 'confirm' : 'withdraw/confirm'}/${m.token}?lang=${m.lang}`,
    time: formatTime(m.time, m.lang, ctx.timeZone),
  };
  await deliverMail(ctx, {
    to: m.to,
    subject: m.kind === 'confirm' ? t.mailConfirmSubject : t.mailWithdrawSubject,
    text: m.kind === 'confirm' ? t.mailConfirmBody(params) : t.mailWithdrawBody(params),
    lang: m.lang,
    kind: m.kind,
    // The link is worth nothing after this: a mail still undelivered then (kept over a restart) is not sent.
    expiresAt: new Date(Date.parse(m.time) + m.validMs).toISOString(),
  });
}

/**
 * Sends a link mail (`send`, by default the mailer's) and counts the outcome in `dissent_mail_total{kind,result}`:
 * `sent`; `failed` (thrown on, for the error log); or `deferred`, when a shutdown closed the mailer first and the mail
 * stays in its spool for the next start.
 */
export async function deliverMail(
  ctx: ServerContext,
  message: MailMessage,
  send: () => Promise<void> = () => ctx.mailer.send(message),
): Promise<void> {
  const kind = message.kind ?? 'confirm';
  try {
    await send();
    ctx.metrics.inc('dissent_mail_total', { kind, result: 'sent' });
  } catch (e) {
    if (e instanceof MailDeferredError) {
      ctx.metrics.inc('dissent_mail_total', { kind, result: 'deferred' });
      return;
    }
    ctx.metrics.inc('dissent_mail_total', { kind, result: 'failed' });
    throw e;
  }
}
