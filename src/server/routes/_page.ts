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
  // A request the router refused (frameworkErrors: a mailed link mangled on its way) has neither its query nor its
  // cookies parsed, but its page must still come in the language the person chose: read both from the raw request.
  const query = (req.query as Record<string, unknown> | null | undefined) ?? rawQuery(req.url);
  const cookies = (req.cookies as Record<string, string | undefined> | undefined) ?? rawCookies(req.headers.cookie);
  return negotiateLang(
    req.headers['accept-language'],
    query.lang,
    (req.body as Record<string, unknown> | undefined)?.lang,
    cookies.lang,
  );
}

function rawQuery(url: string): Record<string, string> {
  const at = url.indexOf('?');
  return at < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(at + 1)));
}

function rawCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
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
