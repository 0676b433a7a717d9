import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Receipt } from '../../log/receipt.ts';
import { MAX_REASON_CHARS, type TokenRow } from '../../registry/types.ts';
import type { ServerContext } from '../context.ts';
import { hashLinkToken, isLinkToken } from '../link-token.ts';
import { confirmPage } from '../views/confirm.ts';
import type { PageContext } from '../views/layout.ts';
import { messagePage } from '../views/message.ts';
import { receiptPage } from '../views/receipt.ts';
import { field, pageContext, sendPage } from './_page.ts';

function refuse(reply: FastifyReply, page: PageContext, reason: 'unknown' | 'expired' | 'used'): FastifyReply {
  const { t } = page;
  const text = reason === 'unknown' ? t.tokenUnknown : reason === 'expired' ? t.tokenExpired : t.tokenUsed;
  return sendPage(reply, reason === 'unknown' ? 404 : 410, messagePage(page, t.linkProblem, [text]));
}

/**
 * The mailed links. Opening one (GET) only shows a button; pressing it (POST, with CSRF) uses the single-use token
 * and confirms the objection or withdraws it. Attempts are limited per IP address and counted per token.
 */
export function linkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tokenLimit = { rateLimit: { max: ctx.limits.tokenAttemptsPer15Min, timeWindow: 15 * 60_000 } };

  for (const purpose of ['confirm', 'withdraw'] as const) {
    const base = purpose === 'confirm' ? '/confirm' : '/withdraw/confirm';
    /** The page a link opens; `reason` is the reason as the person edited it, when they switched the language. */
    const show = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, reason?: string) => {
      if (!isLinkToken(req.params.token)) return refuse(reply, pageContext(ctx, req, reply, '/'), 'unknown');
      // The language switch stays on this page, with its button (the token is the visitor's own).
      const page = pageContext(ctx, req, reply, `${base}/${req.params.token}`);
      // What the link is for, so that the person sees it before pressing: anyone who typed their handle or e-mail can
      // have a link sent to them, with a reason of their own. A link that cannot be used shows only the button; the
      // press says why.
      const token = await ctx.store.peekToken(hashLinkToken(req.params.token), purpose, ctx.clock().toISOString());
      const objection = token ? await ctx.store.getObjection(token.objection_id) : undefined;
      return sendPage(
        reply,
        200,
        confirmPage(page, {
          kind: purpose,
          token: req.params.token,
          csrf: reply.generateCsrf(),
          ...(objection ? { objection, programmes: ctx.programmes } : {}),
          ...(objection && reason !== undefined
            ? { reason, ...(reason.length > MAX_REASON_CHARS ? { reasonError: page.t.errReasonTooLong } : {}) }
            : {}),
        }),
      );
    };
    app.get<{ Params: { token: string } }>(`${base}/:token`, { config: tokenLimit }, (req, reply) => show(req, reply));
    if (purpose === 'confirm') {
      // The language switch of a confirmation page posts its form here (a link would send nothing): the page comes
      // back in the other language with the reason as the person left it, instead of the one stored with the request,
      // which they may have cleared. Nothing is used or stored.
      app.post<{ Params: { token: string } }>(
        `${base}/:token`,
        { preValidation: app.csrfProtection, config: tokenLimit },
        (req, reply) => show(req, reply, field(req.body, 'reason').replace(/\r\n?/g, '\n')),
      );
    }
    app.post(base, { preValidation: app.csrfProtection, config: tokenLimit }, async (req, reply) => {
      const page = pageContext(ctx, req, reply, '/');
      const token = field(req.body, 'token');
      // A receipt page's language switch presses the link again, here (with a CSRF token made only for such a page).
      const again = (): Again => ({ action: base, token, csrf: reply.generateCsrf() });
      // The reason as the confirmation page showed it for editing; absent when the page showed none. A text area sends
      // each line break as CR LF but counts it as one character against maxlength, as the objection form does.
      const reason =
        purpose === 'confirm' && field(req.body, 'edit_reason') === '1'
          ? field(req.body, 'reason').replace(/\r\n?/g, '\n')
          : undefined;
      // A reason over the limit is refused before the token is used, so that the same link works once the reason is
      // shortened. A link that cannot be used any more gets the refusal below that says so, not a field error.
      const pending =
        reason !== undefined && reason.length > MAX_REASON_CHARS
          ? await ctx.store.peekToken(hashLinkToken(token), purpose, ctx.clock().toISOString())
          : undefined;
      const objection = pending ? await ctx.store.getObjection(pending.objection_id) : undefined;
      if (objection) {
        return sendPage(
          reply,
          400,
          confirmPage(pageContext(ctx, req, reply, `${base}/${token}`), {
            kind: purpose,
            token,
            csrf: reply.generateCsrf(),
            objection,
            programmes: ctx.programmes,
            ...(reason === undefined ? {} : { reason }),
            reasonError: page.t.errReasonTooLong,
          }),
        );
      }
      // A malformed token is hashed and looked up like any other, so that every refusal costs the same.
      const used = await ctx.store.useToken(hashLinkToken(token), purpose, ctx.clock().toISOString());
      if (!used.ok && used.reason === 'used' && !used.expired) {
        // A second press of the button (a double click, a reload, the receipt page's language switch) shows the
        // receipt again instead of losing it; it changes nothing, so a link stays single use. It waits for the first
        // press's commit, which may still be running.
        await ctx.registry.barrier();
        const shown =
          purpose === 'confirm'
            ? await replayedReceipt(ctx, used.token)
            : await replayedWithdrawal(ctx, used.token.objection_id);
        ctx.metrics.inc('dissent_link_tokens_total', { purpose, result: shown ? 'replayed' : 'used' });
        if (!shown) return refuse(reply, page, 'used');
        return sendPage(
          reply,
          200,
          receiptPage(page, {
            kind: purpose === 'confirm' ? 'objection' : 'withdrawal',
            created: shown.created,
            receipt: shown.receipt,
            submittedAt: shown.submittedAt,
            programmes: ctx.programmes,
            timeZone: ctx.timeZone,
            again: again(),
          }),
        );
      }
      if (!used.ok || !isLinkToken(token)) {
        const reason = used.ok ? 'unknown' : used.reason;
        ctx.metrics.inc('dissent_link_tokens_total', { purpose, result: reason });
        return refuse(reply, page, reason);
      }
      ctx.metrics.inc('dissent_link_tokens_total', { purpose, result: 'ok' });
      try {
        return purpose === 'confirm'
          ? await confirm(ctx, reply, page, used.token.objection_id, reason, again)
          : await withdraw(ctx, reply, page, used.token.objection_id, again);
      } catch (e) {
        // Nothing was confirmed or withdrawn: the link must work when the person tries again, as the page says.
        await ctx.store.releaseToken(hashLinkToken(token)).catch(() => {});
        throw e;
      }
    });
  }
}

