// Test helpers: build zip and tar.gz exports from fixture folders at test time, and drain a reading.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { crc32, createGzip, deflateRawSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ExportReading } from './read-export.ts';
import type { CanonicalRecord, ConvertSummary, QuarantineEntry } from './types.ts';

/** The absolute path of a fixture folder under test/fixtures/sources. */
export function fixture(...parts: string[]): string {
  return join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sources', ...parts);
}

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const dirents = await readdir(dir, { recursive: true, withFileTypes: true });
  return dirents
    .filter((d) => d.isFile())
    .map((d) =>
      relative(dir, join(d.parentPath ?? d.path, d.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

/**
 * Writes a minimal zip (deflate or store, UTF-8 names, no zip64) of the given files; `mode` marks an entry as made on
 * Unix with that file type and permissions (0o120777 for a symbolic link whose data is its target).
 */
export async function writeZip(
  out: string,
  files: { name: string; data: Buffer; mode?: number }[],
  deflate = true,
): Promise<void> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const body = deflate ? deflateRawSync(f.data) : f.data;
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5821, 12); // 2024-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(f.mode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x5821, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((f.mode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await writeFile(out, Buffer.concat([...locals, cd, end]));
}

/** Zips a fixture folder, optionally under a top folder as real exports often are. */
export async function zipFolder(dir: string, out: string, prefix = ''): Promise<void> {
  const names = await listFiles(dir);
  const files = await Promise.all(names.map(async (n) => ({ name: prefix + n, data: await readFile(join(dir, n)) })));
  await writeZip(out, files);
}

/** Writes a gzip-compressed tar of a fixture folder. */
export async function tarGzFolder(dir: string, out: string): Promise<void> {
  const tar = pack();
  const done = pipeline(tar, createGzip(), createWriteStream(out));
  for (const n of await listFiles(dir)) {
    const data = await readFile(join(dir, n));
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name: n, size: data.length }, data, (e) => (e ? reject(e) : resolve())),
    );
  }
  tar.finalize();
  await done;
}

/** Drains a reading into arrays; quarantine entries are those collected by `quarantine` (pass it as onQuarantine). */
export async function drain(
  reading: ExportReading,
): Promise<{ records: CanonicalRecord[]; summary: ConvertSummary; texts: string }> {
  const records: CanonicalRecord[] = [];
  for await (const r of reading.records) records.push(r);
  const summary = await reading.summary;
  return { records, summary, texts: records.map((r) => JSON.stringify(r)).join('\n') };
}

/** A quarantine collector to pass as `onQuarantine`. */
export function collector(): { entries: QuarantineEntry[]; onQuarantine: (q: QuarantineEntry) => void } {
  const entries: QuarantineEntry[] = [];
  return { entries, onQuarantine: (q) => entries.push(q) };
}

/**
 * Writes a zip (zip64) of one stored file followed by `n` empty entries, folders (`d/<i>/`) or files (`f/<i>`), listed
 * in the central directory only: what a crafted zip of millions of entries looks like, in a few bytes each.
 */
export async function writeManyEntriesZip(
  out: string,
  file: { name: string; data: Buffer },
  n: number,
  kind: 'folder' | 'file',
): Promise<void> {
  const stream = createWriteStream(out);
  const write = async (b: Buffer) => {
    if (!stream.write(b)) await once(stream, 'drain');
  };
  const name = Buffer.from(file.name, 'utf8');
  const crc = crc32(file.data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(file.data.length, 18);
  local.writeUInt32LE(file.data.length, 22);
  local.writeUInt16LE(name.length, 26);
  await write(Buffer.concat([local, name, file.data]));
  const cdStart = local.length + name.length + file.data.length;
  const central = (entryName: Buffer, size: number, entryCrc: number, folder: boolean) => {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(entryCrc, 16);
    c.writeUInt32LE(size, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(entryName.length, 28);
    c.writeUInt32LE(folder ? ((0o040755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0, 38);
    return Buffer.concat([c, entryName]);
  };
  let cdSize = 0;
  let chunk: Buffer[] = [central(name, file.data.length, crc, false)];
  for (let i = 0; i <= n; i++) {
    if (chunk.length >= 10_000 || i === n) {
      const b = Buffer.concat(chunk);
      cdSize += b.length;
      await write(b);
      chunk = [];
    }
    if (i < n) chunk.push(central(Buffer.from(kind === 'folder' ? `d/${i}/` : `f/${i}`), 0, 0, kind === 'folder'));
  }
  const total = BigInt(n + 1);
  const end64 = Buffer.alloc(56 + 20 + 22);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeUInt16LE(45, 12);
  end64.writeUInt16LE(45, 14);
  end64.writeBigUInt64LE(total, 24);
  end64.writeBigUInt64LE(total, 32);
  end64.writeBigUInt64LE(BigInt(cdSize), 40);
  end64.writeBigUInt64LE(BigInt(cdStart), 48);
  end64.writeUInt32LE(0x07064b50, 56);
  end64.writeBigUInt64LE(BigInt(cdStart + cdSize), 64);
  end64.writeUInt32LE(1, 72);
  end64.writeUInt32LE(0x06054b50, 76);
  end64.writeUInt16LE(0xffff, 84);
  end64.writeUInt16LE(0xffff, 86);
  end64.writeUInt32LE(0xffffffff, 88);
  end64.writeUInt32LE(0xffffffff, 92);
  stream.end(end64);
  await finished(stream);
}
