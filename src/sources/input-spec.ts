import { InputError } from '../shared/errors.ts';
import { EXPORT_FORMATS, type SourceFormat } from './types.ts';

/**
 * Splits a build input into format and path: `facebook:EXPORT.zip` names an export format, a plain path (including
 * a Windows drive like `C:\x`) is canonical JSONL. An unknown `word:` prefix is an InputError, not a silent path.
 * @example parseInputSpec('mastodon:archive.tar.gz') // { format: 'mastodon', path: 'archive.tar.gz' }
 */
export function parseInputSpec(spec: string): { format: SourceFormat; path: string } {
  const m = /^([a-z][a-z0-9_-]+):(?!\/\/)(.+)$/.exec(spec);
  if (!m) return { format: 'jsonl', path: spec };
  const [, prefix, path] = m as unknown as [string, string, string];
  if (prefix === 'jsonl') return { format: 'jsonl', path };
  const format = EXPORT_FORMATS.find((f) => f === prefix);
  if (!format) {
    throw new InputError(
      `unknown input format "${prefix}:" (expected one of jsonl, ${EXPORT_FORMATS.join(', ')}, or a plain path); ` +
        `to read a file or folder whose name holds a colon, write it as ./${spec}`,
      'E_FORMAT',
    );
  }
  return { format, path };
}
