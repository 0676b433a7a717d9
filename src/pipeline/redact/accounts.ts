import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../shared/errors.ts';

/**
 * Reads an accounts JSONL file and returns the known names it defines: every display_name, as the build takes them
 * from the identity graph (handles are the `handle` PII type's: `@anna_s`).
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
        row = JSON.parse(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
      } catch (cause) {
        throw new InputError(`accounts file line ${lineNo}: not valid JSON`, 'E_ACCOUNTS', { cause });
      }
      if (typeof row !== 'object' || row === null) {
        throw new InputError(`accounts file line ${lineNo}: not a JSON object`, 'E_ACCOUNTS');
      }
      const display = (row as { display_name?: unknown }).display_name;
      if (typeof display === 'string' && display !== '') names.add(display);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`accounts file ${path} could not be read`, 'E_ACCOUNTS', { cause: error });
  }
  return [...names];
}
