import { finished, pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import Pick from 'stream-json/filters/Pick.js';
import Parser from 'stream-json/Parser.js';
import StreamValues from 'stream-json/streamers/StreamValues.js';
import type { ExportEntry } from './_container.ts';
import type { ReaderContext } from './_context.ts';

/** A position in a JSON document: object keys and array indexes from the root (null before the first key). */
export type JsonPath = readonly (string | number | null)[];

/** A value in the file past what a reader will hold in memory: a zip bomb, not a post, a chat or a profile. */
class TooLargeError extends Error {}

/**
 * How much of one file a reader holds in memory at once. Real items are far below both: a Facebook post is at most
 * 63,206 characters, and a ChatGPT conversation of thousands of turns is some hundred thousand values.
 */
export interface JsonLimits {
  /** Characters of one string, key or number. */
  readonly valueChars: number;
  /** Values (scalars, objects and arrays) inside one picked item. */
  readonly itemValues: number;
}

const DEFAULT_LIMITS: JsonLimits = { valueChars: 64 << 20, itemValues: 4_000_000 };

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

/**
 * Lets bytes through unchanged, drops a leading byte-order mark, and stops at the first invalid UTF-8 sequence. In
 * 'error' mode it fails there; in 'end' mode it passes on the valid bytes before the fault, ends its output, and
 * emits 'fault' with it, so that whatever the bytes before it hold can still be read.
 */
class Utf8Check extends Transform {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  readonly #mode: 'error' | 'end';
  #line = 1;
  #first = true;
  #pending: Buffer = Buffer.alloc(0);
  #fault: Utf8Error | undefined;

  constructor(mode: 'error' | 'end') {
    super();
    this.#mode = mode;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#fault) {
      done();
      return;
    }
    let bytes = chunk;
    if (this.#first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    this.#first = false;
    try {
      this.#line += countNewlines(this.#decoder.decode(bytes, { stream: true }));
    } catch {
      const at = this.#findFault(bytes);
      this.#fault = new Utf8Error(this.#line + at.lines);
      if (this.#mode === 'error') {
        done(this.#fault);
        return;
      }
      // The bytes before the sequence the fault is in are valid on their own.
      if (at.offset > 0) this.push(bytes.subarray(0, at.offset));
      this.push(null);
      this.emit('fault', this.#fault);
      done();
      return;
    }
    this.#pending = incompleteTail(bytes);
    done(null, bytes);
  }

  override _flush(done: TransformCallback): void {
    if (this.#fault) {
      done();
      return;
    }
    try {
      this.#decoder.decode();
      done();
    } catch {
      this.#fault = new Utf8Error(this.#line);
      if (this.#mode === 'error') done(this.#fault);
      else {
        this.emit('fault', this.#fault);
        done();
      }
    }
  }

  // Only on the error path: replays the chunk byte by byte to find the first bad byte: the lines before it, and the
  // offset in the chunk of the (possibly multi-byte) sequence it belongs to.
  #findFault(bytes: Buffer): { lines: number; offset: number } {
    const probe = new TextDecoder('utf-8', { fatal: true });
    let lines = 0;
    let offset = 0;
    try {
      probe.decode(this.#pending, { stream: true });
      for (const [i, b] of bytes.entries()) {
        const text = probe.decode(Uint8Array.of(b), { stream: true });
        lines += countNewlines(text);
        // A byte that completed a character (or was one) ends a valid prefix.
        if (text.length > 0) offset = i + 1;
      }
    } catch {
      // reached the fault
    }
    return { lines, offset };
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Checks that a stream is valid UTF-8 as it passes, failing with the line of the first bad byte. */
export function utf8Check(): Transform {
  return new Utf8Check('error');
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
  } else if (error instanceof TooLargeError) {
    ctx.quarantine(file, 0, 'too_large', `${error.message}; items from there on were not read`);
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

/** stream-json's Parser parses in `_processBuffer`, called for every chunk and at the end, with the stream's callback. */
type ParserInternals = { _processBuffer(done: TransformCallback): void; _buffer: string; _accumulator: string };
const processBuffer = (Parser.prototype as unknown as ParserInternals)._processBuffer;

/**
 * A JSON parser that stops at the first syntax error, or at a string, key or number longer than `maxChars`, without
 * failing: it emits 'fault', drops the rest of its input and ends normally, so that the tokens it made before the
 * error still flow to the stages after it. (Unchecked, one string of a zip bomb grows until V8 throws out of a stream
 * callback, which ends the process.)
 */
class TolerantParser extends Parser {
  #faulted = false;
  readonly #maxChars: number;

  constructor(maxChars: number) {
    super({ packValues: true, streamValues: false });
    this.#maxChars = maxChars;
  }

  #fault(error: Error): void {
    const self = this as unknown as ParserInternals;
    this.#faulted = true;
    self._buffer = '';
    self._accumulator = '';
    this.emit('fault', error);
  }

  _processBuffer(done: TransformCallback): void {
    const self = this as unknown as ParserInternals;
    if (this.#faulted) {
      self._buffer = '';
      done(null);
      return;
    }
    let called = false;
    try {
      processBuffer.call(this, (error?: Error | null) => {
        called = true;
        if (error) this.#fault(error);
        else if (self._accumulator.length > this.#maxChars) {
          this.#fault(new TooLargeError(`a value is longer than ${this.#maxChars} characters`));
        }
        done(null);
      });
    } catch (error) {
      if (called) throw error;
      this.#fault(error instanceof Error ? error : new Error(String(error)));
      done(null);
    }
  }
}

/**
 * Counts the values of each item Pick lets through and stops, emitting 'fault', at an item of more values or a value of
 * more characters than `limits` allow: the item would be built whole in memory, and a bomb of a hundred million tiny
 * values ends the process as surely as a long string.
 */
class ItemCap extends Transform {
  readonly #max: number;
  readonly #maxChars: number;
  #depth = 0;
  #values = 0;
  #faulted = false;

  constructor(limits: JsonLimits) {
    super({ objectMode: true });
    this.#max = limits.itemValues;
    this.#maxChars = limits.valueChars;
  }

  override _transform(token: { name: string; value?: unknown }, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#faulted) {
      done();
      return;
    }
    // The parser checks a value that spans its input chunks; one that came whole in a chunk is checked here.
    if (typeof token.value === 'string' && token.value.length > this.#maxChars) {
      this.#faulted = true;
      this.emit('fault', new TooLargeError(`a value is longer than ${this.#maxChars} characters`));
      done();
      return;
    }
    if (token.name === 'startObject' || token.name === 'startArray') this.#depth++;
    else if (token.name === 'endObject' || token.name === 'endArray') this.#depth--;
    if (token.name !== 'keyValue' && token.name !== 'endObject' && token.name !== 'endArray') this.#values++;
    if (this.#values > this.#max) {
      this.#faulted = true;
      this.emit('fault', new TooLargeError(`an item holds more than ${this.#max} values`));
      done();
      return;
    }
    if (this.#depth === 0) this.#values = 0;
    done(null, token);
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
  limits: JsonLimits = DEFAULT_LIMITS,
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
  // Not pipeline(): on an error it destroys every stage at once, and the values already parsed but still buffered
  // downstream would be lost. Here a fault stops the reading and ends the stages in order instead, so that every
  // value before it comes out.
  const utf8 = new Utf8Check('end');
  const parser = new TolerantParser(limits.valueChars);
  const cap = new ItemCap(limits);
  let firstError: unknown = null;
  let stopped = false;
  const stop = (e: unknown) => {
    firstError ??= e;
    if (stopped) return;
    stopped = true;
    source.unpipe(utf8);
    source.destroy();
    utf8.end();
  };
  // An error, or a close before the end (which pipe() alone would wait out for ever).
  finished(source, (e) => {
    if (e) stop(e);
  });
  utf8.once('fault', stop);
  parser.once('fault', stop);
  cap.once('fault', stop);
  for (const stage of [utf8, parser, pick, cap]) stage.once('error', (e) => values.destroy(e));
  source.pipe(utf8).pipe(parser).pipe(pick).pipe(cap).pipe(values);
  try {
    for await (const chunk of values as AsyncIterable<{ value: unknown }>) {
      ctx.checkAborted();
      yield { label: labels.shift() ?? '', value: chunk.value };
      if (ctx.gaveUp(entry.path)) return; // its too_many_bad_items entry says the rest was not read
    }
  } catch (error) {
    ctx.signal?.throwIfAborted();
    firstError ??= error;
  } finally {
    source.destroy();
  }
  if (firstError !== null) quarantineFileError(ctx, entry.path, firstError);
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
    done.catch(() => {}); // awaited below, unless the file is given up as too large
    let total = 0;
    for await (const c of check) {
      total += (c as Buffer).length;
      // A gzip-compressed file states only its compressed size: the cap holds for what it unpacks to as well.
      if (total > maxBytes) {
        source.destroy();
        ctx.quarantine(entry.path, 0, 'file_too_large', `expected a small metadata file, got over ${maxBytes} bytes`);
        return undefined;
      }
      parts.push(c as Buffer);
    }
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
