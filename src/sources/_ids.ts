import { createHash } from 'node:crypto';

/**
 * A stable, namespaced record id: `prefix:` and the first 16 hex digits of sha256 over the parts joined by newlines,
 * so the same export always gives the same ids.
 * @example stableId('fb:p', account, '1714564800', text) // 'fb:p:3f2a…'
 */
export function stableId(prefix: string, ...parts: readonly string[]): string {
  return `${prefix}:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16)}`;
}
