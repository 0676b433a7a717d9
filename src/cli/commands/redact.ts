import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { defineCommand } from 'citty';
import { ALL_PII_TYPES, createRedactor, type PiiType, readKnownNames } from '../../pipeline/redact/index.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs } from '../_common.ts';

/** Parses `--pii email,phone`; every name must be a known PII type. */
export function parsePiiList(value: string | undefined): PiiType[] {
  if (value === undefined || value.trim() === '') return [...ALL_PII_TYPES];
  const types = value.split(',').map((t) => t.trim());
  for (const t of types) {
    if (!(ALL_PII_TYPES as readonly string[]).includes(t)) {
      throw new InputError(`unknown PII type "${t}"; use any of ${ALL_PII_TYPES.join(', ')}`, 'E_PII_TYPE');
    }
  }
  return types as PiiType[];
}

const FLUSH_AT = 64 * 1024;

/** `dissent redact`: redacts stdin line by line to stdout, in order, with the build's placeholders. */
export default defineCommand({
  meta: {
    name: 'redact',
    description: 'Redact personal data in UTF-8 text read from stdin, one snippet per line, to stdout (same order).',
  },
  args: {
    ...commonArgs,
    pii: {
      type: 'string',
      description: `comma-separated PII types (default all: ${ALL_PII_TYPES.join(',')})`,
      valueHint: 'TYPES',
    },
    accounts: {
      type: 'string',
      description:
        'accounts JSONL (checked as an import checks it) whose display names are redacted as known names, as the build does',
      valueHint: 'FILE',
    },
  },
  async run({ args }) {
    const types = parsePiiList(args.pii);
    const knownNames = args.accounts === undefined ? [] : await readKnownNames(args.accounts);
    const redactor = createRedactor({ types, knownNames });
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    // Batch writes and wait for drain so a huge stdin streams through in bounded memory.
    let buffer = '';
    for await (const line of lines) {
      buffer += `${redactor.redact(line)}\n`;
      if (buffer.length >= FLUSH_AT) {
        const flushed = process.stdout.write(buffer);
        buffer = '';
        if (!flushed) await once(process.stdout, 'drain');
      }
    }
    if (buffer !== '' && !process.stdout.write(buffer)) await once(process.stdout, 'drain');
  },
});
