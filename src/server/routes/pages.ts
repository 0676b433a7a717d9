import type { FastifyInstance, FastifyReply } from 'fastify';
import { foldLookupKey } from '../../registry/migrations.ts';
import { MAX_REASON_CHARS } from '../../registry/types.ts';
import { arrivedAt } from '../arrival.ts';
import type { ServerContext } from '../context.ts';
import { formatDuration, formatTime } from '../i18n/index.ts';
import { graceWindowMs, requestConfirmation, typedAccountKey } from '../intake.ts';
import type { FieldError } from '../views/fields.ts';
import { landingPage, type ObjectionFormValues } from '../views/landing.ts';
import type { PageContext } from '../views/layout.ts';
import { messagePage } from '../views/message.ts';
import { sentPage } from '../views/sent.ts';
import { field, pageContext, sendPage } from './_page.ts';

/**
 * Counts a form's submission against the hourly limit of the handle or e-mail typed into it; past the limit, answers
 * 429 saying when to try again and returns that reply.
 */
export function limitTypedAccount(
  ctx: ServerContext,
  reply: FastifyReply,
  page: PageContext,
  form: 'object' | 'withdraw',
  values: { programme: string; account: string },
): FastifyReply | undefined {
  if (ctx.subjects.take(typedAccountKey(form, values.programme, values.account))) return undefined;
  const retryAfter = ctx.subjects.retryAfter();
  reply.header('retry-after', retryAfter);
  // The limit lasts the rest of the hour: "wait a few minutes" would only send the person back to this page.
  const body = page.t.rateAccountBody(form, Math.ceil(Number(retryAfter) / 60));
  return sendPage(reply, 429, messagePage(page, page.t.rateTitle, [body]));
}

/**
 * Refuses a form that would send a link mail while the server holds `queuedMails` of them already (a mail server
 * that is slow, or down, on deadline night): answers 503 saying to send the form again in a few minutes, and returns
 * that reply. Held without a bound, the mails filled the server's memory until it crashed, losing all of them. The
 * answer is the same whether or not the account exists, and the typed value's hourly limit is not counted.
 */
export function refuseWhenMailBacklogged(
  ctx: ServerContext,
  reply: FastifyReply,
  page: PageContext,
): FastifyReply | undefined {
  if (ctx.tasks.size < ctx.limits.queuedMails) return undefined;
  reply.header('retry-after', '120');
  return sendPage(reply, 503, messagePage(page, page.t.rateTitle, [page.t.busyBody]));
}

/** Checks the objection and withdrawal forms' shared fields; errors name the field id they belong to. */
export function checkAccountForm(
  ctx: ServerContext,
  page: PageContext,
  values: { account: string; programme: string; reason?: string },
): FieldError[] {
  const { t } = page;
  const errors: FieldError[] = [];
  // A value that folds to nothing (an @, invisible characters) would find every account whose handle is empty.
  if (foldLookupKey(values.account).replace(/^@/, '') === '') {
    errors.push({ field: 'account', message: t.errAccountRequired });
  } else if (values.account.length > 254) errors.push({ field: 'account', message: t.errAccountTooLong });
  if (values.programme !== '*' && !ctx.programmes.some((p) => p.id === values.programme)) {
    errors.push({ field: 'programme-0', message: t.errProgrammeUnknown });
  }
  if ((values.reason ?? '').length > MAX_REASON_CHARS) errors.push({ field: 'reason', message: t.errReasonTooLong });
  return errors;
}

/** The start page with the programmes and the objection form, and the form's submission. */
export function pageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const landing = (
    page: PageContext,
    csrf: string,
    values?: ObjectionFormValues,
    errors?: readonly FieldError[],
  ): string =>
    landingPage(page, {
      programmes: ctx.programmes.map((p) => ({ programme: p, facts: ctx.facts.get(p.id) ?? programmeFactsNone })),
      now: ctx.clock(),
      timeZone: ctx.timeZone,
      csrf,
      ...(values ? { values } : {}),
      ...(errors ? { errors } : {}),
    });

  app.get('/', async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/');
    return sendPage(reply, 200, landing(page, reply.generateCsrf()));
  });

  app.post(
    '/object',
    {
      preValidation: app.csrfProtection,
      config: { rateLimit: { max: ctx.limits.formsPerIpPerMinute, timeWindow: 60_000 } },
    },
    async (req, reply) => {
      const page = pageContext(ctx, req, reply, '/');
      const values = {
        account: field(req.body, 'account').trim(),
        programme: field(req.body, 'programme') || '*',
        // Browsers count a line break as one character against the field's maxlength but send it as CR LF.
        reason: field(req.body, 'reason').replace(/\r\n?/g, '\n').trim(),
      };
      // The language switch posts the form here: it comes back in the other language as the person left it, checked
      // for nothing and sent nowhere.
      if (field(req.body, 'switch_lang')) return sendPage(reply, 200, landing(page, reply.generateCsrf(), values));
      const errors = checkAccountForm(ctx, page, values);
      if (errors.length > 0) return sendPage(reply, 400, landing(page, reply.generateCsrf(), values, errors));
      const busy = refuseWhenMailBacklogged(ctx, reply, page);
      if (busy) return busy;
      const limited = limitTypedAccount(ctx, reply, page, 'object', values);
      if (limited) return limited;
      // The objection is submitted when the form arrived, the time this page shows.
      const now = arrivedAt(req, ctx.clock);
      await requestConfirmation(ctx, {
        ...values,
        reason: values.reason || undefined,
        lang: page.lang,
        submittedAt: now.toISOString(),
      });
      const grace = graceWindowMs(ctx, values.programme, now);
      const html = sentPage(page, {
        kind: 'object',
        grace: formatDuration(grace, page.lang),
        // When the link expires, as a time: "3 days" read by the calendar is an hour off across a change of the clocks.
        until: formatTime(new Date(now.getTime() + grace), page.lang, ctx.timeZone),
        time: formatTime(now, page.lang, ctx.timeZone),
      });
      return sendPage(reply, 200, html);
    },
  );
}

const programmeFactsNone = {
  sources: [],
  kinds: [],
  publicOnly: false,
  minAge: undefined,
  jurisdictions: [],
  assistantChats: false,
};
