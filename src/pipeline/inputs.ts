import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { InputError } from '../shared/errors.ts';
import { UNREAD } from '../sources/_container.ts';
import { convertToJsonl, isWhatsAppFileName, looksLikeWhatsApp, parseInputSpec } from '../sources/index.ts';
import type { ConvertSummary, QuarantineEntry } from '../sources/types.ts';
import { refuseWhatsApp } from '../sources/whatsapp.ts';

/** One file the engine reads: canonical JSONL (optionally gzipped) or Parquet. */
export interface InputFile {
  /** The file as the user named it (or as found inside a named folder). */
  readonly path: string;
  /** The file the engine reads: the same, or the canonical JSONL converted from an export. */
  readonly read: string;
  readonly format: 'jsonl' | 'parquet';
  readonly bytes: number;
  readonly mtimeMs: number;
  /** For an unpacked export folder: a digest of its files' names, sizes and times (the folder's own do not change). */
  readonly contents?: string;
  /** For a converted export: its format, the conversion summary and what the conversion quarantined. */
  readonly export?: {
    readonly format: string;
    readonly account: string;
    readonly summary?: ConvertSummary;
    readonly quarantine?: readonly QuarantineEntry[];
  };
}

/** Why a path whose name is not UTF-8 cannot be read: Node has its bytes as U+FFFD, and no such path exists. */
const NOT_UTF8 =
  'its name is not UTF-8 (shown with \uFFFD), so it cannot be opened by it; rename it in UTF-8 (e.g. convmv -f latin1 -t utf8) and build again';

/** What a folder walk takes: JSON Lines (.jsonl, .ndjson, gzipped or not) and Parquet, not other .json files. */
const DATA_FILE = /\.(jsonl|ndjson)(\.gz)?$|\.parquet$/i;

/**
 * The data files under `dir`, sorted. Symbolic links to folders are followed (each real folder once); `skip` (the
 * snapshot's own folder, when it lies inside an input folder) is never walked, nor read through a link into it.
 */
function walk(
  dir: string,
  skip: string | undefined,
  onIgnored?: (path: string) => void,
  seen = new Set<string>([realpathSync(dir)]),
): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    // Node gives a name that is not UTF-8 (Latin-1 from an old export) with U+FFFD for its bytes: no such path exists.
    // A folder, link or data file so named would be read, so it is refused; another file is ignored like any.
    const readable = entry.isDirectory() || entry.isSymbolicLink() || DATA_FILE.test(entry.name);
    if (readable && entry.name.includes('\uFFFD') && !lstatSync(p, { throwIfNoEntry: false })) {
      throw new InputError(`cannot read input ${p}: ${NOT_UTF8}`, 'E_INPUT_MISSING');
    }
    // A link that loops is taken as a file here, and refused by name when it is read (statOf).
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && isFolder(p));
    if (isDir) {
      const real = realpathSync(p);
      if (p === skip || within(real, skip) || seen.has(real)) continue;
      seen.add(real);
      out.push(...walk(p, skip, onIgnored, seen));
    } else if (DATA_FILE.test(entry.name)) {
      // Nor is a link to one of the snapshot's own files: --force deletes them before they are read.
      if (!entry.isSymbolicLink() || !within(realpathOrNull(p), skip)) out.push(p);
    } else onIgnored?.(p);
  }
  return out;
}

/** Whether the real path `real` is the folder `folder` or lies inside it. */
function within(real: string | null, folder: string | undefined): boolean {
  return real !== null && folder !== undefined && (real === folder || real.startsWith(`${folder}${sep}`));
}

/** The real path of `path`, or null for a link that loops or leads nowhere (refused by name when read). */
function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

function statOf(path: string): { bytes: number; mtimeMs: number; dir: boolean; file: boolean } {
  try {
    const s = statSync(path);
    return { bytes: s.size, mtimeMs: Math.floor(s.mtimeMs), dir: s.isDirectory(), file: s.isFile() };
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why =
      code === 'ELOOP'
        ? 'a loop of symbolic links'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'ENOENT' && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()
            ? 'a symbolic link to a file or folder that does not exist'
            : code === 'ENOENT' && path.includes('\uFFFD')
              ? NOT_UTF8
              : code === 'ENOENT' || code === 'ENOTDIR'
                ? 'no such file or folder'
                : (code ?? 'unreadable');
    throw new InputError(`cannot read input ${path}: ${why}`, 'E_INPUT_MISSING', { cause });
  }
}

