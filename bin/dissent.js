#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader in this very process, so that `npx dissent` and `npm link` work
// without a build step, and a signal sent to this process (SIGTERM from a service manager, Ctrl-C) reaches the
// server itself: a launcher that spawned a child would die and leave the child running.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

if (typeof module.register !== 'function') {
  process.stderr.write(`dissent: needs Node.js 20.6 or later (this is ${process.version})\n`);
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
// Our own compiler settings, whatever tsconfig.json the folder the command runs in may hold.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli/main.ts');
