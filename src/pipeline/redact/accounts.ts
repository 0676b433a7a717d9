import { badAccountsError, readAccountsFile } from '../../registry/identities.ts';

/**
 * Reads an accounts JSONL file and returns the known names it defines: every display_name, as the build takes them
 * from the identity graph (handles are the `handle` PII type's: `@anna_s`). The file is checked as an import checks
 * it (invalid UTF-8, bad JSON, missing fields...): a bad line is refused with its number, never silently skipped, so
 * that a spot check never runs with fewer names than the build would have.
 */
export async function readKnownNames(path: string): Promise<string[]> {
  const names = new Set<string>();
  const read = await readAccountsFile(path, (rows) => {
    for (const row of rows) if (row.display_name) names.add(row.display_name);
  });
  if (read.badLines > 0) throw badAccountsError(read, 'no text was redacted');
  return [...names];
}
