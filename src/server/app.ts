import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { splitHostPort } from '../config/config.ts';
import type { Home } from '../config/home.ts';
import { InputError, UnavailableError } from '../shared/errors.ts';
import { noteArrival } from './arrival.ts';
import { isOperatorRequest } from './auth.ts';
import { createContext, describeError, type ServerContext, type ServerOptions } from './context.ts';
import { messagesFor } from './i18n/index.ts';
import { deliverMail } from './intake.ts';
import type { MailMessage, SpooledMail } from './mail/index.ts';
import { openApiDocument } from './openapi.ts';
import { HttpError, RETRY_UNAVAILABLE_S, toProblem } from './problem.ts';
import { langOf, sendPage } from './routes/_page.ts';
import { logRoutes } from './routes/api-log.ts';
import { operatorRoutes, requireOperator } from './routes/api-operator.ts';
import { checkRoutes } from './routes/check.ts';
import { linkRoutes } from './routes/links.ts';
import { pageRoutes } from './routes/pages.ts';
import { withdrawRoutes } from './routes/withdraw.ts';
import { helmetHeaders } from './security-headers.ts';
import { messagePage } from './views/message.ts';

export type { AccessLogLine, Limits, ServerOptions } from './context.ts';

const STATIC: Record<string, { type: string; body: string }> = {
  '/static/verify.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./static/verify.js', import.meta.url), 'utf8'),
  },
  '/static/portal.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./static/portal.css', import.meta.url), 'utf8'),
  },
};

/**
 * A request's path as the router reads it: without the query, percent-decoded (`/%61pi/v1/…` reaches the API's routes,
 * so it must get the API's treatment too).
 */
function routerPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Routes read by programs, not people: their errors are problem+json, not pages. */
function isMachineRoute(url: string): boolean {
  const path = routerPath(url);
  return path.startsWith('/api/') || path === '/metrics' || path === '/healthz';
}

/** Routes that take the operator's bearer token: with a valid one they are exempt from the per-IP limit. */
function isOperatorRoute(url: string): boolean {
  const path = routerPath(url);
  return path.startsWith('/api/v1/') || path === '/metrics';
}

/**
 * What a 429 page says: when to try again (the limiter's Retry-After, up to 15 minutes on the link routes, where "a few
 * minutes" would send the person back too soon), and on a mailed link's route that nothing was done with the link
 * (not "it was not used": the request may be a receipt page's language switch, which presses a used one again).
 */
function rateBody(t: ReturnType<typeof messagesFor>, req: FastifyRequest, reply: FastifyReply): string {
  const seconds = Number(reply.getHeader('retry-after'));
  const minutes = Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 60) / 60));
  const link = /^\/(withdraw\/)?confirm(\/|$)/.test(req.routeOptions.url ?? '');
  return link ? `${t.rateBody(minutes)} ${t.rateLinkUnused}` : t.rateBody(minutes);
}

function errorPage(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, status: number): FastifyReply {
  const lang = langOf(req);
  const t = messagesFor(lang);
  const [title, body] =
    status === 403
      ? [t.csrfTitle, t.csrfBody]
      : status === 429
        ? [t.rateTitle, rateBody(t, req, reply)]
        : status === 413
          ? [t.tooLargeTitle, t.tooLargeBody]
          : status === 415
            ? [t.mediaTitle, t.mediaBody]
            : status === 404
              ? [t.notFoundTitle, t.notFoundBody]
              : status === 405
                ? [t.methodTitle, t.methodBody]
                : [t.errorTitle, t.errorBody];
  return sendPage(reply, status, messagePage({ t, lang, path: '/', verifierKey: ctx.verifierKey }, title, [body]));
}

/**
 * Builds the portal and API on Fastify without listening: security headers, CSRF, rate limits, body limits,
 * problem+json errors, access log and metrics. Use `startServer` to serve it; tests may call `app.inject`.
 */
