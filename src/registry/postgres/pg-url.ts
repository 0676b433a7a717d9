import { userInfo } from 'node:os';
import { DissentError, InputError, UnavailableError } from '../../shared/errors.ts';

/** Query parameters of a PostgreSQL url that hold a secret. */
const SECRET_PARAMS = /^(password|sslpassword|passfile|sslkey)$/i;

/**
 * A PostgreSQL url as it may be shown: its password, and any secret query parameter, replaced by `***`.
 *
 * @example maskUrl('postgres://dissent:s3cret@db.internal/registry') // 'postgres://dissent:***@db.internal/registry'
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the PostgreSQL url (not shown: it cannot be parsed, and may hold a password)';
  }
  if (u.password !== '') u.password = '***';
  for (const key of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(key)) u.searchParams.set(key, '***');
  return u.toString().replaceAll('%2A%2A%2A', '***');
}

const LOST = 'lost the connection: check that PostgreSQL is running, then run the command again';

/**
 * What a PostgreSQL error code or a socket error says about the registry, what to do, and whether it may pass by itself
 * (a server restarting, a lost connection): a request that meets such a failure is answered 503 with Retry-After, not
 * 500, so that a client retries.
 */
const PROBLEMS: readonly [RegExp, string, 'transient' | 'lasting'][] = [
  [
    /^(ECONNREFUSED|ENOENT|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)$/,
    'cannot be reached: check that PostgreSQL is running there and that the url names its host (or socket folder) and port',
    'transient',
  ],
  [
    /^28P01$/,
    "refused the password of the url's user: check the user name and the password in the url (percent-encode special characters in it)",
    'lasting',
  ],
  [
    /^28000$/,
    "refused the url's user: the role does not exist, or pg_hba.conf does not let it connect this way; create the role or fix the url",
    'lasting',
  ],
  [
    /^3D000$/,
    'names a database that does not exist: create it first (createdb NAME), or fix the name in the url',
    'lasting',
  ],
  [
    /^42501$/,
    "refused what dissent does there: the url's user needs the right to create tables in the database, and to own dissent's tables there (a registry restored by another role, such as pg_restore run as postgres, belongs to that role: restore it again with pg_restore --no-owner as the url's user, --dbname=URL)",
    'lasting',
  ],
  [
    /^(57P03|53300)$/,
    'does not take connections now (starting up, or too many connections): try again shortly',
    'transient',
  ],
  [/^(08\w{3}|57P01|57P02)$/, LOST, 'transient'],
  [
    // A statement_timeout or lock_timeout (in the url's options, the role or the database) that a commit waiting for the
    // log's lock behind a busy server runs into, a cancel by an administrator, a deadlock or serialization failure:
    // the same work may go through a moment later.
    /^(57014|55P03|40001|40P01)$/,
    'gave up on a statement (a statement_timeout or lock_timeout, a deadlock, or a cancel by an administrator): try again shortly, and raise statement_timeout if it keeps happening under load',
    'transient',
  ],
];

/** Node's error codes for a TLS certificate that fails verification (self-signed, unknown issuer, expired, other host). */
const TLS_CERT =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * A failure of the PostgreSQL registry as an error that names it (`where`: its masked url) and what to do; any other
 * error as it is. The url's password never appears. A DissentError, not an InputError: the same failure in the middle
 * of a server's work is the server's (a 500 that says nothing of the database), not the client's.
 */
