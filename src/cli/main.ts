import { runCli } from './_run.ts';
import { root } from './root.ts';

// A reader of standard output that stops early (`dissent log entries | head`) is no error: stop quietly, as other
// command-line tools do, instead of dying on an unhandled EPIPE with a stack trace.
// A command that listens itself has something to say or to tidy first (the receipts of filed objections were lost, a
// half-written quarantine file): this listener, the first, must not end the process before it.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (process.stdout.listenerCount('error') > 1) return;
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await runCli(root, process.argv.slice(2));
