import { runCli } from './_run.ts';
import { root } from './root.ts';

// A reader of standard output that stops early (`dissent log entries | head`) is no error: stop quietly, as other
// command-line tools do, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await runCli(root, process.argv.slice(2));
