import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Extract, extract as tarExtract } from 'tar-stream';
import { InputError } from '../shared/errors.ts';
import { type ExportContainer, type ExportEntry, refuseSpecial } from './_container.ts';

type Entry = Extract extends AsyncIterable<infer S> ? S : never;

// Copies a tar entry into a Node stream; if the reader gives up early the rest is drained so the archive can go on.
function forward(entry: Entry): Readable {
  const out = new PassThrough();
  let abandoned = false;
  entry.on('data', (chunk) => {
    if (!abandoned && !out.write(chunk as Buffer)) entry.pause();
  });
  entry.on('end', () => out.end());
  entry.on('error', (err: Error) => out.destroy(err));
  out.on('drain', () => entry.resume());
  out.on('close', () => {
    abandoned = true;
    entry.resume();
  });
  return out;
}

/** Opens a tar or tar.gz for one sequential pass; a truncated or corrupt archive is an InputError when reached. */
export async function openTar(path: string, gzipped: boolean): Promise<ExportContainer> {
  const file = createReadStream(path);
  const extract = tarExtract();
  const gunzip = gzipped ? createGunzip() : null;
  const fail = (err: Error) => extract.destroy(err);
  file.on('error', fail);
  if (gunzip) {
    gunzip.on('error', fail);
    file.pipe(gunzip).pipe(extract as unknown as NodeJS.WritableStream);
  } else {
    file.pipe(extract as unknown as NodeJS.WritableStream);
  }
  return {
    kind: 'tar',
    entries: async function* () {
      const it = extract[Symbol.asyncIterator]();
      while (true) {
        let next: IteratorResult<Entry>;
        try {
          next = await it.next();
        } catch (cause) {
          throw new InputError(
            'cannot read the tar archive: it is truncated or corrupt (download the export again)',
            'E_TAR_CORRUPT',
            { cause },
          );
        }
        if (next.done) return;
        const stream = next.value;
        const { header } = stream;
        let opened = false;
        const path = header.name.replace(/^\.\//, '');
        // A link is never followed (a symlink may point anywhere on the reader's disk, a hard link back into the
        // archive, which one pass cannot reach), nor is a device or pipe opened; each is reported, since it may stand
        // for content.
        const special =
          header.type === 'symlink'
            ? 'symlink'
            : header.type === 'link'
              ? 'hardlink'
              : header.type === 'file' || header.type === 'contiguous-file' || header.type === 'directory'
                ? undefined
                : 'other';
        if (special) {
          yield { path, size: 0, special, open: async () => refuseSpecial() } satisfies ExportEntry;
        } else if (header.type !== 'directory') {
          yield {
            path,
            size: header.size ?? 0,
            open: async () => {
              if (opened) throw new InputError('a tar entry can be read only once', 'E_TAR_REREAD');
              opened = true;
              return forward(stream);
            },
          } satisfies ExportEntry;
        }
        if (!opened) stream.resume();
      }
    },
    close: async () => {
      file.destroy();
      gunzip?.destroy();
      extract.destroy();
    },
  };
}
