import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { jurisdiction } from '../policy/schema.ts';
import { InputError } from '../shared/errors.ts';
import { parseYamlWith } from '../shared/yaml.ts';
import { parseDuration } from './duration.ts';

/** The config file's name inside a home folder. */
export const CONFIG_FILE = 'dissent.config.yaml';

/** The registry file `dissent init` makes in a home, which the default database.url names. */
export const REGISTRY_FILE = 'registry.db';

/** A `server.trust_proxy` entry as Fastify's proxy check reads it: an address, a CIDR range or a named range. */
function isProxyAddress(v: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [addr = '', bits, ...rest] = v.split('/');
  const family = isIP(addr);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** Splits `HOST:PORT` (IPv6 as `[::1]:8080`); undefined when `v` is not one. */
export function splitHostPort(v: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v.trim());
  const port = Number(m?.[3]);
  return m && port <= 65_535 ? { host: (m[1] ?? m[2]) as string, port } : undefined;
}

/**
 * Whether `v` is a URL the mailer can connect with. Anything else failed only when `dissent serve` started, as an
 * "unexpected error: Invalid URL" that named no setting (a password holding "#" or "/" cuts the URL short).
 */
function isSmtpUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Whether `v` can be the portal's address: http(s) and the root of its host. The pages link to /object, /static/…
 * from the root, so under a path prefix their forms and stylesheet missed the portal; a query or fragment would end up
 * in the middle of every mailed link.
 */
function isPublicUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.pathname === '/' &&
      !v.includes('?') &&
      !v.includes('#') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/** A sender: `local@domain`, or a name and `<local@domain>`; no line breaks, no second address. */
const MAIL_FROM = /^(?:[^<>@\r\n,;]*<[^\s<>@,;]+@[^\s<>@,;]+>|[^\s<>@,;]+@[^\s<>@,;]+)$/;

/** Whether `v` is a time zone the pages can show times in (an IANA name such as Europe/Dublin). */
function isTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/**
 * A date-time with its UTC offset. Without one, JavaScript reads `2025-05-26T23:59:59` in the time zone of whichever
 * machine runs the command (the CLI and the server could judge lateness hours apart) and `2025-05-26` as midnight
 * UTC, which would make every objection of the last day late; `2025-02-30` would roll over into March.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => {
    if (v instanceof Date) return v;
    const m = ISO_DATE_TIME.exec(v.trim());
    if (!m) return new Date(Number.NaN);
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth ? new Date(v.trim()) : new Date(Number.NaN);
  })
  .refine(
    (d) => !Number.isNaN(d.getTime()),
    'must be a real ISO 8601 date-time with its UTC offset, e.g. 2025-05-26T23:59:59+02:00',
  );

// A bare number is refused rather than read in some unit: `grace_window: 72`, meant as the 72 hours every example
// shows, would otherwise be 72 seconds, and confirmation links would expire before the mail arrived.
const duration = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? undefined : parseDuration(v)))
  .refine((v): v is number => v !== undefined && v >= 0, 'must be a duration with its unit, such as 72h, 30m or 5s');

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be lowercase letters, digits, ".", "_" or "-"');

const programmeSchema = z
  .object({
    id: id.refine((v) => v !== '*', '"*" is reserved for "all programmes"'),
    // One title for every language, or one per language (en is required: the fallback, and what manifests show).
    title: z.union([z.string().min(1), z.object({ en: z.string().min(1), de: z.string().min(1).optional() }).strict()]),
    purpose: z.string().default('train_ai_system'),
    legal_basis: z.string().default('legitimate_interest'),
    // A build narrows the policy's jurisdictions to these (withinProgramme): what the programme was announced for.
    // In any case: a config written before these were checked may say [eu].
    jurisdictions: z
      .array(
        z
          .string()
          .transform((j) => j.toUpperCase())
          .pipe(jurisdiction),
      )
      .min(1)
      .default(['EU']),
    notice_date: isoDate,
    deadline: isoDate,
    grace_window: duration.default(72 * 3_600_000),
    policy: z.string().min(1),
    key_file: z.string().optional(),
  })
  .strict()
  .refine((p) => p.notice_date <= p.deadline, {
    message: 'notice_date must not be after deadline',
    path: ['deadline'],
  })
  // Past the last date JavaScript holds, the deadline plus the grace window is no date at all, and every comparison
  // with it is false: the wait before a first snapshot would be skipped, and no confirmation link could expire.
  .refine((p) => !Number.isNaN(new Date(p.deadline.getTime() + p.grace_window).getTime()), {
    message: 'is too long: the deadline plus the grace window is past any date',
    path: ['grace_window'],
  })
  // `title` is the default title; `titles` has one per language the config gives (none: `title` in all).
  .transform(
    ({ title, ...p }): typeof p & { title: string; titles?: Readonly<{ en: string; de?: string | undefined }> } =>
      typeof title === 'string' ? { ...p, title } : { ...p, title: title.en, titles: title },
  );

const configSchema = z
  .object({
    log: z
      .object({
        origin: z.string().regex(/^[^\s]+$/, 'must be one word, e.g. example.org/dissent/log'),
        key_file: z.string().default('log.key'),
      })
      .strict(),
    database: z
      .object({ url: z.string().default('sqlite:registry.db') })
      .strict()
      .default({ url: 'sqlite:registry.db' }),
    programmes: z.array(programmeSchema).min(1, 'needs at least one programme'),
    server: z
      .object({
        listen: z
          .string()
          .refine((v) => splitHostPort(v) !== undefined, 'must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080')
          .default('127.0.0.1:8080'),
        public_url: z
          .string()
          .refine(
            isPublicUrl,
            'must be the http:// or https:// address the portal is served at, the root of its host (e.g. https://widerspruch.example): the pages link from the root, so no path, query or fragment',
          )
          .optional(),
        // A bearer token is visible ASCII without spaces (RFC 6750): another one could never authenticate.
        api_tokens: z
          .array(
            z
              .string()
              .min(16, 'must be at least 16 characters')
              .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII without spaces, e.g. from "openssl rand -hex 32"'),
          )
          .default([]),
        // The value is never repeated in an error: it may hold the mail server's password.
        smtp_url: z
          .string()
          .refine(
            isSmtpUrl,
            'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example:587 (percent-encode @ : / # ? in the user name and password)',
          )
          .optional(),
        // Checked here: a value without an address failed only when the first confirmation mail was sent, and a line
        // break would have written headers of its own into every mail.
        mail_from: z
          .string()
          .refine(
            (v) => MAIL_FROM.test(v),
            'must be an e-mail address, alone or after a name: "dissent <no-reply@example.org>" or no-reply@example.org',
          )
          .default('dissent <no-reply@localhost>'),
        // The reverse proxies whose X-Forwarded-For is believed. Without them every client behind a proxy shares its
        // address and so its rate limits; trusting any sender instead would let a client forge its address.
        trust_proxy: z
          .array(
            z
              .string()
              .refine(
                isProxyAddress,
                'must be an IP address, a CIDR range such as 10.0.0.0/8, or loopback, linklocal or uniquelocal',
              ),
          )
          .default([]),
        // Deadlines, submission times and times left are shown in this zone on the pages and in the mails.
        time_zone: z
          .string()
          .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or Europe/Dublin')
          .default('Europe/Berlin'),
      })
      .strict()
      .default({
        listen: '127.0.0.1:8080',
        api_tokens: [],
        mail_from: 'dissent <no-reply@localhost>',
        trust_proxy: [],
        time_zone: 'Europe/Berlin',
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.programmes.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({ code: 'custom', message: 'duplicate programme id', path: ['programmes', i, 'id'] });
      seen.add(p.id);
    });
  });

/** A programme: one announced use of content for AI training. */
export type Programme = z.infer<typeof programmeSchema>;

