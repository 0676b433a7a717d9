import type { Programme } from '../config/config.ts';
import type { Home } from '../config/home.ts';
import { parseVerifierKey, type Verifier, verifierKeyOf } from '../log/note.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../registry/store.ts';
import { WindowLimiter } from './limiter.ts';
import { createMailer, type Mailer } from './mail/index.ts';
import { Metrics } from './metrics.ts';
import { type ProgrammeFacts, programmeFacts } from './programme-facts.ts';
import { BackgroundTasks } from './tasks.ts';

/** Request limits; the defaults suit a public portal, tests lower or raise them. */
export interface Limits {
  /** Requests per minute from one IP address (the authenticated operator API is exempt). */
  readonly perIpPerMinute: number;
  /** Form submissions (object, withdraw) per minute from one IP address. */
  readonly formsPerIpPerMinute: number;
  /** Link-token attempts (confirm, withdraw) per 15 minutes from one IP address. */
  readonly tokenAttemptsPer15Min: number;
  /** Requests that name one subject (a typed handle or e-mail, or an API subject) per hour. */
  readonly perSubjectPerHour: number;
  /** Largest accepted request body, in bytes. */
  readonly bodyBytes: number;
  /**
   * Link mails the server may hold (being sent, or waiting to be tried again) before the forms that send one are
   * refused with 503 until some have gone: each held mail takes about 5 KB of memory.
   */
  readonly queuedMails: number;
}

/** The defaults: generous enough for a deadline-night rush behind a NAT, tight enough to stop probing. */
export const DEFAULT_LIMITS: Limits = {
  perIpPerMinute: 600,
  formsPerIpPerMinute: 20,
  tokenAttemptsPer15Min: 20,
  perSubjectPerHour: 10,
  bodyBytes: 64 * 1024,
  queuedMails: 10_000,
};

/** How long a graceful shutdown waits for requests still in flight before it cuts their connections. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** One structured access-log line: never a subject, e-mail, token, query string or receipt. */
export interface AccessLogLine {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
}

/** Options for building or starting the server. */
export interface ServerOptions {
  /** HOST:PORT to listen on (default: config server.listen); port 0 picks a free one. */
  readonly listen?: string;
  /** The server clock for deadlines and link expiry (default: the registry's clock). */
  readonly clock?: () => Date;
  /** Base URL for links in mails (default: config server.public_url, else the address listened on). */
  readonly publicUrl?: string;
  /** Mail transport (default: from the config: SMTP or the outbox folder). */
  readonly mailer?: Mailer;
  /** Receives one line per request (default: none). */
  readonly accessLog?: (line: AccessLogLine) => void;
  /** Receives failures of background work and unexpected errors; never personal data (default: none). */
  readonly errorLog?: (event: LoggedError) => void;
  /**
   * Reverse proxies whose X-Forwarded-For names the client, so that per-address limits key on the client (addresses,
   * CIDR ranges; default: config server.trust_proxy, else none).
   */
  readonly trustProxy?: readonly string[];
  /** Time zone in which pages show deadlines and times (default: config server.time_zone, Europe/Berlin). */
  readonly timeZone?: string;
  readonly limits?: Partial<Limits>;
  /**
   * How long a graceful close waits for requests still being sent or answered, and for queued mail, before it cuts
   * their connections and fails the mail (default 10 s).
   */
  readonly shutdownGraceMs?: number;
  /**
   * How often the server looks in the mail spool for link mails that every attempt failed on (or that another server
   * on the same home left), and sends them again; a mail is looked at once it is this old. Default 15 minutes, longer
   * than a mail's own attempts take (SMTP_RETRY_DELAYS_MS).
   */
  readonly spoolSweepMs?: number;
}

/** Everything a route handler needs, built once per server. */
export interface ServerContext {
  readonly home: Home;
  readonly registry: Registry;
  readonly store: Store;
  readonly programmes: readonly Programme[];
  readonly facts: ReadonlyMap<string, ProgrammeFacts>;
  readonly verifierKey: string;
  readonly verifier: Verifier;
  readonly clock: () => Date;
  readonly mailer: Mailer;
  readonly metrics: Metrics;
  readonly tasks: BackgroundTasks;
  readonly subjects: WindowLimiter;
  readonly limits: Limits;
  readonly shutdownGraceMs: number;
  readonly spoolSweepMs: number;
  readonly timeZone: string;
  readonly apiTokens: readonly string[];
  readonly secureCookies: boolean;
  readonly accessLog: (line: AccessLogLine) => void;
  readonly errorLog: (event: LoggedError) => void;
  /** The base URL for links in mails; known once the server listens. */
  publicUrl: string;
}

/** Builds the server context from an opened home. */
export function createContext(home: Home, opts: ServerOptions = {}): ServerContext {
  const verifierKey = verifierKeyOf(home.signer);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const errorLog = opts.errorLog ?? (() => {});
  const publicUrl = opts.publicUrl ?? home.config.server.public_url ?? `http://${home.config.server.listen}`;
  const metrics = new Metrics();
  return {
    home,
    registry: home.registry,
    store: home.store,
    programmes: home.config.programmes,
    facts: new Map(home.config.programmes.map((p) => [p.id, programmeFacts(p)])),
    verifierKey,
    verifier: parseVerifierKey(verifierKey),
    clock: opts.clock ?? (() => new Date(home.registry.now())),
    mailer:
      opts.mailer ??
      createMailer(
        home.config,
        () => metrics.inc('dissent_mail_retries_total', {}),
        (e) => {
          metrics.inc('dissent_mail_spool_errors_total', {});
          errorLog(describeError(e));
        },
      ),
    metrics,
    tasks: new BackgroundTasks((e) => errorLog(describeError(e))),
    subjects: new WindowLimiter(limits.perSubjectPerHour, 3_600_000),
    limits,
    shutdownGraceMs: opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    spoolSweepMs: opts.spoolSweepMs ?? 15 * 60_000,
    timeZone: opts.timeZone ?? home.config.server.time_zone,
    apiTokens: home.config.server.api_tokens,
    secureCookies: publicUrl.startsWith('https:'),
    accessLog: opts.accessLog ?? (() => {}),
    errorLog,
    publicUrl: publicUrl.replace(/\/+$/, ''),
  };
}

/** An error as the server's error log holds it. */
export interface LoggedError {
  readonly code: string;
  readonly name: string;
  /** The code of the error behind it, when it has one: PostgreSQL's SQLSTATE (28P01) or a socket's (ECONNREFUSED). */
  readonly cause?: string;
  readonly stack?: string;
}

/**
 * An error reduced to what may be logged: its code, class name, its cause's code and call stack. Never its message,
 * which may quote personal data (a mail server's refusal names the recipient's address, for one), so the stack keeps
 * only its `at ...` frames.
 */
export function describeError(e: unknown): LoggedError {
  const err = e as { code?: unknown; name?: unknown; stack?: unknown; cause?: { code?: unknown } };
  const frames = typeof err?.stack === 'string' ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  const cause = err?.cause?.code;
  return {
    code: typeof err?.code === 'string' ? err.code : 'E_UNEXPECTED',
    name: typeof err?.name === 'string' ? err.name : 'Error',
    ...(typeof cause === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause) ? { cause } : {}),
    ...(frames.length > 0 ? { stack: frames.join('\n') } : {}),
  };
}
