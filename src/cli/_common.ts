import { resolve } from 'node:path';
import { InputError } from '../shared/errors.ts';

/** Arguments every command takes. */
export const commonArgs = {
  home: {
    type: 'string',
    description: 'dissent home folder (env DISSENT_HOME; default .dissent)',
    valueHint: 'DIR',
  },
  debug: { type: 'boolean', description: 'show stack traces on errors' },
} as const;

/** commonArgs for a command that reads no home: --home is taken, as by every command, and its help says it is unused. */
export const homelessArgs = {
  ...commonArgs,
  home: { ...commonArgs.home, description: 'taken like every command, but not read: this command needs no home' },
} as const;

/**
 * The home folder: --home, then $DISSENT_HOME, then ./.dissent. An empty --home is refused and an empty DISSENT_HOME
 * counts as unset, as shells treat it: either would otherwise name the current folder.
 */
export function homeDir(args: { home?: string | undefined }): string {
  if (args.home === '') {
    throw new InputError('--home is empty (an unset shell variable?); name the home folder', 'E_USAGE');
  }
  return resolve(args.home ?? (process.env.DISSENT_HOME || '.dissent'));
}

/** Writes one line to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes one line of human progress to stderr (never personal data). */
export function info(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