export async function buildApp(
  home: Home,
  opts: ServerOptions = {},
): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const ctx = createContext(home, opts);
  const securityHeaders = await helmetHeaders();
  const trustProxy = opts.trustProxy ?? home.config.server.trust_proxy;
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.limits.bodyBytes,
    // Behind a named proxy the client's address (req.ip, which the rate limits key on) comes from X-Forwarded-For;
    // from any other sender the header is ignored, since anyone can forge it.
    ...(trustProxy.length > 0 ? { trustProxy: [...trustProxy] } : {}),
    // Our own 503 below, so that it is problem+json with the security headers and an access-log line.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // What Node's HTTP parser refuses before Fastify sees a request (a header over the size limit, a malformed request
    // line, a timeout) is answered here: problem+json with our headers and an access-log line, not Fastify's JSON.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify(toProblem(Object.assign(new Error('client error'), { statusCode: status })));
      ctx.metrics.observeRequest('(unparsed)', '(unparsed)', status, 0);
      ctx.accessLog({ method: '(unparsed)', route: '(unparsed)', status, ms: 0 });
      if (socket.writable) {
        const headers = Object.entries({
          ...securityHeaders,
          'content-type': 'application/problem+json',
          'content-length': String(Buffer.byteLength(body)),
          connection: 'close',
        });
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
    // A path the router cannot take (bad percent-encoding, an over-long parameter such as a mangled link token) gets
    // the same treatment as any error: our headers, a page or problem+json, and an access-log line. Fastify's own
    // answer would quote the path, link token and all.
    frameworkErrors: (err, req, res) => {
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 404 : 400;
      const reply = res as unknown as FastifyReply;
      reply.headers(securityHeaders);
      ctx.metrics.observeRequest(req.method, '(unmatched)', status, 0);
      ctx.accessLog({ method: req.method, route: '(unmatched)', status, ms: 0 });
      if (isMachineRoute(req.url)) {
        const p = toProblem(Object.assign(new Error('bad url'), { statusCode: status }));
        return reply.code(status).header('content-type', 'application/problem+json').send(p);
      }
      return errorPage(ctx, req, reply, status);
    },
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const observed = new WeakSet<FastifyRequest>();
  const observe = (req: FastifyRequest, reply: FastifyReply, status: number) => {
    if (observed.has(req)) return;
    observed.add(req);
    const route = req.routeOptions.url ?? '(unmatched)';
    const ms = reply.elapsedTime;
    ctx.metrics.observeRequest(req.method, route, status, ms / 1000);
    ctx.accessLog({ method: req.method, route, status, ms: Math.round(ms * 100) / 100 });
  };
  app.addHook('onRequest', async (req, reply) => {
    noteArrival(req, ctx.clock);
    // A client that hangs up before its answer is sent (Fastify runs no onResponse hook then) is logged and counted
    // as 499, as nginx does: otherwise the slowest requests, those people gave up on, would be missing from the
    // latency histogram and the access log, and an objection filed for a client that left would leave no line.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) observe(req, reply, 499);
    });
    reply.headers(securityHeaders);
    // A request that arrives on a kept-alive connection after shutdown began (new connections are refused).
    if (closing) {
      reply.header('connection', 'close');
      throw new HttpError(503, 'the server is shutting down; retry on a new connection', 'E_SHUTTING_DOWN');
    }
  });
  // A portal form comes url-encoded (POST /verify also as multipart, for its file). Any other body (multipart,
  // text/plain, a tool's JSON) gets a page that says the form could not be read, in the reader's language, before
  // the body is parsed: not "something went wrong, try again later", nor the CSRF check's "the form has expired".
  app.addHook('preParsing', async (req) => {
    const route = req.routeOptions.url;
    if (req.method !== 'POST' || route === undefined || isMachineRoute(req.url)) return;
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type === undefined || type === 'application/x-www-form-urlencoded') return;
    if (type === 'multipart/form-data' && route === '/verify') return;
    throw new HttpError(415, 'a form must be sent url-encoded', 'E_MEDIA_TYPE');
  });
  await app.register(cookie);
  await app.register(csrf, {
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: ctx.secureCookies },
  });
  await app.register(formbody, { bodyLimit: ctx.limits.bodyBytes });
  await app.register(rateLimit, {
    global: true,
    max: ctx.limits.perIpPerMinute,
    timeWindow: 60_000,
    // The operator's backend (and its metrics scraper) is trusted and may be one busy address; it is limited per
    // subject instead. A request with a missing or wrong token counts like any other, so that tokens cannot be
    // guessed at speed: the routes check the token in preParsing, after this limit (an onRequest hook of the route).
    allowList: (req) => isOperatorRoute(req.url) && isOperatorRequest(req, ctx.apiTokens),
    errorResponseBuilder: (_req, c) =>
      Object.assign(new Error('rate limited'), { statusCode: c.statusCode, code: 'RATE_LIMITED' }),
  });

  app.addHook('onResponse', async (req, reply) => {
    // A connection whose request was in flight when shutdown began is closed once it is idle again (as Fastify closed
    // the idle ones when shutdown began): kept alive, it would hold the shutdown until the keep-alive timeout (72 s).
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    observe(req, reply, reply.statusCode);
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    if (p.status >= 500) ctx.errorLog(describeError(err));
    if (err instanceof UnavailableError) reply.header('retry-after', String(RETRY_UNAVAILABLE_S));
    if (isMachineRoute(req.url)) {
      return reply.code(p.status).header('content-type', 'application/problem+json').send(p);
    }
    return errorPage(ctx, req, reply, p.status);
  });
  // Fastify sends a method it has no route for to the not-found handler; a path that other methods serve gets 405.
  const routes: { method: string; path: RegExp }[] = [];
  app.addHook('onRoute', (r) => {
    const path = new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`);
    for (const method of [r.method].flat()) routes.push({ method, path });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = routerPath(req.url);
    const allow = [...new Set(routes.filter((r) => r.path.test(path)).map((r) => r.method))].sort();
    const status = allow.length > 0 ? 405 : 404;
    if (status === 405) reply.header('allow', allow.join(', '));
    // A form's POST-only address opened as a page (a reload, a restored tab, a link copied from the address bar):
    // back to the form, where "try again later" would never help.
    if (status === 405 && (req.method === 'GET' || req.method === 'HEAD') && !isMachineRoute(req.url)) {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      return reply.redirect(`${path.startsWith('/withdraw') ? '/withdraw' : '/'}${query}`, 303);
    }
    if (isMachineRoute(req.url)) {
      const code = status === 405 ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND';
      const p = toProblem(Object.assign(new Error(code), { statusCode: status, code }));
      return reply.code(status).header('content-type', 'application/problem+json').send(p);
    }
    return errorPage(ctx, req, reply, status);
  });

  // Liveness only: the log's size is in /metrics and /api/v1/log/checkpoint, which read the stored log (another
  // process, such as the CLI, may have appended to it).
  app.get('/healthz', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  // The counters move when a form finds an account (a mail is sent, a pending objection appears), so they are for the
  // operator only: anyone who could read them could tell an existing account from a typo.
  app.get('/metrics', { preParsing: requireOperator(ctx) }, async (_req, reply) =>
    reply
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .send(
        await ctx.metrics.render(
          ctx.store,
          Math.max(ctx.registry.size, (await ctx.store.latestCheckpoint())?.size ?? 0),
          ctx.programmes,
        ),
      ),
  );
  for (const [path, file] of Object.entries(STATIC)) {
    app.get(path, async (_req, reply) =>
      reply.header('content-type', file.type).header('cache-control', 'public, max-age=3600').send(file.body),
    );
  }
  app.get('/api/v1/openapi.json', async () => openApiDocument);

  pageRoutes(app, ctx);
  linkRoutes(app, ctx);
  withdrawRoutes(app, ctx);
  await checkRoutes(app, ctx);
  operatorRoutes(app, ctx);
  logRoutes(app, ctx);
  return { app, ctx };
}

/** How often the server deletes the pending objections whose confirmation links have all expired. */
const PURGE_EVERY_MS = 3_600_000;

/** A running server: its base URL and a graceful close. */
export interface RunningServer {
  /** The base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly ctx: ServerContext;
  /**
   * The link mails an earlier run left in the mail spool (see SpooledMailer): `resent` are being sent now, `expired`
   * were dropped, their links no longer valid.
   */
  readonly spooledMails: { readonly resent: number; readonly expired: number };
  /**
   * Stops accepting connections, lets in-flight requests finish and waits for background mail (past the shutdown
   * grace period, connections still open are cut and mail still queued fails), drains the registry (every batch is
   * already signed) and closes the mailer. The home stays open: its owner closes it.
   */
  close(): Promise<void>;
}

/** Splits `HOST:PORT` (IPv6 as `[::1]:8080`). */
export function parseListen(listen: string): { host: string; port: number } {
  const split = splitHostPort(listen);
  if (!split) throw new InputError('--listen must be HOST:PORT, e.g. 127.0.0.1:8080', 'E_LISTEN');
  return split;
}

/**
 * Starts the portal and API for an opened home.
 * @example const server = await startServer(home, { listen: '127.0.0.1:0' }); ...; await server.close();
 */
export async function startServer(home: Home, opts: ServerOptions = {}): Promise<RunningServer> {
  const { host, port } = parseListen(opts.listen ?? home.config.server.listen);
  const { app, ctx } = await buildApp(home, opts);
  await app.listen({ host, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  if (!opts.publicUrl && !home.config.server.public_url) ctx.publicUrl = url;
  // Requests nobody confirmed go once their links have expired: a handle anyone could type, with a free-text reason,
  // is not kept for ever.
  const purge = () =>
    ctx.tasks.run(async () => {
      const now = ctx.clock();
      // No link outlives the longest grace window; a request without one is older than that only after a crash.
      const longest = Math.max(...ctx.programmes.map((p) => p.grace_window));
      const n = await ctx.store.purgeUnconfirmed(now.toISOString(), new Date(now.getTime() - longest).toISOString());
      if (n > 0) ctx.metrics.inc('dissent_unconfirmed_purged_total', {}, n);
    });
  purge();
  const purging = setInterval(purge, PURGE_EVERY_MS).unref();
  // Link mails a shutdown or a crash left undelivered go now, oldest first, as background work like any other mail;
  // so, every spoolSweepMs, do those that every attempt failed on (a mail server down for an hour) until their links
  // expire, and those another server on this home (the old one of an overlapping deploy) left.
  const resend = (found: { pending: SpooledMail[]; expired: MailMessage[] }) => {
    for (const m of found.expired)
      ctx.metrics.inc('dissent_mail_total', { kind: m.kind ?? 'confirm', result: 'expired' });
    for (const m of found.pending) ctx.tasks.run(() => deliverMail(ctx, m.message, m.send));
  };
  // A spool that cannot be looked in (its folder another user's) must not fail a start that already listens, nor
  // keep the portal from running: it is logged, and the sweep looks again.
  const spooled = (await ctx.mailer.resume?.(ctx.clock()).catch((e: unknown) => {
    ctx.errorLog(describeError(e));
    return undefined;
  })) ?? { pending: [], expired: [] };
  resend(spooled);
  const sweeping = setInterval(
    () =>
      ctx.tasks.run(async () => {
        const found = await ctx.mailer.resume?.(ctx.clock(), { olderThanMs: ctx.spoolSweepMs });
        if (found) resend(found);
      }),
    ctx.spoolSweepMs,
  ).unref();
  let closing: Promise<void> | undefined;
  return {
    url,
    ctx,
    spooledMails: { resent: spooled.pending.length, expired: spooled.expired.length },
    close: () => {
      closing ??= (async () => {
        clearInterval(purging);
        clearInterval(sweeping);
        // Past the grace period, whatever still holds the shutdown is given up on. Node stops timing requests out
        // once the server closes, so a client sending its headers or body a byte a second would hold it for ever. A
        // mail server that does not answer would hold it for its timeout once for every few mails queued (minutes to
        // hours on deadline night); those mails fail and are counted as failed.
        const cut = setTimeout(() => {
          app.server.closeAllConnections();
          void ctx.mailer.close();
        }, ctx.shutdownGraceMs);
        await app.close();
        await ctx.tasks.idle();
        clearTimeout(cut);
        await ctx.registry.drain();
        await ctx.mailer.close();
      })();
      return closing;
    },
  };
}
