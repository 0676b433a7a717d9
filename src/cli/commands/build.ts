import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import { DEFAULT_MEMORY, runBuild } from '../../pipeline/build.ts';
import { createProgressBar, formatSummary } from '../../pipeline/progress.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';
import { takesAnyArguments } from '../_run.ts';

/** Every value of a repeatable flag (`--input a --input b`, `--input=a`), since the parser keeps only the last. */
function allValues(rawArgs: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i] as string;
    if (a === flag) {
      for (let j = i + 1; j < rawArgs.length && !(rawArgs[j] as string).startsWith('--'); j++) {
        values.push(rawArgs[j] as string);
        i = j;
      }
    } else if (a.startsWith(`${flag}=`)) values.push(a.slice(flag.length + 1));
  }
  return values;
}

function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${name} must be a positive integer`);
  return n;
}

/** Turns the engine's out-of-memory failure into advice on this command's own flags; the build resumes after it. */
function outOfMemory(e: unknown, memory: string): InputError | undefined {
  for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) {
    if (/Out of Memory Error/i.test(cur.message)) {
      return new InputError(
        `the build engine ran out of its memory limit (--memory ${memory}); run the same command again with a ` +
          'larger --memory (e.g. 2GB) or fewer --threads: it resumes from the last finished stage',
        'E_ENGINE_MEMORY',
        { cause: e },
      );
    }
  }
  return undefined;
}

const build = defineCommand({
  meta: {
    name: 'build',
    description:
      'Build a training snapshot for a programme: leave out objectors, e2ee and what the policy excludes, redact PII, dedup, and write signed Parquet shards.',
  },
  args: {
    ...commonArgs,
    programme: {
      type: 'string',
      description: 'programme id from dissent.config.yaml',
      required: true,
      valueHint: 'ID',
    },
    input: {
      type: 'string',
      description:
        'input file or folder (JSONL, JSONL.gz, Parquet), or FORMAT:PATH[@ACCOUNT] for a platform export (a PATH that exists with its @ is read whole); repeatable, or list several after one --input',
      valueHint: 'PATH',
    },
    out: {
      type: 'string',
      description: 'snapshot folder (new, or the same one to resume)',
      required: true,
      valueHint: 'DIR',
    },
    accounts: { type: 'string', description: 'import this accounts JSONL into the registry first', valueHint: 'FILE' },
    policy: { type: 'string', description: "policy file instead of the programme's", valueHint: 'FILE' },
    account: { type: 'string', description: 'owner of export inputs given without @ACCOUNT', valueHint: 'ID' },
    threads: {
      type: 'string',
      description: 'engine threads (default: all cores); output is identical for any value',
      valueHint: 'N',
    },
    memory: {
      type: 'string',
      description: 'engine memory limit; spills to disk above it (the process needs up to about 750 MB more)',
      default: DEFAULT_MEMORY,
      valueHint: 'SIZE',
    },
    'shard-rows': { type: 'string', description: 'rows per Parquet shard', default: '250000', valueHint: 'N' },
    'max-line-bytes': {
      type: 'string',
      description: 'quarantine longer input lines (at least 1024)',
      default: '1048576',
      valueHint: 'N',
    },
    force: { type: 'boolean', description: 'start over in a snapshot folder that holds another or a finished build' },
    quiet: { type: 'boolean', description: 'no progress bar; only the final summary' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  async run({ args, rawArgs }) {
    // Values listed after one --input are also citty's positionals: each counts once.
    const inputs = [...new Set([...allValues(rawArgs, '--input'), ...args._])];
    if (inputs.length === 0) throw new InputError('no input given; pass --input PATH (a file or a folder)', 'E_USAGE');
    const threads = intArg(args.threads, 'threads');
    const shardRows = intArg(args['shard-rows'], 'shard-rows');
    const maxLineBytes = intArg(args['max-line-bytes'], 'max-line-bytes');
    const bar = createProgressBar(args.quiet || args.json ? ({} as never) : process.stderr);
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    const home = await openHome(homeDir(args));
    try {
      const summary = await runBuild({
        home,
        programme: args.programme,
        inputs,
        out: args.out,
        ...(args.policy ? { policyFile: args.policy } : {}),
        ...(args.accounts ? { accountsFile: args.accounts } : {}),
        ...(args.account ? { account: args.account } : {}),
        ...(threads ? { threads } : {}),
        ...(shardRows ? { shardRows } : {}),
        ...(maxLineBytes ? { maxLineBytes } : {}),
        memoryLimit: args.memory,
        force: args.force === true,
        signal: controller.signal,
        onProgress: (p) => bar.update(p),
      });
      bar.done();
      out(args.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
      for (const w of summary.warnings) info(`warning: ${w}`);
    } catch (e) {
      throw outOfMemory(e, args.memory) ?? e;
    } finally {
      bar.done();
      process.off('SIGINT', onSignal);
      await home.close();
    }
  },
});

// Paths listed after one --input come as arguments.
export default takesAnyArguments(build, ['input']);
