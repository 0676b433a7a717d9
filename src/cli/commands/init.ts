import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CONFIG_FILE } from '../../config/config.ts';
import { assertFreshHome, writeSignerKey } from '../../config/home.ts';
import { EXAMPLE_VALUES, renderConfig, renderPolicy, type TemplateValues } from '../../config/template.ts';
import { InputError } from '../../shared/errors.ts';
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
  assertFreshHome(dir, allowed);
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, CONFIG_FILE), renderConfig(values), { flag: 'wx' });
  writeFileSync(join(dir, 'policies', `${values.programmeId}.yaml`), renderPolicy(), { flag: 'wx' });
  return { verifierKey: writeSignerKey(join(dir, 'log.key'), values.origin) };
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
