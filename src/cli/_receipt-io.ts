import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Receipt } from '../log/receipt.ts';
import { InputError } from '../shared/errors.ts';

/** Writes a receipt as pretty JSON to `file`, or to stdout when no file is given. */
export function emitReceipt(receipt: Receipt, file?: string): void {
  const text = `${JSON.stringify(receipt, null, 2)}\n`;
  if (file) writeFileSync(file, text, { mode: 0o600 });
  else process.stdout.write(text);
}

/** Reads a file the user named, turning a missing or unreadable file into an input error. */
export function readUserFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the ${what} file ${file}`, 'E_READ', { cause });
  }
}

/** A --key value: the verifier key string itself, or a file that holds it. */
export function readKeyArg(value: string): string {
  if (/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value.trim())) return value.trim();
  if (existsSync(value)) return readUserFile(value, 'verifier key').trim();
  throw new InputError(
    'the --key value is neither a verifier key (name+hash+key) nor a readable file; get it with "dissent log key"',
    'E_KEY',
  );
}