/** A validated dissent config, with paths made absolute against the home folder. */
export type Config = z.infer<typeof configSchema> & { readonly home: string; readonly file: string };

/** Parses and validates config text; errors name the file, line and field. */
export function parseConfig(text: string, file: string, home: string): Config {
  const raw = parseYamlWith(configSchema, text, file);
  const abs = (p: string) => (isAbsolute(p) ? p : join(home, p));
  return {
    ...raw,
    log: { ...raw.log, key_file: abs(raw.log.key_file) },
    programmes: raw.programmes.map((p) => ({
      ...p,
      policy: abs(p.policy),
      ...(p.key_file ? { key_file: abs(p.key_file) } : {}),
    })),
    home,
    file,
  };
}

/** Loads `dissent.config.yaml` from a home folder. */
export function loadConfig(home: string): Config {
  const file = join(home, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(
      `no dissent home at ${dirname(file)} (cannot read ${CONFIG_FILE}); run "dissent init" or pass --home DIR`,
      'E_NO_HOME',
      { cause },
    );
  }
  return parseConfig(text, file, home);
}

/** A programme's title in `lang`, or its default title. */
export function programmeTitle(p: Programme, lang: string): string {
  return p.titles?.[lang as 'en' | 'de'] ?? p.title;
}

/** The title in `lang` of the programme with this id, or the id itself when no such programme is configured. */
export function programmeTitleById(programmes: readonly Programme[], id: string, lang: string): string {
  const p = programmes.find((x) => x.id === id);
  return p ? programmeTitle(p, lang) : id;
}

/** Finds a programme by id, or throws an error listing the known ones. */
export function programmeById(config: Config, id: string): Programme {
  const p = config.programmes.find((x) => x.id === id);
  if (!p) {
    throw new InputError(
      `unknown programme "${id}"; known programmes: ${config.programmes.map((x) => x.id).join(', ')}`,
      'E_UNKNOWN_PROGRAMME',
    );
  }
  return p;
}
