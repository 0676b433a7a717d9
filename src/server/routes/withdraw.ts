import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { formatDuration, formatTime } from '../i18n/index.ts';
import { requestWithdrawal, WITHDRAW_LINK_MS } from '../intake.ts';
import { sentPage } from '../views/sent.ts';
import { withdrawPage } from '../views/withdraw.ts';
import { field, pageContext, sendPage } from './_page.ts';
import { checkAccountForm, limitTypedAccount, refuseWhenMailBacklogged } from './pages.ts';

/** The withdrawal form and its submission (which mails a withdrawal link, never telling whether one was sent). */
export function withdrawRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/withdraw', async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/withdraw');
    return sendPage(reply, 200, withdrawPage(page, { programmes: ctx.programmes, csrf: reply.generateCsrf() }));
  });

  app.post(
    '/withdraw',
    {
      preValidation: app.csrfProtection,
      config: { rateLimit: { max: ctx.limits.formsPerIpPerMinute, timeWindow: 60_000 } },
    },
    async (req, reply) => {
      const page = pageContext(ctx, req, reply, '/withdraw');
      const values = { account: field(req.body, 'account').trim(), programme: field(req.body, 'programme') || '*' };
      // The language switch posts the form here: it comes back in the other language as the person left it.
      if (field(req.body, 'switch_lang')) {
        return sendPage(
          reply,
          200,
          withdrawPage(page, { programmes: ctx.programmes, csrf: reply.generateCsrf(), values }),
        );
      }
      const errors = checkAccountForm(ctx, page, values);
      if (errors.length > 0) {
        return sendPage(
          reply,
          400,
          withdrawPage(page, { programmes: ctx.programmes, csrf: reply.generateCsrf(), values, errors }),
        );
      }
      const busy = refuseWhenMailBacklogged(ctx, reply, page);
      if (busy) return busy;
      const limited = limitTypedAccount(ctx, reply, page, 'withdraw', values);
      if (limited) return limited;
      await requestWithdrawal(ctx, { ...values, lang: page.lang });
      return sendPage(
        reply,
        200,
        sentPage(page, {
          kind: 'withdraw',
          grace: formatDuration(WITHDRAW_LINK_MS, page.lang),
          until: formatTime(new Date(ctx.clock().getTime() + WITHDRAW_LINK_MS), page.lang, ctx.timeZone),
          time: '',
        }),
      );
    },
  );
}
