import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../shared/errors.ts';

/**
 * Reads an accounts JSONL file and returns the known names it defines: every display_name, and every handle (with a
 * leading @ removed) because people are also called by their handle in text.
 */
export async function readKnownNames(path: string, signal?: AbortSignal): Promise<string[]> {
  const names = new Set<string>();
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', signal }), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (cause) {
        throw new InputError(`accounts file line ${lineNo}: not valid JSON`, 'E_ACCOUNTS', { cause });
      }
      if (typeof row !== 'object' || row === null) {
        throw new InputError(`accounts file line ${lineNo}: not a JSON object`, 'E_ACCOUNTS');
      }
      const { display_name: display, handle } = row as { display_name?: unknown; handle?: unknown };
      if (typeof display === 'string' && display !== '') names.add(display);
      if (typeof handle === 'string' && handle.replace(/^@/, '') !== '') names.add(handle.replace(/^@/, ''));
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('accounts file could not be read', 'E_ACCOUNTS', { cause: error });
  }
  return [...names];
}
