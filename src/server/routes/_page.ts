import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.ts';
import { type Lang, messagesFor, negotiateLang } from '../i18n/index.ts';
import type { PageContext } from '../views/layout.ts';

/** A string field of a url-encoded form body; '' when missing or sent twice. */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** The request's language: ?lang, then a form's lang field, then the lang cookie, then Accept-Language. */
export function langOf(req: FastifyRequest): Lang {
  return negotiateLang(
    req.headers['accept-language'],
    (req.query as Record<string, unknown> | undefined)?.lang,
    (req.body as Record<string, unknown> | undefined)?.lang,
    // No cookies on a request the router refused (frameworkErrors): the cookie plugin never saw it.
    (req.cookies as Record<string, string | undefined> | undefined)?.lang,
  );
}

/** The page context for a request; an explicit ?lang choice is remembered in a cookie. */
export function pageContext(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, path: string): PageContext {
  const lang = langOf(req);
  const chosen = (req.query as Record<string, unknown> | undefined)?.lang;
  if (chosen === lang && req.cookies.lang !== lang) {
    reply.setCookie('lang', lang, {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: ctx.secureCookies,
      maxAge: 365 * 86_400,
    });
  }
  return { t: messagesFor(lang), lang, path, verifierKey: ctx.verifierKey };
}

/** Sends a rendered page: never cached, since pages carry CSRF tokens and receipts. */
export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('vary', 'Accept-Language, Cookie')
    .send(page);
}
