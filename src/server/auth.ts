import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../log/hash.ts';

/** The tokens' digests, computed once per configured list. */
const digests = new WeakMap<readonly string[], Uint8Array[]>();

/**
 * Checks an `Authorization: Bearer` header against the configured operator tokens in constant time: every token is
 * compared (as SHA-256, so lengths do not leak), and the loop never stops early.
 */
export function bearerMatches(header: string | undefined, tokens: readonly string[]): boolean {
  // The scheme is case-insensitive (RFC 9110, 11.1), and one or more spaces may follow it (RFC 6750, 2.1).
  const token = typeof header === 'string' ? /^bearer +([\x21-\x7e]+)$/i.exec(header)?.[1] : undefined;
  if (token === undefined) return false;
  const given = sha256(token);
  let wanted = digests.get(tokens);
  if (!wanted) {
    wanted = tokens.map((t) => sha256(t));
    digests.set(tokens, wanted);
  }
  let ok = false;
  for (const want of wanted) ok = timingSafeEqual(given, want) || ok;
  return ok;
}

/** Verdicts per request, so that the rate limiter's allow list and the route's own check hash the header once. */
const verdicts = new WeakMap<object, { tokens: readonly string[]; ok: boolean }>();

/** `bearerMatches` for one request (keyed by its raw message) and token list, computed at most once. */
export function isOperatorRequest(
  req: { raw: object; headers: { authorization?: string | undefined } },
  tokens: readonly string[],
): boolean {
  const known = verdicts.get(req.raw);
  if (known?.tokens === tokens) return known.ok;
  const ok = bearerMatches(req.headers.authorization, tokens);
  verdicts.set(req.raw, { tokens, ok });
  return ok;
}