export function describePgError(e: unknown, where: string, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): unknown {
  if (e instanceof DissentError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : '';
  // pg's words when a connection is not made within connectTimeoutMs (the pool's, when none is free in that time).
  if (/^(Connection terminated due to connection timeout|timeout exceeded when trying to connect)$/.test(message)) {
    return new UnavailableError(
      `the registry ${where} did not answer within ${connectTimeoutMs / 1000} s: check that PostgreSQL is running there and not overloaded, and that nothing on the way (a firewall) drops the connection; connect_timeout=SECONDS in the url sets the wait`,
      'E_DB_UNAVAILABLE',
      { cause: e },
    );
  }
  // pg's own words when the server asks for a password and the url gives none.
  if (/client password must be a string|password authentication failed/.test(message) && code !== '28P01') {
    return new DissentError(
      `the registry ${where} asks for a password, and the url has none: add it (postgresql://USER:PASSWORD@HOST/DATABASE)`,
      'E_DB',
      { cause: e },
    );
  }
  // pg's words when the url asks for SSL (sslmode) and the server has it off.
  if (message === 'The server does not support SSL connections') {
    return new DissentError(
      `the registry ${where} does not take SSL connections, and the url asks for them (sslmode): turn ssl on in the server's postgresql.conf, or leave sslmode out of the url over the local socket or a network you trust`,
      'E_DB',
      { cause: e },
    );
  }
  // Node's codes for a server certificate it cannot verify. pg checks it for sslmode=require too, as libpq does only
  // for verify-full: against the system's CAs, and for the url's host.
  if (typeof code === 'string' && TLS_CERT.test(code)) {
    return new DissentError(
      `the registry ${where} showed a certificate that cannot be verified (${code}): dissent checks it against the system's certificate authorities and the url's host name, for sslmode=require as for verify-full; name the authority that signed it with sslrootcert=/path/to/ca.pem in the url, and connect by the host name the certificate is for`,
      'E_DB',
      { cause: e },
    );
  }
  if (typeof code !== 'string') {
    // pg's own words when the socket ends: during the connection's start (a proxy, a server shutting down) or later,
    // and when a connection whose socket ended is used once more.
    if (
      !/^(Connection terminated unexpectedly|Client has encountered a connection error and is not queryable)$/.test(
        message,
      )
    ) {
      return e;
    }
    return new UnavailableError(`the registry ${where} ${LOST} (the connection ended)`, 'E_DB_UNAVAILABLE', {
      cause: e,
    });
  }
  const problem = PROBLEMS.find(([re]) => re.test(code));
  if (!problem) return e;
  // What the server refused, when its words name only one of dissent's objects ("permission denied for table accounts").
  const refused = /^permission denied for \w+ [\w.]+$/.test(message) ? `, ${message}` : '';
  const said = `the registry ${where} ${problem[1]} (${code}${refused})`;
  return problem[2] === 'transient'
    ? new UnavailableError(said, 'E_DB_UNAVAILABLE', { cause: e })
    : new DissentError(said, 'E_DB', { cause: e });
}

/** How long dissent waits for a PostgreSQL connection unless the url says otherwise (libpq's connect_timeout). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How long to wait for a connection: the url's connect_timeout (seconds, as libpq reads it; 0 waits for ever), else
 * DEFAULT_CONNECT_TIMEOUT_MS. Without a limit, a host that takes the connection and never answers (hung, or behind a
 * firewall that drops packets) holds every command and request for ever. Throws Node's URL error on a malformed url.
 */
export function connectTimeoutMs(url: string): number {
  const given = new URL(url).searchParams.get('connect_timeout');
  if (given === null || given.trim() === '') return DEFAULT_CONNECT_TIMEOUT_MS;
  // libpq refuses such a value too (it takes whole seconds): taking the default instead would hide the typo.
  if (!/^\d{1,6}$/.test(given.trim())) {
    throw new InputError(
      `connect_timeout=${given.slice(0, 20)} in the registry url is not a whole number of seconds; write connect_timeout=SECONDS (0: no limit)`,
      'E_DB',
    );
  }
  return Number(given.trim()) * 1000;
}

/**
 * The url dissent connects with: `-c synchronous_commit=on` added to its session options, so that a commit returns
 * only once it is on disk whatever the server's, the database's or the role's default (off loses the last commits of
 * a power cut, after their receipts went out); and, when neither the url nor PGUSER names a user, the user this
 * process runs as, as psql takes it (node-postgres reads $USER only, which a service manager often leaves unset).
 * Throws Node's URL error (which holds the url) on a malformed one.
 */
export function sessionUrl(url: string): string {
  const u = new URL(url);
  const options = u.searchParams.get('options');
  u.searchParams.set('options', `${options ? `${options} ` : ''}-c synchronous_commit=on`);
  if (u.username === '' && !u.searchParams.get('user') && !process.env.PGUSER && !process.env.USER) {
    u.searchParams.set('user', userInfo().username);
  }
  return u.toString();
}
