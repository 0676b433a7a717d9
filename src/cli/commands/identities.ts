import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import { importAccounts, movedWarning } from '../../registry/identities.ts';
import { commonArgs, homeDir, info } from '../_common.ts';
import { EXIT, setExitCode } from '../_run.ts';

const importCommand = defineCommand({
  meta: {
    name: 'import',
    description:
      'Import (upsert) an identity graph: JSONL lines {"account","person","source","handle","display_name","email","birth_date","country"}.',
  },
  args: {
    ...commonArgs,
    file: { type: 'positional', description: 'accounts JSONL file', required: true },
  },
  async run({ args }) {
    const home = await openHome(homeDir(args));
    try {
      const summary = await importAccounts(home.store, args.file, {
        onProgress: (n) => process.stderr.isTTY && process.stderr.write(`\r${n} lines read`),
      });
      if (process.stderr.isTTY) process.stderr.write('\r');
      for (const b of summary.bad.slice(0, 50)) info(`${b.file}:${b.line}: ${b.reason}`);
      if (summary.badLines > 50) info(`... and ${summary.badLines - 50} more bad lines`);
      const counts = await home.store.countAccounts();
      info(
        `imported ${summary.imported} of ${summary.read} lines (${summary.badLines} bad); ` +
          `the registry now holds ${counts.accounts} accounts of ${counts.persons} persons`,
      );
      if (summary.moved > 0) info(`warning: ${movedWarning(summary.moved)}`);
      return setExitCode(summary.badLines > 0 ? EXIT.usage : EXIT.ok);
    } finally {
      await home.close();
    }
  },
});

export default defineCommand({
  meta: { name: 'identities', description: 'Manage the identity graph (accounts and the persons they belong to).' },
  subCommands: { import: importCommand },
});
