import { runCli } from './_run.ts';
import { root } from './root.ts';

process.exitCode = await runCli(root, process.argv.slice(2));
