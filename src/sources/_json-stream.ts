import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import Pick from 'stream-json/filters/Pick.js';
import Parser from 'stream-json/Parser.js';
import StreamValues from 'stream-json/streamers/StreamValues.js';
import type { ExportEntry } from './_container.ts';
import type { ReaderContext } from './_context.ts';

/** A position in a JSON document: object keys and array indexes from the root (null before the first key). */
export type JsonPath = readonly (string | number | null)[];

class Utf8Error extends Error {
  constructor(readonly line: number) {
    super(`invalid UTF-8 on line ${line}`);
  }
}

// The trailing bytes of `bytes` that start a multi-byte sequence not yet complete (they continue in the next chunk).
function incompleteTail(bytes: Buffer): Buffer {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? bytes.subarray(bytes.length - k) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}

// Lets bytes through unchanged but fails on the first invalid UTF-8 sequence, and drops a leading byte-order mark.
class Utf8Check extends Transform {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #line = 1;
  #first = true;
  #pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let bytes = chunk;
    if (this.#first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    this.#first = false;
    try {
      this.#line += countNewlines(this.#decoder.decode(bytes, { stream: true }));
    } catch {
      done(new Utf8Error(this.#line + this.#linesBeforeFault(bytes)));
      return;
    }
    this.#pending = incompleteTail(bytes);
    done(null, bytes);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#decoder.decode();
      done();
    } catch {
      done(new Utf8Error(this.#line));
    }
  }

  // Only on the error path: replays the chunk byte by byte to find the line of the first bad byte.
  #linesBeforeFault(bytes: Buffer): number {
    const probe = new TextDecoder('utf-8', { fatal: true });
    let lines = 0;
    try {
      probe.decode(this.#pending, { stream: true });
      for (const b of bytes) lines += countNewlines(probe.decode(Uint8Array.of(b), { stream: true }));
    } catch {
      // reached the fault
    }
    return lines;
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Checks that a stream is valid UTF-8 as it passes, failing with the line of the first bad byte. */
export function utf8Check(): Transform {
  return new Utf8Check();
}

/** Quarantines a file that failed to read or parse, with a reason code a human can act on. */
export function quarantineFileError(ctx: ReaderContext, file: string, error: unknown): void {
  if (error instanceof Utf8Error) {
    ctx.quarantine(
      file,
      error.line,
      'invalid_utf8',
      'the file is not valid UTF-8; items after this point were not read',
    );
  } else if (error instanceof Error && /^Parser /.test(error.message)) {
    ctx.quarantine(
      file,
      0,
      'invalid_json',
      `the JSON is invalid or truncated (${error.message}); items after it were not read`,
    );
  } else {
    const code = (error as { code?: unknown } | null)?.code;
    ctx.quarantine(
      file,
      0,
      'unreadable_file',
      `the file could not be read${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

/**
 * Streams the values at the paths `match` picks out of a JSON file, one at a time, so that a huge array never sits in
 * memory. `match` returns a label for a wanted path or null. A file that is not valid UTF-8 or JSON is quarantined
 * (values before the fault are still yielded) and never throws.
 */
export async function* streamJson(
  entry: ExportEntry,
  ctx: ReaderContext,
  match: (path: JsonPath) => string | null,
): AsyncGenerator<{ label: string; value: unknown }> {
  let source: Readable;
  try {
    source = await entry.open();
  } catch (error) {
    quarantineFileError(ctx, entry.path, error);
    return;
  }
  const labels: string[] = [];
  const pick = new Pick({
    filter: (stack: JsonPath) => {
      const label = match(stack);
      if (label !== null) labels.push(label);
      return label !== null;
    },
  });
  const values = new StreamValues();
  let firstError: unknown = null;
  pipeline(source, utf8Check(), new Parser({ packValues: true, streamValues: false }), pick, values, (err) => {
    firstError ??= err;
  });
  try {
    for await (const chunk of values as AsyncIterable<{ value: unknown }>) {
      ctx.checkAborted();
      yield { label: labels.shift() ?? '', value: chunk.value };
    }
  } catch (error) {
    ctx.signal?.throwIfAborted();
    quarantineFileError(ctx, entry.path, firstError ?? error);
  }
}

/** Reads a small JSON file whole (up to `maxBytes`); quarantines it and returns undefined when it is unusable. */
export async function readSmallJson(entry: ExportEntry, ctx: ReaderContext, maxBytes = 16 << 20): Promise<unknown> {
  if (entry.size > maxBytes) {
    ctx.quarantine(entry.path, 0, 'file_too_large', `expected a small metadata file, got ${entry.size} bytes`);
    return undefined;
  }
  const parts: Buffer[] = [];
  try {
    const source = await entry.open();
    const check = utf8Check();
    const done = new Promise<void>((resolve, reject) => pipeline(source, check, (e) => (e ? reject(e) : resolve())));
    for await (const c of check) parts.push(c as Buffer);
    await done;
  } catch (error) {
    quarantineFileError(ctx, entry.path, error);
    return undefined;
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    ctx.quarantine(entry.path, 0, 'invalid_json', 'the JSON is invalid or truncated');
    return undefined;
  }
}

/** Reads the first `maxBytes` of a file as text (lossy), for recognising what it is. */
export async function readHead(entry: ExportEntry, maxBytes = 8192): Promise<string> {
  const source = await entry.open();
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of source as AsyncIterable<Buffer>) {
      parts.push(c);
      total += c.length;
      if (total >= maxBytes) break;
    }
  } finally {
    source.destroy();
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
}
