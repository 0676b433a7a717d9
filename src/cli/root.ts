import { defineCommand } from 'citty';
import pkg from '../../package.json' with { type: 'json' };

/** The `dissent` command and its subcommands, loaded lazily so that `--help` stays fast. */
export const root = defineCommand({
  meta: {
    name: 'dissent',
    version: pkg.version,
    description: 'Objections to AI training, a signed transparency log, and objection-proof training corpora.',
  },
  subCommands: {
    demo: () => import('./commands/demo.ts').then((m) => m.default),
    init: () => import('./commands/init.ts').then((m) => m.default),
    identities: () => import('./commands/identities.ts').then((m) => m.default),
    object: () => import('./commands/object.ts').then((m) => m.default),
    withdraw: () => import('./commands/withdraw.ts').then((m) => m.default),
    log: () => import('./commands/log.ts').then((m) => m.default),
    verify: () => import('./commands/verify.ts').then((m) => m.default),
    build: () => import('./commands/build.ts').then((m) => m.default),
    serve: () => import('./commands/serve.ts').then((m) => m.default),
    backup: () => import('./commands/backup.ts').then((m) => m.default),
    sources: () => import('./commands/sources.ts').then((m) => m.default),
    redact: () => import('./commands/redact.ts').then((m) => m.default),
  },
});
