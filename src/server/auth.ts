import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization: Bearer` header against the configured operator tokens in constant time: every token is
 * compared (as SHA-256, so lengths do not leak), and the loop never stops early.
 */
export function bearerMatches(header: string | undefined, tokens: readonly string[]): boolean {
  if (typeof header !== 'string' || !/^Bearer [\x21-\x7e]+$/.test(header)) return false;
  const given = createHash('sha256').update(header.slice(7)).digest();
  let ok = false;
  for (const t of tokens) {
    const want = createHash('sha256').update(t).digest();
    ok = timingSafeEqual(given, want) || ok;
  }
  return ok;
}