/** An unpacked export folder as one input: the total size of its files, and a digest of their names, sizes and times. */
function folderStat(path: string): { bytes: number; contents: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, entry.name);
      if (entry.name.includes('\uFFFD') && !lstatSync(p, { throwIfNoEntry: false })) {
        throw new InputError(`cannot read input ${p}: ${NOT_UTF8}`, 'E_INPUT_MISSING');
      }
      if (entry.isDirectory()) visit(p);
      else if (entry.isFile()) {
        const s = statSync(p);
        bytes += s.size;
        hash.update(`${p.slice(path.length)}\0${s.size}\0${Math.floor(s.mtimeMs)}\n`);
      }
    }
  };
  visit(path);
  return { bytes, contents: hash.digest('hex') };
}

/**
 * Splits `facebook:EXPORT.zip@fb:a:42` into the spec and its owning account (the part after the last `@`). A path
 * may hold an `@` itself (`facebook:me@web.de.zip`, a download named after an e-mail address): when the whole path
 * names an existing file or folder, it is the path, and the owner comes from --account. When both readings name
 * something that exists, the input is refused: taking the wrong one would read another file, or give the export
 * another owner, whose objection would then not cover it.
 */
export function splitAccount(spec: string): { spec: string; account?: string } {
  // An account has no '/', unless it is an actor URL (as Mastodon accounts are named, to match mentions), which may
  // hold an '@' of its own (https://social.example/@alice): `a@b/c.zip` is a path.
  const url = spec.search(/@https?:\/\/[^/]/);
  const at = url >= 0 ? url : spec.lastIndexOf('@');
  const whole = exportPath(spec);
  // Only an export has an owner: `jsonl:me@web.de.jsonl` is a path.
  const owner = spec.slice(at + 1);
  if (whole === undefined || at < 0 || owner === '' || (owner.includes('/') && !/^https?:\/\/[^/]/.test(owner)))
    return { spec };
  const split = { spec: spec.slice(0, at), account: spec.slice(at + 1) };
  if (!existsSync(resolve(whole))) return split;
  const part = exportPath(split.spec);
  if (part !== undefined && existsSync(resolve(part))) {
    throw new InputError(
      `input ${spec} is ambiguous: both ${resolve(whole)} and ${resolve(part)} (owned by ${split.account}) exist; rename one of them`,
      'E_USAGE',
    );
  }
  return { spec };
}

/** The path of an export spec (`FORMAT:PATH`), or undefined for a plain path, `jsonl:PATH` or an unknown format. */
function exportPath(spec: string): string | undefined {
  try {
    const parsed = parseInputSpec(spec);
    return parsed.format === 'jsonl' ? undefined : parsed.path;
  } catch {
    return undefined;
  }
}

/**
 * Lists the files named by the build's inputs without reading them: folders are walked (sorted, hidden entries
 * skipped) for .jsonl, .jsonl.gz, .ndjson and .parquet files; export inputs (`FORMAT:PATH[@ACCOUNT]`) are listed as
 * the JSONL file they will be converted to inside `workDir`.
 */
