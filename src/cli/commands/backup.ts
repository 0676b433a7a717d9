import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { loadConfig } from '../../config/config.ts';
import { openStore } from '../../config/home.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info } from '../_common.ts';

export default defineCommand({
  meta: {
    name: 'backup',
    description:
      'Copy the registry (objections, identity graph and log) to a new file, consistently and owner-only, also while dissent serve runs. A registry in PostgreSQL is refused: back it up with pg_dump.',
  },
  args: {
    ...commonArgs,
    out: {
      type: 'string',
      description: 'the new backup file (never over an existing one)',
      valueHint: 'FILE',
      required: true,
    },
  },
  async run({ args }) {
    const out = resolve(args.out);
    // Checked before the registry is opened, so that a typo costs nothing; the store checks again, race-free.
    const existing = statSync(out, { throwIfNoEntry: false });
    if (existing?.isDirectory()) {
      throw new InputError(
        `${out} is a folder; name the backup file, e.g. ${join(out, 'registry-backup.db')}`,
        'E_USAGE',
      );
    }
    if (existing) throw new InputError(`${out} exists already; a backup is never written over a file`, 'E_EXISTS');
    if (!statSync(dirname(out), { throwIfNoEntry: false })?.isDirectory()) {
      throw new InputError(`the folder of ${out} does not exist; create it first`, 'E_USAGE');
    }
    const store = await openStore(loadConfig(homeDir(args)));
    try {
      const { logSize } = await store.backup(out);
      info(
        `backed up the registry to ${out} (log size ${logSize}); keep log.key, dissent.config.yaml and the policies with it`,
      );
    } finally {
      await store.close();
    }
  },
});
