// Test helpers: build zip and tar.gz exports from fixture folders at test time, and drain a reading.
import { createWriteStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
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
