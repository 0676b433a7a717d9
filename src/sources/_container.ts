import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../shared/errors.ts';
import { openTar } from './_tar.ts';
import { openZip } from './_zip.ts';

/** One file inside an export. */
export interface ExportEntry {
  /** Path inside the export with `/` separators (the file name alone for a single-file input). */
  readonly path: string;
  readonly size: number;
  /**
   * Set when the entry is not a regular file: a symbolic or hard link, or a device or pipe. Such an entry is reported,
   * never opened, so that nothing outside the export is read through it.
   */
  readonly special?: 'symlink' | 'hardlink' | 'other';
  /** Opens the file's bytes; for a tar archive only once, and only while it is the current entry. */
  open(): Promise<Readable>;
}

/** An export opened for reading: a zip, a tar(.gz), a folder, or one plain file. */
export interface ExportContainer {
  readonly kind: 'zip' | 'tar' | 'folder' | 'file';
  /** Every entry up front, for containers that allow random access (all but tar). */
  list?(): Promise<ExportEntry[]>;
  /** Entries in archive order; a tar entry that is not opened is skipped over. */
  entries(): AsyncIterable<ExportEntry>;
  close(): Promise<void>;
}

/** The error of opening an entry that is not a regular file; readers report such entries without opening them. */
export function refuseSpecial(): never {
  throw new InputError('an entry that is not a regular file (a link, device or pipe) is never read', 'E_NOT_A_FILE');
}

// Archive and compression formats that exports are sometimes repacked in and that dissent does not read: without
// this, such a file was taken for one plain file of the export and read as nothing, with a hint to check --format.
export const UNREAD: readonly { name: string; magic: Buffer }[] = [
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  ...Array.from({ length: 9 }, (_, i) => ({ name: 'bzip2', magic: Buffer.from(`BZh${i + 1}`, 'latin1') })),
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { name: '7z', magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'rar', magic: Buffer.from('Rar!\x1a\x07', 'latin1') },
];

async function sniff(path: string): Promise<'zip' | 'gzip' | 'tar' | 'other'> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(262);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
    const unread = UNREAD.find((u) => bytesRead >= u.magic.length && head.subarray(0, u.magic.length).equals(u.magic));
    if (unread) {
      throw new InputError(
        `the export is compressed with ${unread.name}, which dissent does not read: unpack it into a folder (or pack it as .zip or .tar.gz) and give that`,
        'E_ARCHIVE_FORMAT',
      );
    }
    return 'other';
  } finally {
    await fh.close();
  }
}

/**
 * What a gzip file holds: a tar archive (ustar magic in its first header), or one compressed file (ChatGPT's
 * `conversations.json.gz`, a gzipped `outbox.json`). A tar is decompressed only as far as its first header; one file is
 * decompressed to its end (and thrown away), so that a truncated or corrupt download is refused before any record of
 * it leaves, as a damaged zip or tar.gz is, rather than read up to the damage with an exit code of 0.
 */
async function sniffGzip(path: string): Promise<'tar' | 'file'> {
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.pipe(gunzip);
  let head = Buffer.alloc(0);
  let tar: boolean | undefined;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (tar !== undefined) continue;
      head = Buffer.concat([head, chunk]);
      if (head.length < 262) continue;
      tar = head.toString('latin1', 257, 262) === 'ustar';
      if (tar) break;
    }
  } catch (cause) {
    // A tar cut short after its first header fails when the archive reaches the cut.
    if (tar !== true) {
      throw new InputError(
        'cannot read the gzip file: it is truncated or corrupt (download the export again)',
        'E_GZIP_CORRUPT',
        { cause },
      );
    }
  } finally {
    file.destroy();
    gunzip.destroy();
  }
  return tar === true ? 'tar' : 'file';
}

function listed(entries: ExportEntry[]): Pick<ExportContainer, 'list' | 'entries'> {
  return {
    list: async () => entries,
    entries: async function* () {
      yield* entries;
    },
  };
}

async function openFolder(root: string): Promise<ExportContainer> {
  const dirents = await readdir(root, { recursive: true, withFileTypes: true });
  const entries: ExportEntry[] = [];
  for (const d of dirents) {
    if (d.isDirectory()) continue;
    const full = join(d.parentPath ?? d.path, d.name);
    const path = relative(root, full).split(sep).join('/');
    if (!d.isFile()) {
      // A symbolic link is not followed out of the export, but it is reported: it may stand for content.
      const special = d.isSymbolicLink() ? 'symlink' : 'other';
      entries.push({ path, size: 0, special, open: async () => refuseSpecial() });
      continue;
    }
    const size = (await stat(full)).size;
    entries.push({ path, size, open: async () => createReadStream(full) });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kind: 'folder', ...listed(entries), close: async () => {} };
}

/**
 * Opens an export by looking at it, not at its name: a folder, a zip, a gzip-compressed or plain tar, one
 * gzip-compressed file (named without its `.gz`, so `conversations.json.gz` is read as `conversations.json`), or else a
 * single file. Throws InputError when the path cannot be read or the archive is truncated or corrupt.
 */
export async function openContainer(path: string): Promise<ExportContainer> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new InputError('cannot read the export: the path does not exist or is not readable', 'E_INPUT', { cause });
  }
  if (info.isDirectory()) return openFolder(path);
  const kind = await sniff(path);
  if (kind === 'zip') return openZip(path);
  if (kind === 'tar') return openTar(path, false);
  if (kind === 'gzip') {
    if ((await sniffGzip(path)) === 'tar') return openTar(path, true);
    // The uncompressed size is unknown up front (gzip's own trailer holds it modulo 4 GiB only), so the compressed size
    // stands in; whoever reads a file whole caps what it reads as it goes.
    const single: ExportEntry = {
      path: basename(path).replace(/\.gz$/i, ''),
      size: info.size,
      open: async () => {
        const file = createReadStream(path);
        const gunzip = createGunzip();
        file.on('error', (e) => gunzip.destroy(e));
        gunzip.on('close', () => file.destroy()); // a reader that stops early must not leave the file open
        return file.pipe(gunzip);
      },
    };
    return { kind: 'file', ...listed([single]), close: async () => {} };
  }
  const single: ExportEntry = { path: basename(path), size: info.size, open: async () => createReadStream(path) };
  return { kind: 'file', ...listed([single]), close: async () => {} };
}
