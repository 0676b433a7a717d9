import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CONFIG_FILE, REGISTRY_FILE } from '../../config/config.ts';
import { assertFreshHome, writeSignerKey } from '../../config/home.ts';
import { EXAMPLE_VALUES, renderConfig, renderPolicy, type TemplateValues } from '../../config/template.ts';
import { DissentError, InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';

/** Creates a home: a commented config, an example policy, and a fresh signing key. */
export function initHome(
  dir: string,
  values: TemplateValues = EXAMPLE_VALUES,
  allowed: readonly string[] = [],
): { verifierKey: string } {
  // Checked before anything is written: a home with an origin the config refuses could never be used, and init
  // refuses to run twice. The key is named after the origin, as checkpoint verifiers expect.
  if (!ORIGIN.test(values.origin)) {
    throw new InputError(
      '--origin must be one word without "+", such as example.org/dissent/log (it names the log in every checkpoint)',
      'E_USAGE',
    );
  }
  const madeDir = !existsSync(dir);
  assertFreshHome(dir, allowed);
  // What this call made, undone if a later step fails (a full disk, say): a config without its key is a home that
  // every command refuses and that init refuses to make again.
  const made: string[] = [];
  try {
    made.push(join(dir, 'policies'));
    mkdirSync(join(dir, 'policies'));
    made.push(join(dir, CONFIG_FILE));
    // Owner only, whatever the umask: the config holds the API tokens and the SMTP password once they are filled in.
    writeFileSync(join(dir, CONFIG_FILE), renderConfig(values), { flag: 'wx', mode: 0o600 });
    chmodSync(join(dir, CONFIG_FILE), 0o600);
    made.push(join(dir, 'policies', `${values.programmeId}.yaml`));
    writeFileSync(join(dir, 'policies', `${values.programmeId}.yaml`), renderPolicy(), { flag: 'wx' });
    // The registry starts here, empty: a home whose registry.db is gone later is refused, not given a new one (see
    // openStore).
    made.push(join(dir, REGISTRY_FILE));
    writeFileSync(join(dir, REGISTRY_FILE), '', { flag: 'wx', mode: 0o600 });
    chmodSync(join(dir, REGISTRY_FILE), 0o600);
    made.push(join(dir, 'log.key'));
    return { verifierKey: writeSignerKey(join(dir, 'log.key'), values.origin) };
  } catch (cause) {
    // Only what it made itself: the step that failed may have failed because something was already there.
    const failed = made.pop();
    if (failed && (cause as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(failed, { force: true, recursive: true });
    for (const path of made.reverse()) rmSync(path, { force: true, recursive: true });
    if (madeDir) rmSync(dir, { force: true, recursive: true });
    const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new DissentError(
      `could not create the dissent home ${dir} (${why}); nothing of it was left behind, so run dissent init again once that is fixed`,
      'E_INIT',
      { cause },
    );
  }
}

/**
 * A log origin init accepts: what the config takes (one word) and a signed note's key name can be (no "+"), of
 * printable characters (the config holds it quoted, so "#log", "123" or "true" stay strings).
 */
const ORIGIN = /^[^\s+\p{C}]+$/u;

export default defineCommand({
  meta: {
    name: 'init',
    description: 'Create a dissent home: a commented dissent.config.yaml, an example policy and an Ed25519 log key.',
  },
  args: {
    ...commonArgs,
    origin: { type: 'string', description: 'log origin line for checkpoints', default: EXAMPLE_VALUES.origin },
  },
  run({ args }) {
    const dir = homeDir(args);
    const { verifierKey } = initHome(dir, { ...EXAMPLE_VALUES, origin: args.origin });
    info(`created ${join(dir, CONFIG_FILE)}, policies/${EXAMPLE_VALUES.programmeId}.yaml and log.key (mode 0600)`);
    info('publish this verifier key so that anyone can check receipts offline:');
    out(verifierKey);
  },
});