/**
 * What the first press of a confirmation link showed, if it still holds: the objection it made effective, or the one
 * in force that already covered it. Reads only: once that objection is withdrawn, there is nothing to show.
 */
async function replayedReceipt(
  ctx: ServerContext,
  token: TokenRow,
): Promise<{ receipt: Receipt; submittedAt: string; created: boolean } | undefined> {
  const row = await ctx.store.getObjection(token.objection_id);
  const shown =
    row?.state === 'effective'
      ? row
      : row?.state === 'pending'
        ? await ctx.store.findEffective(row.subject, row.scope, row.programme)
        : undefined;
  if (!shown) return undefined;
  // The first press said the objection is effective if it made it so (effective since that press), else that one was
  // already in force: a reload or the language switch says the same.
  const created = shown.id === row?.id && token.used_at !== null && (shown.effective_at ?? '') >= token.used_at;
  return { receipt: await ctx.registry.objectionReceipt(shown), submittedAt: shown.submitted_at, created };
}

/** What the first press of a withdrawal link showed: the withdrawal of its objection. Reads only. */
async function replayedWithdrawal(
  ctx: ServerContext,
  id: string,
): Promise<{ receipt: Receipt; submittedAt: string; created: boolean } | undefined> {
  const row = await ctx.store.getObjection(id);
  const withdrawal =
    row?.state === 'withdrawn' && row.withdrawal_id ? await ctx.store.getWithdrawal(row.withdrawal_id) : undefined;
  return withdrawal
    ? {
        receipt: await ctx.registry.withdrawalReceipt(withdrawal, row),
        submittedAt: withdrawal.submitted_at,
        created: false,
      }
    : undefined;
}

/** What a receipt page needs to press its link again (see receiptPage); made when the page is. */
type Again = { action: string; token: string; csrf: string };

async function confirm(
  ctx: ServerContext,
  reply: FastifyReply,
  page: PageContext,
  id: string,
  reason: string | undefined,
  again: () => Again,
): Promise<FastifyReply> {
  const result = await ctx.registry.confirmPending(id, reason === undefined ? {} : { reason });
  if (result.created) countEffective(ctx, 'web', result.receipt);
  return sendPage(
    reply,
    200,
    receiptPage(page, {
      kind: 'objection',
      created: result.created,
      receipt: result.receipt,
      submittedAt: result.objection.submitted_at,
      programmes: ctx.programmes,
      timeZone: ctx.timeZone,
      again: again(),
    }),
  );
}

async function withdraw(
  ctx: ServerContext,
  reply: FastifyReply,
  page: PageContext,
  id: string,
  again: () => Again,
): Promise<FastifyReply> {
  const row = await ctx.store.getObjection(id);
  if (row?.state !== 'effective') return refuse(reply, page, 'used');
  const result = await ctx.registry.withdraw({
    subject: row.subject,
    // The stored objection's own subject and scope: read anew, a person id that is also another person's account id
    // would name someone else.
    resolved: { subject: row.subject, scope: row.scope },
    accountOnly: row.scope === 'account',
    programme: row.programme,
    channel: 'web',
  });
  ctx.metrics.inc('dissent_withdrawals_total', { channel: 'web' });
  return sendPage(
    reply,
    200,
    receiptPage(page, {
      kind: 'withdrawal',
      created: true,
      receipt: result.receipt,
      submittedAt: result.withdrawal.submitted_at,
      programmes: ctx.programmes,
      timeZone: ctx.timeZone,
      again: again(),
    }),
  );
}

/** Counts a newly effective objection once per programme it covers, by lateness. */
export function countEffective(ctx: ServerContext, channel: string, receipt: Receipt): void {
  for (const [programme, late] of Object.entries(receipt.late)) {
    ctx.metrics.inc('dissent_objections_filed_total', { channel, programme, late: String(late) });
  }
}
