#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader in this very process, so that `npx dissent` and `npm link` work
// without a build step, and a signal sent to this process (SIGTERM from a service manager, Ctrl-C) reaches the
// server itself: a launcher that spawned a child would die and leave the child running.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
