import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { InputError } from '../shared/errors.ts';
import { readExport } from './read-export.ts';
import type { CanonicalRecord, ConvertSummary, ReadExportOptions } from './types.ts';

/** One canonical JSONL line (keys in the DESIGN.md order, newline-terminated). */
export function toJsonLine(record: CanonicalRecord): string {
  return `${JSON.stringify(record)}\n`;
}

function outputError(cause: unknown): InputError {
  const code = (cause as { code?: unknown } | null)?.code;
  return new InputError(`cannot write the output${typeof code === 'string' ? ` (${code})` : ''}`, 'E_OUTPUT', {
    cause,
  });
}

/** Writes the records of an export to a writable stream as JSONL, respecting backpressure, and returns the summary. */
export async function writeJsonl(opts: ReadExportOptions, out: Writable): Promise<ConvertSummary> {
  let failure: unknown = null;
  const onError = (e: unknown) => {
    failure ??= e;
  };
  out.on('error', onError);
  try {
    const { records, summary } = readExport(opts);
    for await (const record of records) {
      if (failure) throw outputError(failure);
      if (!out.write(toJsonLine(record))) {
        await once(out, 'drain', opts.signal ? { signal: opts.signal } : {}).catch((e: unknown) => {
          throw opts.signal?.aborted ? e : outputError(e);
        });
      }
    }
    if (failure) throw outputError(failure);
    return await summary;
  } finally {
    out.off('error', onError);
  }
}

// Where the output really goes: through a symbolic link to its target, and straight into anything that is not a
// regular file (`--out /dev/null`, a pipe), which a `.partial` file renamed over it would replace: run as root, that
// put a regular file in the place of /dev/null.
// A link whose target does not exist yet is followed too (as a shell's `>` does), so that the target is created. The
// path is absolute, its folders resolved through links, so that it can be compared with another (sources convert
// refuses an output inside the export it reads).
export async function outputTarget(outFile: string): Promise<{ path: string; direct: boolean }> {
  const path = await realpath(outFile).catch(() => danglingTarget(outFile));
  const info = await stat(path).catch(() => undefined);
  return { path, direct: info !== undefined && !info.isFile() };
}

/** Where an output file is written, and how `writeTo` is to be opened (`flags` and `mode` for `open`). */
export interface OutputPaths {
  readonly target: string;
  readonly writeTo: string;
  readonly flags: 'w' | 'wx';
  readonly mode: number;
}

/**
 * Where an output file that must appear only after a whole conversion is written: `writeTo` is a `.partial` file beside
 * the target (the end of any symbolic links `named` is), to be renamed over `target` on success and removed otherwise,
 * so that a failed run leaves the target as it was; for a device or pipe both are the target itself.
 */
export async function outputPaths(named: string): Promise<OutputPaths> {
  const { path, direct } = await outputTarget(named);
  if (direct) return { target: path, writeTo: path, flags: 'w', mode: 0o666 };
  const writeTo = `${path}.partial`;
  // A `.partial` left by a killed run, or a link that someone else put there (in /tmp, say), goes (the link, not what
  // it leads to), and the new one is made exclusively, which never follows a link: opened plainly, the records were
  // written into whatever file the link named, and the link was then renamed into the target's place.
  await rm(writeTo, { force: true });
  // The file that replaces the target keeps the target's permissions, as a shell's `>` does: records written over a
  // file made private (0600) were otherwise left readable by every user.
  const mode = (await stat(path).catch(() => undefined))?.mode;
  return { target: path, writeTo, flags: 'wx', mode: mode === undefined ? 0o666 : mode & 0o777 };
}

/**
 * The path a chain of symbolic links ends at when its last target is missing (`path` itself when it is no link), in
 * its folder's real place; as given, made absolute, when that folder is missing too (writing the file says so).
 */
async function danglingTarget(path: string): Promise<string> {
  let at = resolve(path);
  // Bounded, for a loop of links (which realpath refused too).
  for (let hops = 0; hops < 40; hops++) {
    const next = await readlink(at).catch(() => undefined);
    if (next === undefined) break;
    at = resolve(dirname(at), next);
  }
  const folder = await realpath(dirname(at)).catch(() => undefined);
  return folder === undefined ? at : join(folder, basename(at));
}

/** Writes the records to `out` and waits until they are flushed, a write failure said as the output's. */
async function writeAll(readOpts: ReadExportOptions, out: WriteStream): Promise<ConvertSummary> {
  const summary = await writeJsonl(readOpts, out);
  out.end();
  await once(out, 'finish').catch((e: unknown) => {
    throw outputError(e);
  });
  return summary;
}

/**
 * Converts an export to a canonical JSONL file. The file appears only when the whole export was read: output goes to
 * a `.partial` file that is renamed at the end and removed on any error (a refused WhatsApp export leaves nothing).
 * A device or pipe (`/dev/null`) is written to directly.
 */
export async function convertToJsonl(opts: ReadExportOptions & { outFile: string }): Promise<ConvertSummary> {
  const { outFile: named, ...readOpts } = opts;
  const { target, writeTo, flags, mode } = await outputPaths(named);
  const out = createWriteStream(writeTo, { flags, mode });
  if (writeTo === target) {
    try {
      return await writeAll(readOpts, out);
    } finally {
      out.on('error', () => {}).destroy();
    }
  }
  try {
    const summary = await writeAll(readOpts, out);
    await rename(writeTo, target);
    return summary;
  } catch (error) {
    // The file is opened asynchronously: wait until the stream has closed (and so has created the file, if it was
    // still opening) before removing it, or a refused export can leave an empty .partial file behind.
    const closed = out.closed ? Promise.resolve() : once(out, 'close').catch(() => {});
    out.on('error', () => {}).destroy();
    await closed;
    await rm(writeTo, { force: true });
    throw error;
  }
}
