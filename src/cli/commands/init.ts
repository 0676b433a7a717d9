import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CONFIG_FILE } from '../../config/config.ts';
import { assertFreshHome, writeSignerKey } from '../../config/home.ts';
import { EXAMPLE_VALUES, renderConfig, renderPolicy, type TemplateValues } from '../../config/template.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';

/** Creates a home: a commented config, an example policy, and a fresh signing key. */
export function initHome(
  dir: string,
  values: TemplateValues = EXAMPLE_VALUES,
  allowed: readonly string[] = [],
): { verifierKey: string } {
  assertFreshHome(dir, allowed);
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, CONFIG_FILE), renderConfig(values), { flag: 'wx' });
  writeFileSync(join(dir, 'policies', `${values.programmeId}.yaml`), renderPolicy(), { flag: 'wx' });
  const keyName = values.origin.replace(/[^A-Za-z0-9._/-]/g, '-');
  return { verifierKey: writeSignerKey(join(dir, 'log.key'), keyName) };
}

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
