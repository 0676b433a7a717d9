import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Parses YAML text and validates it with a zod schema; any problem becomes a ConfigError naming the file, the line
 * and the field (dotted path), so that a user can go straight to it.
 */
export function parseYamlWith<T>(schema: z.ZodType<T>, text: string, file: string): T {
  const lineCounter = new LineCounter();
  // The core schema whatever the document's %YAML directive says: under YAML 1.1 the parser would turn a date into a
  // timestamp of its own (a date alone as midnight UTC) before the schema could ask for an offset, and yes/no into
  // booleans.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError(file, line, '(syntax)', first.message.split('\n')[0] ?? 'invalid YAML');
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // The parser refuses to expand aliases that would blow up (a "billion laughs" document); it says nothing of data.
    throw new ConfigError(file, 1, '(syntax)', (error as Error).message.split('\n')[0] ?? 'invalid YAML');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A misspelt key (`programs:`) is both an unknown key and a missing one: naming the unknown one says what to fix.
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  // An unknown key is reported on its object; point at the key itself.
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  if (unknown !== undefined) path.push(unknown);
  // zod words a missing field as "expected array, received undefined"; say what is wrong.
  const given = issue ? valueAt(value, issue.path) : undefined;
  const missing = issue?.code === 'invalid_type' && given === undefined;
  const hint = issue?.code === 'invalid_type' ? typeHint(issue.expected, given) : undefined;
  return throwAt(doc, lineCounter, file, path, missing ? 'is required' : (hint ?? issue?.message ?? 'invalid value'));
}

/**
 * What to write where a value of another type was given, in place of zod's "expected string, received number": a
 * list in brackets, or quotes around a value YAML reads as a number or boolean (a token of digits such as 1234e56, a
 * version such as 1.10, true).
 */
function typeHint(expected: string, given: unknown): string | undefined {
  if (expected === 'array') return listHint(given);
  if (expected === 'string' && (typeof given === 'number' || typeof given === 'boolean')) {
    return `must be text, but YAML reads this value as a ${typeof given}: put it in quotes`;
  }
  return undefined;
}

/**
 * What to write where a list belongs but a single value or nothing was given (`trust_proxy: loopback`, `sources:
 * facebook, instagram`, `api_tokens:`), instead of zod's "expected array, received string".
 */
function listHint(given: unknown): string | undefined {
  if (given === null) return 'is empty: write a list in brackets, [] for none';
  if (typeof given === 'string' || typeof given === 'number' || typeof given === 'boolean')
    return `must be a list in brackets, e.g. [${String(given)}]`;
  return undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function throwAt(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  file: string,
  path: string[],
  message: string,
): never {
  // Walk as deep as the document goes, so that a missing field points at its parent.
  let node: unknown = doc.contents;
  let offset = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number] })?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (!item) break;
      offset = (item as { range?: [number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const range = (node as { range?: [number] } | null)?.range;
  if (range && path.length > 0 && node !== doc.contents) offset = Math.max(offset, 0);
  const line = lines.linePos(offset).line;
  throw new ConfigError(file, line, path.length ? path.join('.') : '(document)', message);
}
