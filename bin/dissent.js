#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so that `npx dissent` and `npm link` work without a build step.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
const main = join(here, '..', 'src', 'cli', 'main.ts');
const r = spawnSync(process.execPath, [tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 2);
