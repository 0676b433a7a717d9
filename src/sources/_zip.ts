import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { InputError } from '../shared/errors.ts';
import { type ExportContainer, type ExportEntry, refuseSpecial } from './_container.ts';

// The Unix file type in the high half of a zip entry's external attributes, as zip -y and Info-ZIP write it.
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

// A zip entry made on Unix that is not a regular file: a symbolic link (its data is the link's target, not content)
// or a device or pipe. Entries made elsewhere carry no Unix type and are files.
function specialOf(e: yauzl.Entry): 'symlink' | 'other' | undefined {
  if (e.versionMadeBy >> 8 !== 3) return undefined;
  const type = (e.externalFileAttributes >>> 16) & S_IFMT;
  if (type === 0 || type === S_IFREG || type === S_IFDIR) return undefined;
  return type === S_IFLNK ? 'symlink' : 'other';
}

/**
 * Entries (files and folders) a zip may hold: far more than any platform export has, while each kept entry costs some
 * hundred bytes, so that a small zip of millions of empty entries cannot fill memory before anything is read.
 */
export const MAX_ZIP_ENTRIES = 1_000_000;

// What reading an entry needs, copied out of yauzl's parsed entry; the rest (the raw name, extra fields, comments) is
// let go, so that a kept entry stays small whatever a crafted zip packs into each.
function slim(e: yauzl.Entry): yauzl.Entry {
  const kept = Object.create(yauzl.Entry.prototype) as yauzl.Entry;
  return Object.assign(kept, {
    fileName: e.fileName,
    versionMadeBy: e.versionMadeBy,
    externalFileAttributes: e.externalFileAttributes,
    generalPurposeBitFlag: e.generalPurposeBitFlag,
    compressionMethod: e.compressionMethod,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    relativeOffsetOfLocalHeader: e.relativeOffsetOfLocalHeader,
  });
}

// Folders are not kept: a zip can list millions of them, and only files are read.
function readFileEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const all: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      if (!e.fileName.endsWith('/')) all.push(slim(e));
      zip.readEntry();
    });
    zip.once('end', () => resolve(all));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** Opens a zip by its central directory; a truncated or corrupt zip is an InputError, never a crash. */
export async function openZip(path: string): Promise<ExportContainer> {
  let zip: yauzl.ZipFile;
  let raw: yauzl.Entry[];
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
      decodeStrings: true,
    });
    if (zip.entryCount > MAX_ZIP_ENTRIES) {
      zip.close();
      throw new InputError(
        `cannot read the zip: it lists ${zip.entryCount.toLocaleString('en-US')} entries, more than the ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} a platform export has; give the export as the platform made it`,
        'E_ZIP_TOO_MANY',
      );
    }
    raw = await readFileEntries(zip);
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    // yauzl refuses an entry named outside the archive (`../x`, `/x`, `C:\x`) before anything is read: that is an unsafe
    // archive, not a damaged download, and no platform writes one.
    if (/invalid relative path|absolute path/.test(String((cause as Error)?.message))) {
      throw new InputError(
        'cannot read the zip: an entry is named outside the archive (../ or an absolute path), which no platform export has; unpack what you trust into a folder and give that instead',
        'E_ZIP_UNSAFE',
        { cause },
      );
    }
    throw new InputError(
      'cannot read the zip: it is truncated or corrupt (download the export again)',
      'E_ZIP_CORRUPT',
      { cause },
    );
  }
  const entries: ExportEntry[] = raw.map((e): ExportEntry => {
    const path = e.fileName.replace(/\\/g, '/');
    const special = specialOf(e);
    if (special) return { path, size: 0, special, open: async () => refuseSpecial() };
    return {
      path,
      size: e.uncompressedSize,
      open: async (): Promise<Readable> => {
        if (e.isEncrypted()) throw new InputError('the zip entry is password-protected', 'E_ZIP_ENCRYPTED');
        return zip.openReadStreamPromise(e);
      },
    };
  });
  return {
    kind: 'zip',
    list: async () => entries,
    entries: async function* () {
      yield* entries;
    },
    close: async () => zip.close(),
  };
}