export function listInputs(
  specs: readonly string[],
  opts: {
    workDir: string;
    account?: string;
    outDir?: string;
    /** Told of each file in an input folder that is not read (not JSONL or Parquet by its name; hidden files aside). */
    onIgnored?: (path: string) => void;
  },
): InputFile[] {
  const outDir = opts.outDir === undefined ? undefined : resolve(opts.outDir);
  const skip = outDir === undefined || !existsSync(outDir) ? outDir : realpathSync(outDir);
  if (specs.length === 0) throw new InputError('no input given; pass --input PATH (a file or a folder)', 'E_USAGE');
  const files: InputFile[] = [];
  specs.forEach((raw, i) => {
    if (raw.trim() === '') {
      throw new InputError('an --input is empty (an unset shell variable?); name a file or a folder', 'E_USAGE');
    }
    const { spec, account } = splitAccount(raw);
    const parsed = parseInputSpec(spec);
    const path = resolve(parsed.path);
    const st = statOf(path);
    // The snapshot's own files are no input: read, they would change the build each time, and --force, which
    // deletes them first, would delete the input too.
    const real = realpathSync(path);
    if (skip !== undefined && (real === skip || real.startsWith(`${skip}${sep}`))) {
      throw new InputError(
        `input ${path} is ${real === skip ? '' : 'inside '}the snapshot folder --out ${outDir}; name the data, or choose another --out folder`,
        'E_USAGE',
      );
    }
    if (parsed.format !== 'jsonl') {
      const folder = st.dir ? folderStat(path) : undefined;
      const owner = account ?? opts.account;
      if (!owner) {
        throw new InputError(
          `input ${raw} is a ${parsed.format} export; name its owner with ${parsed.format}:PATH@ACCOUNT or --account ID`,
          'E_USAGE',
        );
      }
      const read = join(opts.workDir, 'inputs', `${String(i).padStart(3, '0')}-${parsed.format}.jsonl`);
      files.push({
        path,
        read,
        format: 'jsonl',
        bytes: folder?.bytes ?? st.bytes,
        mtimeMs: st.mtimeMs,
        ...(folder ? { contents: folder.contents } : {}),
        export: { format: parsed.format, account: owner },
      });
      return;
    }
    if (!st.dir && /\.(zip|tar|tgz|tar\.gz)$/i.test(path)) {
      throw new InputError(
        `input ${raw} is an archive, not JSONL or Parquet; for a platform export name its format: FORMAT:PATH@ACCOUNT (facebook, instagram, mastodon, chatgpt, claude)`,
        'E_USAGE',
      );
    }
    const found = st.dir ? walk(path, skip, opts.onIgnored) : [path];
    if (st.dir && found.length === 0)
      throw new InputError(
        `input folder ${path} holds no .jsonl, .ndjson (optionally .gz) or .parquet files`,
        'E_INPUT_EMPTY',
      );
    for (const f of found) {
      const s = st.dir ? statOf(f) : st;
      if (!s.file) {
        // A build reads each input more than once (its checks, the hash, the engine): a pipe would be used up by the
        // first, and a device never ends.
        throw new InputError(
          `input ${f} is not a regular file (a pipe or device); write the data to a file and give that`,
          'E_INPUT_NOT_FILE',
        );
      }
      const format = /\.parquet$/i.test(f) ? 'parquet' : 'jsonl';
      if (format === 'jsonl') refuseWhatsAppInput(f);
      else refuseNonParquet(f, s.bytes);
      files.push({ path: f, read: f, format, bytes: s.bytes, mtimeMs: s.mtimeMs });
    }
  });
  // A file named twice (directly and inside a named folder, say, or through a symbolic link) is read once.
  const seen = new Set<string>();
  return files.filter((f) => {
    const key = f.export ? `${f.export.format}:${realpathSync(f.path)}@${f.export.account}` : realpathSync(f.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Refuses a WhatsApp chat export given as a plain input, by its name or its first lines: its messages are end-to-end
 * encrypted and must never be read (as JSONL, every line would be scanned and quarantined, and the snapshot signed).
 */
function refuseWhatsAppInput(path: string): void {
  const fd = openSync(path, 'r');
  let bytes: Buffer;
  try {
    const buf = Buffer.alloc(16 * 1024);
    bytes = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
  if (isGzip(path)) {
    // Refused here, before the engine reads anything: the engine's own error names neither the file nor a remedy.
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      throw new InputError(
        `${path}: the name ends in .gz, but the file is ${bytes.length === 0 ? 'empty' : 'not gzip data'}; compress it with gzip, or name it without .gz`,
        'E_INPUT_GZIP',
      );
    }
    try {
      // The start of the stream only: a sync flush takes what the bytes read so far decode to, without the end.
      bytes = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 16 * 1024);
    } catch (e) {
      throw new InputError(
        `${path}: the gzip data is corrupt (${(e as { code?: string }).code ?? 'unreadable'}); nothing was built from it`,
        'E_INPUT_GZIP',
      );
    }
  }
  refuseBinary(path, bytes);
  const head = bytes.toString('utf8');
  if (isWhatsAppFileName(path) || (!head.trimStart().startsWith('{') && looksLikeWhatsApp(head))) {
    throw refuseWhatsApp(path);
  }
}

/**
 * Refuses a JSONL input (after gzip, if named .gz) that starts like compressed data or Parquet: the engine would
 * read it as lines of bytes, and stop at a byte it takes for a line end ("convert the file with dos2unix", which would
 * damage it) or quarantine every line and sign an empty snapshot.
 */
function refuseBinary(path: string, bytes: Buffer): void {
  const starts = (magic: Buffer) => bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
  const [what, code, todo] = starts(Buffer.from([0x1f, 0x8b]))
    ? ['gzip data', 'E_INPUT_GZIP', isGzip(path) ? 'decompress it once' : 'name it with .gz at the end']
    : starts(Buffer.from('PAR1', 'latin1'))
      ? ['a Parquet file', 'E_INPUT_PARQUET', 'name it with .parquet at the end']
      : starts(Buffer.from([0x50, 0x4b, 0x03, 0x04]))
        ? ['a zip archive', 'E_INPUT_COMPRESSED', 'unpack it, or give a platform export as FORMAT:PATH@ACCOUNT']
        : ((name) =>
            name ? [`${name}-compressed`, 'E_INPUT_COMPRESSED', 'decompress it, or compress it with gzip'] : [])(
            UNREAD.find((u) => starts(u.magic))?.name,
          );
  if (what === undefined) return;
  throw new InputError(
    `${path}: the file is ${what}${isGzip(path) ? ' inside its gzip' : ''}, not JSON Lines; ${todo}, and build again`,
    code as `E_${string}`,
  );
}

/** Refuses a file named .parquet that is not one (Parquet files start and end with PAR1), before the engine reads it. */
function refuseNonParquet(path: string, size: number): void {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(4);
  try {
    readSync(fd, head, 0, 4, 0);
    if (size >= 8) readSync(fd, tail, 0, 4, size - 4);
  } finally {
    closeSync(fd);
  }
  if (size < 8 || head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
    throw new InputError(
      `${path}: the name ends in .parquet, but the file is ${size === 0 ? 'empty' : 'not a (complete) Parquet file'}; nothing was built`,
      'E_INPUT_PARQUET',
    );
  }
}

/** Converts the export inputs to canonical JSONL files in the work folder (skipping ones already converted). */
export async function convertExports(files: InputFile[], signal?: AbortSignal): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const f of files) {
    if (!f.export) {
      out.push(f);
      continue;
    }
    mkdirSync(join(f.read, '..'), { recursive: true });
    // Items the conversion could not read go to the snapshot's quarantine, so that nothing is lost from the counts.
    const quarantine: QuarantineEntry[] = [];
    const summary = await convertToJsonl({
      format: f.export.format as never,
      path: f.path,
      account: f.export.account,
      outFile: f.read,
      onQuarantine: (q) => quarantine.push(q),
      ...(signal ? { signal } : {}),
    });
    out.push({ ...f, export: { ...f.export, summary, quarantine } });
  }
  return out;
}

/** Whether the engine reads `path` as gzip: by its name, in any case. */
export function isGzip(path: string): boolean {
  return /\.gz$/i.test(path);
}

/** A JSONL input as the read stage checks it: the SHA-256 (hex) of its bytes and its number of lines. */
export interface InputScan {
  readonly sha256: string;
  /** Lines as the engine splits them (at '\n'; a last line without one counts); null for Parquet. */
  readonly lines: number | null;
  /** The longest line's length in bytes, without its '\n'; 0 for Parquet. */
  readonly longestLine: number;
  /**
   * Whether the text has a byte that DuckDB's JSON reader takes as white space around a line's object where a JSON
   * parser does not (a vertical tab or form feed), or that ends a line for some readers and not others (a carriage
   * return); or starts with a byte order mark. JSONL only. None of them can stand raw inside a JSON string.
   */
  readonly oddBytes: boolean;
}

/**
 * Streams an input once for its SHA-256 and, for JSONL, its number of lines, longest line and odd bytes (decompressed
 * when gzipped), so that the read stage can prove that every line was read, and check what its fast path cannot see.
 * A gzip stream that is corrupt or cut short is refused here: the engine would read what it could of it and go on.
 */
export async function scanInput(
  f: Pick<InputFile, 'path' | 'read' | 'format'>,
  signal?: AbortSignal,
): Promise<InputScan> {
  if (f.format === 'parquet') {
    return { sha256: await sha256File(f.read, signal), lines: null, longestLine: 0, oddBytes: false };
  }
  const hash = createHash('sha256');
  const source = createReadStream(f.read, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  let lines = 0;
  let last = 0x0a;
  let bytes = 0;
  let lineStart = 0;
  let longestLine = 0;
  let oddBytes = false;
  const count = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) oddBytes = true;
      if (!oddBytes && (chunk.includes(0x0d) || chunk.includes(0x0b) || chunk.includes(0x0c))) oddBytes = true;
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
        lines++;
        longestLine = Math.max(longestLine, bytes + i - lineStart);
        lineStart = bytes + i + 1;
      }
      if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
      bytes += chunk.length;
      done();
    },
  });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await (isGzip(f.read) ? pipeline(source, tap, createGunzip(), count) : pipeline(source, tap, count));
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (!code.startsWith('Z_')) throw e;
    throw new InputError(
      `${f.path}: the gzip data is corrupt or cut short (${code}); nothing was built from it`,
      'E_INPUT_GZIP',
    );
  }
  // A file that holds only a byte order mark has no line: the engine skips the mark.
  const onlyBom = bytes === 3 && lines === 0 && last === 0xbf;
  return {
    sha256: hash.digest('hex'),
    lines: lines + (last === 0x0a || onlyBom ? 0 : 1),
    longestLine: Math.max(longestLine, bytes - lineStart),
    oddBytes,
  };
}

/** The SHA-256 of a file (hex), streamed. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
