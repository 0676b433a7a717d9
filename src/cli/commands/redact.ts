import { once } from 'node:events';
import { defineCommand } from 'citty';
import { ALL_PII_TYPES, createRedactor, type PiiType, readKnownNames } from '../../pipeline/redact/index.ts';
import { InputError } from '../../shared/errors.ts';
import { homelessArgs } from '../_common.ts';

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
    ...homelessArgs,
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
    // A reader that stops early (`| head`) is no error: stop quietly, as other line filters do.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
    // Batch writes and wait for drain so a huge stdin streams through in bounded memory.
    let buffer = '';
    try {
      for await (const line of stdinLines()) {
        buffer += `${redactor.redact(line)}\n`;
        if (buffer.length >= FLUSH_AT) {
          const flushed = process.stdout.write(buffer);
          buffer = '';
          if (!flushed) await once(process.stdout, 'drain');
        }
      }
    } finally {
      // Also when a line is refused: the lines before it are written, as its error says.
      if (buffer !== '' && !process.stdout.write(buffer)) await once(process.stdout, 'drain');
    }
  },
});

/**
 * Standard input's lines, split at LF only (a CR LF ends a line too; a bare CR stays inside its line, so that one line
 * in is always one line out), each decoded as strict UTF-8: invalid bytes are refused by line number, never replaced.
 */
async function* stdinLines(): AsyncGenerator<string> {
  // Each decode() is a stream of its own: only the first line's decoder drops a byte order mark.
  const first = new TextDecoder('utf-8', { fatal: true });
  const rest = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let n = 0;
  const decode = (bytes: Buffer): string => {
    n++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return (n === 1 ? first : rest).decode(bytes.subarray(0, end));
    } catch {
      throw new InputError(`stdin line ${n} is not valid UTF-8; the lines before it were written`, 'E_INPUT_UTF8');
    }
  };
  let carry: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(0x0a, start); i !== -1; i = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, i);
      yield decode(carry.length > 0 ? Buffer.concat([...carry, part]) : part);
      carry = [];
      start = i + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) yield decode(Buffer.concat(carry));
}
