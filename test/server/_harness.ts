import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHome } from '../../src/cli/commands/init.ts';
import { CONFIG_FILE } from '../../src/config/config.ts';
import { type Home, openHome } from '../../src/config/home.ts';
import { EXAMPLE_VALUES } from '../../src/config/template.ts';
import { generateIdentityGraph } from '../../src/demo/identity-graph.ts';
import type { AccountRow } from '../../src/registry/types.ts';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/app.ts';

/** The operator token every test home accepts. */
export const API_TOKEN = 'test-operator-token-0123456789abcdef';

/** A clock the test moves by hand, so that nothing depends on real time. */
export class TestClock {
  ms: number;
  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A temporary home with two programmes, a generated identity graph and an API token. */
export interface TestHome {
  readonly dir: string;
  readonly home: Home;
  readonly clock: TestClock;
  readonly accounts: AccountRow[];
  cleanup(): Promise<void>;
}

/** Creates a home: deadline 2025-05-26T21:59:59Z, grace 72h, clock at 2025-05-20 unless told otherwise. */
export async function makeHome(
  opts: {
    persons?: number;
    smtpUrl?: string;
    now?: string;
    open?: boolean;
    timeZone?: string;
    /** The second programme's title, as YAML (default "Training on AI-assistant chats"). */
    assistantTitle?: string;
  } = {},
): Promise<TestHome> {
  const dir = mkdtempSync(join(tmpdir(), 'dissent-server-'));
  initHome(dir, { ...EXAMPLE_VALUES, origin: 'test.dissent/log' }, []);
  const file = join(dir, CONFIG_FILE);
  let config = readFileSync(file, 'utf8').replace('api_tokens: []', `api_tokens: ["${API_TOKEN}"]`);
  if (opts.smtpUrl) config = config.replace(/ {2}# smtp_url: .*\n/, `  smtp_url: ${opts.smtpUrl}\n`);
  if (opts.timeZone) config = config.replace('time_zone: Europe/Berlin', `time_zone: ${opts.timeZone}`);
  // A second programme, so that '*' and single programmes differ.
  config = config.replace(
    '\nserver:',
    `  - id: assistant-2025
    title: ${opts.assistantTitle ?? '"Training on AI-assistant chats"'}
    notice_date: 2025-04-14T00:00:00Z
    deadline: 2025-06-30T21:59:59Z
    grace_window: 24h
    policy: policies/${EXAMPLE_VALUES.programmeId}.yaml

server:`,
  );
  writeFileSync(file, config);
  const clock = new TestClock(opts.now ?? '2025-05-20T10:00:00Z');
  const accounts = [...generateIdentityGraph({ persons: opts.persons ?? 50, today: new Date('2025-05-20') })];
  const home = await openHome(dir, { clock: clock.now });
  await home.store.upsertAccounts(accounts);
  return {
    dir,
    home,
    clock,
    accounts,
    cleanup: async () => {
      await home.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a server on a free port for a test home, with generous limits unless the test sets them. */
export async function serve(t: TestHome, opts: ServerOptions = {}): Promise<RunningServer> {
  return startServer(t.home, {
    listen: '127.0.0.1:0',
    clock: t.clock.now,
    ...opts,
    limits: { perIpPerMinute: 10_000, formsPerIpPerMinute: 1000, tokenAttemptsPer15Min: 1000, ...opts.limits },
  });
}

/** Decodes a quoted-printable body (soft line breaks and =XX escapes, as UTF-8). */
export function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** One mail read back from the outbox. */
export interface OutboxMail {
  readonly file: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly link: string | undefined;
}

/** Parses an RFC 5322 message as nodemailer writes it (headers, then a QP or 7bit text body). */
export function parseMail(raw: string, file = ''): OutboxMail {
  const split = raw.indexOf('\n\n');
  const head = raw.slice(0, split).replace(/\r/g, '');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1] ?? '';
  const qp = /quoted-printable/i.test(header('Content-Transfer-Encoding'));
  const body = qp ? decodeQuotedPrintable(raw.slice(split + 2)) : raw.slice(split + 2);
  return {
    file,
    to: header('To'),
    subject: header('Subject'),
    body,
    link: /https?:\/\/\S+\/(?:confirm|withdraw\/confirm)\/[A-Za-z0-9_-]{43}\S*/.exec(body)?.[0],
  };
}

/** All mails in the home's outbox, oldest first. */
export function readOutbox(dir: string): OutboxMail[] {
  const box = join(dir, 'outbox');
  let names: string[];
  try {
    names = readdirSync(box).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names.sort().map((n) => parseMail(readFileSync(join(box, n), 'utf8'), n));
}

/** A minimal cookie-keeping HTTP client for form flows without a browser. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) this.cookies.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
    }
    return res;
  }

  /** GETs a page and returns its HTML and the CSRF token of its form. */
  async page(path: string, init: RequestInit = {}): Promise<{ res: Response; html: string; csrf: string }> {
    const res = await this.request(path, init);
    const html = await res.text();
    return { res, html, csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
  }

  /** POSTs a url-encoded form. */
  async post(path: string, fields: Record<string, string>, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/x-www-form-urlencoded');
    return this.request(path, { ...init, method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  }
}

/** Fetches JSON from the operator API with the test token unless told otherwise. */
export async function api(
  base: string,
  path: string,
  opts: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? API_TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
