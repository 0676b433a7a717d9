import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// An absolute loader URL, so that commands also run from a folder outside the repository (as a user's would).
const TSX = import.meta.resolve('tsx');

/** The result of running the real `dissent` command. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dissent ARGS` as a new user would (a child process), with optional stdin and env. */
export function dissent(
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, DISSENT_HOME: '', ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a TypeScript script as one Node process (no tsx wrapper process), so that kill -9 reaches it. */
export function spawnTsx(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, ['--import', TSX, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
}

/** A new empty temporary folder. */
export function tempDir(prefix = 'dissent-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Absolute path of a file in the repository. */
export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
