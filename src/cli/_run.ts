import { type CommandDef, renderUsage, runCommand } from 'citty';
import { DissentError, InputError, VerificationError } from '../shared/errors.ts';

/** Process exit codes: 0 ok, 1 a check failed, 2 usage or input error. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

/**
 * Sets the exit code a command ends with, without throwing (citty drops subcommands' return values). The worst code
 * wins, so that a later success cannot hide an earlier failure.
 */
export function setExitCode(code: number): number {
  const current = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = Math.max(current, code);
  return code;
}

/** Maps an error to an exit code and a message that says what was wrong and what to do; no stack unless debug. */
export function reportError(error: unknown, debug: boolean): number {
  const e = error as Error & { code?: string };
  if (e?.name === 'CLIError') {
    process.stderr.write(`dissent: ${stripAnsi(e.message)}\nRun with --help to see the usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof VerificationError) {
    process.stderr.write(`dissent: FAILED: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    return EXIT.checkFailed;
  }
  if (error instanceof InputError || error instanceof DissentError) {
    process.stderr.write(`dissent: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n${causeChain(e)}`);
    return error instanceof InputError ? EXIT.usage : exitFor(error);
  }
  process.stderr.write(`dissent: unexpected error: ${e?.message ?? String(error)}\n`);
  process.stderr.write(debug ? `${e?.stack}\n${causeChain(e)}` : 'Run again with --debug for details.\n');
  return EXIT.usage;
}

function exitFor(error: DissentError): number {
  return error.code === 'E_VERIFY' ? EXIT.checkFailed : EXIT.usage;
}

function causeChain(e: Error): string {
  let out = '';
  let cur: unknown = e.cause;
  while (cur instanceof Error) {
    out += `caused by: ${cur.stack}\n`;
    cur = cur.cause;
  }
  return out;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

async function resolve<T>(v: T | Promise<T> | (() => T | Promise<T>) | undefined): Promise<T | undefined> {
  return typeof v === 'function' ? await (v as () => T | Promise<T>)() : await v;
}

/**
 * Finds the deepest subcommand named in `rawArgs`, and a parent for its usage line that carries the whole command
 * path (`dissent identities`), since citty's usage names only the direct parent.
 */
async function resolveSub(
  cmd: CommandDef,
  rawArgs: string[],
  path: readonly string[] = [],
): Promise<[CommandDef, CommandDef | undefined, string | undefined]> {
  const subs = await resolve(cmd.subCommands);
  const name = rawArgs.find((a) => !a.startsWith('-'));
  if (subs && name && subs[name]) {
    const sub = (await resolve(subs[name])) as CommandDef;
    const meta = (await resolve(cmd.meta)) ?? {};
    const here = [...path, meta.name ?? ''];
    const [leaf, parent, stray] = await resolveSub(sub, rawArgs.slice(rawArgs.indexOf(name) + 1), here);
    return [leaf, parent ?? { ...cmd, meta: { ...meta, name: here.join(' ') } }, stray];
  }
  // A word where a command group expects one of its commands: a misspelt command.
  return [cmd, undefined, subs && name ? name : undefined];
}

/**
 * Moves `--home DIR` and `--debug` given before the command to its end, so that `dissent --home DIR log key` works
 * as documented (the command is found as the first word that is not an option).
 */
function commandFirst(rawArgs: readonly string[]): string[] {
  const globals: string[] = [];
  let i = 0;
  while (i < rawArgs.length) {
    const a = rawArgs[i] as string;
    if (a === '--home' && i + 1 < rawArgs.length) {
      globals.push(a, rawArgs[i + 1] as string);
      i += 2;
    } else if (a === '--debug' || a.startsWith('--home=')) {
      globals.push(a);
      i++;
    } else break;
  }
  const rest = rawArgs.slice(i);
  const end = rest.indexOf('--');
  return end < 0 ? [...rest, ...globals] : [...rest.slice(0, end), ...globals, ...rest.slice(end)];
}

/**
 * Refuses an option that the command does not define. citty would ignore it, so a typo (`--programe`) would silently
 * change what runs: an objection to every programme instead of one.
 */
async function checkOptions(cmd: CommandDef, rawArgs: readonly string[]): Promise<void> {
  const known = new Set(['help', 'h', 'home', 'debug']);
  for (const [name, def] of Object.entries((await resolve(cmd.args)) ?? {})) {
    if (def.type === 'positional') continue;
    known.add(name);
    known.add(name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()));
    if (def.type === 'boolean') known.add(`no-${name}`);
    for (const alias of [(def as { alias?: string | string[] }).alias ?? []].flat()) known.add(alias);
  }
  for (const arg of rawArgs) {
    if (arg === '--') return;
    // A value such as -1 is not an option.
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) continue;
    const option = arg.split('=')[0] as string;
    if (!known.has(option.replace(/^--?/, ''))) {
      throw new InputError(`unknown option ${option}; run with --help to see the options`, 'E_USAGE');
    }
  }
}

/** Runs the CLI with `rawArgs` and returns the exit code, printing usage on --help. */
export async function runCli(root: CommandDef, given: string[]): Promise<number> {
  const debug = given.includes('--debug');
  const rawArgs = commandFirst(given);
  try {
    if (rawArgs.length === 1 && (rawArgs[0] === '--version' || rawArgs[0] === '-v')) {
      process.stdout.write(`${(await resolve(root.meta))?.version ?? ''}\n`);
      return EXIT.ok;
    }
    if (rawArgs.includes('--help') || rawArgs.includes('-h') || rawArgs.length === 0) {
      const [cmd, parent] = await resolveSub(root, rawArgs);
      process.stdout.write(`${stripAnsi(await renderUsage(cmd, parent))}\n`);
      return EXIT.ok;
    }
    const [leaf, , stray] = await resolveSub(root, rawArgs);
    if (stray !== undefined) {
      throw new InputError(`unknown command "${stray}"; run with --help to see the commands`, 'E_USAGE');
    }
    await checkOptions(leaf, rawArgs);
    // citty would read a negative number given as an argument as one-letter options ("Missing required positional
    // argument"); no command takes a negative argument. (After an option, it is that option's value.)
    const end = rawArgs.includes('--') ? rawArgs.indexOf('--') : rawArgs.length;
    const negative = rawArgs.slice(0, end).find((a, k) => /^-\d+$/.test(a) && !rawArgs[k - 1]?.startsWith('-'));
    if (negative !== undefined) {
      throw new InputError(`${negative}: must be a non-negative integer (indexes and sizes count from 0)`, 'E_USAGE');
    }
    await runCommand(root, { rawArgs });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error, debug);
  }
}
