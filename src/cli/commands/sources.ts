import { once } from 'node:events';
import { createWriteStream, openSync, realpathSync, statSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { sep } from 'node:path';
import { defineCommand } from 'citty';
import { DissentError, InputError } from '../../shared/errors.ts';
import {
  type ConvertSummary,
  convertToJsonl,
  EXPORT_FORMATS,
  type ExportFormat,
  outputPaths,
  outputTarget,
  type ReadExportOptions,
  type Visibility,
  writeJsonl,
} from '../../sources/index.ts';
import { homelessArgs, info } from '../_common.ts';
import { checkOutPath } from '../_receipt-io.ts';

const VISIBILITIES: Visibility[] = ['public', 'unlisted', 'followers', 'friends', 'private'];

function printSummary(s: ConvertSummary, quarantineFile: string | undefined): void {
  info(`converted ${s.format} export: ${s.filesRead} files read, ${s.records} records, ${s.quarantined} quarantined`);
  const skipped = Object.entries(s.skipped).sort(([a], [b]) => a.localeCompare(b));
  if (skipped.length > 0) info(`skipped: ${skipped.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (s.quarantined > 0 && !quarantineFile) info('quarantine entries were not kept: add --quarantine FILE to see them');
  if (s.filesRead === 0) {
    info(
      `warning: no file here is one that ${s.format} exports keep content in (${s.skipped.file_not_used ?? 0} other files); check --format, or whether this is the whole export`,
    );
  } else if (s.records === 0 && s.quarantined > 0) {
    info(`warning: every item read was quarantined; check --format, or whether the export is damaged`);
  } else if (s.records === 0) {
    info(`warning: the export holds no records; check --format, or whether this is the whole export`);
  }
  const unknown = Object.entries(s.unknownFields);
  if (unknown.length > 0) {
    info(`unknown fields (the export format may have changed): ${unknown.map(([k, n]) => `${k} x${n}`).join(', ')}`);
  }
  if (s.noindexAccounts.length > 0) {
    info(
      'noindex: the archive owner set indexable: false; dissent does not act on it by itself: to honour it, file an objection for that account (dissent object --subject ID --account-only)',
    );
  }
}

/**
 * Refuses an --out or --quarantine that is the export itself or lies inside it, and one file named by both: each is
 * renamed over its target at the end, so either would destroy the export (its only copy, perhaps), and a shared file
 * would lose the records or the quarantine entries.
 */
async function checkNoClash(input: string, out: string | undefined, quarantine: string | undefined): Promise<void> {
  let source: string;
  try {
    source = realpathSync(input);
  } catch {
    return; // reading the export says what is wrong with it
  }
  const within = (target: string) => target === source || target.startsWith(`${source}${sep}`);
  const sameFile = (a: string, b: string) => {
    const x = statSync(a, { throwIfNoEntry: false });
    const y = statSync(b, { throwIfNoEntry: false });
    return x?.isFile() === true && y !== undefined && x.dev === y.dev && x.ino === y.ino;
  };
  for (const [flag, file] of [
    ['--out', out],
    ['--quarantine', quarantine],
  ] as const) {
    if (file !== undefined && (within((await outputTarget(file)).path) || sameFile(file, input))) {
      throw new InputError(
        `${flag} ${file} is the export being read or lies inside it, and writing it would destroy the export; give a file elsewhere`,
        'E_OUT',
      );
    }
  }
  if (out !== undefined && quarantine !== undefined) {
    const target = await outputTarget(out);
    if (!target.direct && (target.path === (await outputTarget(quarantine)).path || sameFile(out, quarantine))) {
      throw new InputError(
        `--out and --quarantine name the same file ${out}; give each its own, or the records and the quarantine entries would overwrite each other`,
        'E_OUT',
      );
    }
  }
}

const convert = defineCommand({
  meta: {
    name: 'convert',
    description: 'Convert a platform export (zip, tar.gz, folder or file) to canonical JSONL records.',
  },
  args: {
    ...homelessArgs,
    input: { type: 'positional', required: true, description: 'the export to read', valueHint: 'INPUT' },
    format: { type: 'enum', required: true, options: [...EXPORT_FORMATS], description: 'the export format' },
    account: {
      type: 'string',
      required: true,
      description: "the archive owner's canonical account id, e.g. fb:a:42",
      valueHint: 'ID',
    },
    out: { type: 'string', description: 'write the JSONL to FILE instead of stdout', valueHint: 'FILE' },
    quarantine: { type: 'string', description: 'write quarantine entries (JSONL) to FILE', valueHint: 'FILE' },
    visibility: {
      type: 'enum',
      options: VISIBILITIES,
      description:
        'visibility of what the export does not state it for: Facebook/Instagram posts and comments, ChatGPT/Claude chats',
    },
  },
  async run({ args }) {
    // Both paths are checked before the export is read: a wrong one must not cost a long conversion, nor lose the
    // quarantine entries unnoticed.
    // citty checks an enum's value but not that it was given at all.
    if (args.format === undefined) {
      throw new InputError(`Missing required argument: --format (one of ${EXPORT_FORMATS.join(', ')})`, 'E_USAGE');
    }
    checkOutPath(args.out);
    checkOutPath(args.quarantine);
    await checkNoClash(args.input, args.out, args.quarantine);
    let quarantine: WriteStream | undefined;
    let quarantineError: Error | undefined;
    // Like --out, written beside its target and renamed over it at the end, so that a refused or failed run leaves
    // the target (through a link too) as it was, instead of emptied or half written.
    const quarantinePaths = args.quarantine ? await outputPaths(args.quarantine) : undefined;
    if (args.quarantine && quarantinePaths) {
      let fd: number;
      try {
        fd = openSync(quarantinePaths.writeTo, quarantinePaths.flags, quarantinePaths.mode);
      } catch (cause) {
        const why = (cause as NodeJS.ErrnoException).code ?? 'open failed';
        throw new InputError(`cannot write ${args.quarantine} (${why})`, 'E_OUT', { cause });
      }
      quarantine = createWriteStream('', { fd });
      quarantine.on('error', (e) => {
        quarantineError ??= e;
      });
    }
    const opts: ReadExportOptions = {
      format: args.format as ExportFormat,
      path: args.input,
      account: args.account,
      ...(args.visibility ? { visibility: args.visibility as Visibility } : {}),
      ...(quarantine ? { onQuarantine: (q) => quarantine.write(`${JSON.stringify(q)}\n`) } : {}),
    };
    let summary: ConvertSummary | undefined;
    let converted = false;
    try {
      summary = args.out
        ? await convertToJsonl({ ...opts, outFile: args.out })
        : await writeJsonl(opts, process.stdout).catch((e: unknown) => {
            // A reader that stops early (`| head`) is no error: stop quietly, as other line filters (and dissent
            // redact) do.
            if ((e as { cause?: { code?: unknown } }).cause?.code === 'EPIPE') return undefined;
            throw e;
          });
      converted = summary !== undefined;
    } finally {
      if (quarantine && !quarantine.destroyed) {
        quarantine.end();
        await once(quarantine, 'close');
      }
      // Like --out, the quarantine file is there only when the whole export was read: a refused or failed one would
      // leave an empty or partial file that looks like a clean conversion's. A device or pipe is written directly.
      if (quarantinePaths && quarantinePaths.writeTo !== quarantinePaths.target) {
        if (converted && !quarantineError) await rename(quarantinePaths.writeTo, quarantinePaths.target);
        else await rm(quarantinePaths.writeTo, { force: true });
      }
    }
    if (!summary) return 0;
    printSummary(summary, args.quarantine);
    if (quarantineError) {
      const why = (quarantineError as NodeJS.ErrnoException).code ?? quarantineError.message;
      throw new DissentError(`could not write the quarantine entries to ${args.quarantine} (${why})`, 'E_OUT');
    }
    return 0;
  },
});

/** `dissent sources`: read platform exports (Facebook, Instagram, Mastodon, ChatGPT, Claude; WhatsApp is refused). */
export default defineCommand({
  meta: { name: 'sources', description: 'Read platform exports into canonical records.' },
  subCommands: { convert },
});
