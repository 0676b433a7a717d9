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
): Promise<[CommandDef, CommandDef | undefined, string | undefined, number]> {
  const subs = await resolve(cmd.subCommands);
  const name = rawArgs.find((a) => !a.startsWith('-'));
  if (subs && name && subs[name]) {
    const sub = (await resolve(subs[name])) as CommandDef;
    const meta = (await resolve(cmd.meta)) ?? {};
    const here = [...path, meta.name ?? ''];
    const [leaf, parent, stray, depth] = await resolveSub(sub, rawArgs.slice(rawArgs.indexOf(name) + 1), here);
    return [leaf, parent ?? { ...cmd, meta: { ...meta, name: here.join(' ') } }, stray, depth + 1];
  }
  // A word where a command group expects one of its commands: a misspelt command.
  return [cmd, undefined, subs && name ? name : undefined, 0];
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

/** Commands that take any number of arguments (`build --input a.jsonl b.jsonl`); see takesAnyArguments. */
const VARIADIC = new WeakSet<object>();

/** The options a command takes more than once (`build --input a --input b`); see takesAnyArguments. */
const REPEATABLE = new WeakMap<object, readonly string[]>();

/**
 * Marks a command as taking any number of arguments, which checkArgs then does not count, and names the options it
 * takes more than once.
 */
export function takesAnyArguments<T extends object>(cmd: T, repeatable: readonly string[] = []): T {
  VARIADIC.add(cmd);
  REPEATABLE.set(cmd, repeatable);
  return cmd;
}

/**
 * Refuses an option that the command does not define, and an argument beyond those it takes. citty would ignore
 * either, so a typo (`--programe`) would silently change what runs (an objection to every programme instead of one),
 * and a second file (`verify receipt a.json b.json`) would never be looked at while the command said VALID.
 * `depth` is the number of command words (`verify receipt`: 2). An extra argument is named by its position only: it
 * may be a subject id.
 */
async function checkArgs(cmd: CommandDef, rawArgs: readonly string[], depth: number): Promise<void> {
  const known = new Set(['help', 'h', 'home', 'debug']);
  const takesValue = new Set(['home']);
  const booleans = new Set(['debug']);
  // Each spelling of an option with a value, to its name: a second --subject would win over the first without a word.
  const canonical = new Map([['home', 'home']]);
  const given = new Set<string>();
  let positionals = 0;
  let optional = false;
  for (const [name, def] of Object.entries((await resolve(cmd.args)) ?? {})) {
    if (def.type === 'positional') {
      positionals++;
      optional ||= def.required === false;
      continue;
    }
    const names = [
      name,
      name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()),
      ...[(def as { alias?: string | string[] }).alias ?? []].flat(),
    ];
    for (const n of names) {
      known.add(n);
      (def.type === 'boolean' ? booleans : takesValue).add(n);
      if (def.type !== 'boolean') canonical.set(n, name);
    }
    if (def.type === 'boolean') {
      known.add(`no-${name}`);
      booleans.add(`no-${name}`);
    }
  }
  const words: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === '--') {
      words.push(...rawArgs.slice(i + 1));
      break;
    }
    // A value such as -1 is not an option.
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      words.push(arg);
      continue;
    }
    const option = (arg.split('=')[0] as string).replace(/^--?/, '');
    if (!known.has(option)) {
      throw new InputError(`unknown option ${arg.split('=')[0]}; run with --help to see the options`, 'E_USAGE');
    }
    // citty reads any value but "false" as true: `--force=no` would start a build over, `--account-only=0` file for
    // the account alone.
    if (booleans.has(option) && arg.includes('=') && !/^--?[^=]+=(true|false)$/.test(arg)) {
      throw new InputError(
        `${arg.split('=')[0]} is a switch: give it alone (or =true or =false), not =${arg.slice(arg.indexOf('=') + 1)}`,
        'E_USAGE',
      );
    }
    if (takesValue.has(option)) {
      // citty takes an empty value as given: `--policy "$POLICY"` with the variable unset would build with the
      // programme's policy, `--out ""` print the receipt instead of writing it, without a word.
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rawArgs[i + 1];
      if (value === undefined || value === '') {
        throw new InputError(
          `${arg.split('=')[0]} is empty (an unset shell variable?); give it a value or leave the option out`,
          'E_USAGE',
        );
      }
      const name = canonical.get(option) ?? option;
      if (given.has(name) && !REPEATABLE.get(cmd)?.includes(name)) {
        throw new InputError(`--${name} is given more than once; give it once (only the last would count)`, 'E_USAGE');
      }
      given.add(name);
      if (!arg.includes('=')) i++;
    }
  }
  const extra = words.length - depth - positionals;
  if (extra > 0 && !VARIADIC.has(cmd)) {
    const command = words.slice(0, depth).join(' ');
    throw new InputError(
      `dissent ${command} takes ${positionals === 0 ? 'no' : `${optional ? 'at most ' : ''}${positionals}`} argument${positionals === 1 ? '' : 's'} besides its options, but was given ${extra} more (quote a value that holds spaces; run with --help to see the usage)`,
      'E_USAGE',
    );
  }
}

/** Runs the CLI with `rawArgs` and returns the exit code, printing usage on --help. */
export async function runCli(root: CommandDef, given: string[]): Promise<number> {
  const debug = given.includes('--debug');
  const rawArgs = commandFirst(given);
  try {
    // The global options may come with --version too: `dissent --version --home X`.
    const bare = rawArgs.filter(
      (a, k) => a !== '--debug' && a !== '--home' && !a.startsWith('--home=') && rawArgs[k - 1] !== '--home',
    );
    if (bare.length === 1 && (bare[0] === '--version' || bare[0] === '-v')) {
      process.stdout.write(`${(await resolve(root.meta))?.version ?? ''}\n`);
      return EXIT.ok;
    }
    if (rawArgs.includes('--help') || rawArgs.includes('-h') || rawArgs.length === 0) {
      const [cmd, parent] = await resolveSub(root, rawArgs);
      process.stdout.write(`${stripAnsi(await renderUsage(cmd, parent))}\n`);
      return EXIT.ok;
    }
    const [leaf, , stray, depth] = await resolveSub(root, rawArgs);
    if (stray !== undefined) {
      throw new InputError(`unknown command "${stray}"; run with --help to see the commands`, 'E_USAGE');
    }
    await checkArgs(leaf, rawArgs, depth);
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
