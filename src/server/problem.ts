import { ZodError } from 'zod';
import {
  DissentError,
  InputError,
  NotFoundError,
  RefusedError,
  UnavailableError,
  VerificationError,
} from '../shared/errors.ts';

/** An RFC 9457 problem details object, with our stable error code as an extension member. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
}

/** Raised by handlers for a plain HTTP outcome (401, 404, 422, 429) with a safe message. */
export class HttpError extends DissentError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    code: `E_${string}`,
  ) {
    super(message, code);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const FRAMEWORK_DETAIL: Record<number, string> = {
  400: 'the request could not be read (malformed body or parameters)',
  403: 'missing or invalid CSRF token; reload the form and submit again',
  404: 'no such resource',
  405: 'method not allowed here',
  408: 'the request was not received in time',
  413: 'the request body is larger than the server accepts',
  415: 'unsupported content type',
  429: 'too many requests; wait and retry',
  431: 'the request headers are larger than the server accepts',
};

/** Stable codes for the framework's own refusals, whatever Fastify or a plugin calls them internally. */
const FRAMEWORK_CODE: Record<number, string> = {
  400: 'E_BAD_REQUEST',
  403: 'E_CSRF',
  404: 'E_NOT_FOUND',
  405: 'E_METHOD_NOT_ALLOWED',
  408: 'E_TIMEOUT',
  413: 'E_TOO_LARGE',
  415: 'E_MEDIA_TYPE',
  429: 'E_RATE_LIMITED',
  431: 'E_HEADERS_TOO_LARGE',
};

function problem(status: number, code: string, detail?: string): Problem {
  return {
    type: `urn:dissent:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail ? { detail } : {}),
  };
}

/** The Retry-After of a 503 for a registry out of reach (UnavailableError): a database restart takes seconds. */
export const RETRY_UNAVAILABLE_S = 5;

/**
 * Maps any error to a problem. Our own errors keep their message (which never holds personal data); framework
 * errors keep their status; anything else becomes a 500 that says nothing about the internals.
 */
export function toProblem(e: unknown): Problem {
  if (e instanceof HttpError) return problem(e.status, e.code, e.message);
  if (e instanceof ZodError) {
    const issue = e.issues[0];
    const where = issue?.path.length ? `field ${issue.path.join('.')}: ` : '';
    return problem(400, 'E_SCHEMA', `${where}${issue?.message ?? 'invalid request'}`);
  }
  if (e instanceof NotFoundError) return problem(404, e.code, e.message);
  if (e instanceof InputError) return problem(400, e.code, e.message);
  if (e instanceof RefusedError) return problem(409, e.code, e.message);
  if (e instanceof VerificationError) return problem(422, e.code, e.message);
  // Its message names the registry's url (password masked) for the operator's error log; the client learns only to
  // come back (with Retry-After, RETRY_UNAVAILABLE_S).
  if (e instanceof UnavailableError) {
    return problem(503, e.code, 'the server cannot reach its registry just now; retry in a few seconds');
  }
  const fe = e as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = FRAMEWORK_CODE[fe.statusCode] ?? 'E_HTTP';
    // Framework messages can quote the request (a JSON parse error does), so only fixed texts go out.
    return problem(fe.statusCode, code, FRAMEWORK_DETAIL[fe.statusCode]);
  }
  return problem(500, 'E_INTERNAL', 'the server could not complete the request');
}
