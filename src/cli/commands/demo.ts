import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineCommand } from 'citty';
import { CONFIG_FILE } from '../../config/config.ts';
import { openHome } from '../../config/home.ts';
import { EXAMPLE_VALUES } from '../../config/template.ts';
import { generateIdentityGraph } from '../../demo/identity-graph.ts';
import { writePostsJsonl } from '../../demo/posts.ts';
import { parseVerifierKey, verifierKeyOf } from '../../log/note.ts';
import { verifyReceipt } from '../../log/receipt.ts';
import { runBuild } from '../../pipeline/build.ts';
import { formatSummary } from '../../pipeline/progress.ts';
import { importAccounts } from '../../registry/identities.ts';
import { parseListen, startServer } from '../../server/app.ts';
import { InputError, RefusedError } from '../../shared/errors.ts';
import { commonArgs, homeDir, out } from '../_common.ts';
import { initHome } from './init.ts';

const MARKER = '.dissent-demo';

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

export default defineCommand({
  meta: {
    name: 'demo',
    description:
      'Run the whole story on the embedded default: a home, a programme whose deadline passes while the demo runs, an identity graph, objections in time and late, a withdrawal, the first training snapshot, a receipt to verify, and the portal.',
  },
  args: {
    ...commonArgs,
    persons: { type: 'string', description: 'persons in the generated identity graph (at least 50)', default: '2000' },
    'deadline-in': { type: 'string', description: 'seconds until the demo programme deadline', default: '4' },
    records: {
      type: 'string',
      description: 'generated posts, chats and messages for the corpus build (at least 100)',
      default: '20000',
    },
    serve: {
      type: 'boolean',
      description: 'serve the portal at the end (until Ctrl-C on a terminal; a quick check otherwise)',
      default: true,
    },
    listen: {
      type: 'string',
      description: 'address for the demo portal',
      default: '127.0.0.1:8080',
      valueHint: 'HOST:PORT',
    },
  },
  async run({ args }) {
    const dir = homeDir(args);
    const persons = Number(args.persons);
    const deadlineIn = Number(args['deadline-in']);
    if (!Number.isInteger(persons) || persons < 50) throw new InputError('--persons must be an integer of at least 50');
    if (!(deadlineIn >= 1)) throw new InputError('--deadline-in must be at least 1 second');
    const records = Number(args.records);
    if (!Number.isInteger(records) || records < 100)
      throw new InputError('--records must be an integer of at least 100');
    // Checked now, not after the whole story has run (and replaced the previous demo home) only to fail at the end.
    if (args.serve) parseListen(args.listen);
    if (existsSync(dir)) {
      if (!existsSync(join(dir, MARKER))) {
        throw new InputError(
          `${dir} exists and was not made by the demo; pass --home NEWDIR to run the demo elsewhere`,
        );
      }
      rmSync(dir, { recursive: true, force: true });
    }

    const started = Date.now();
    const deadline = new Date(started + deadlineIn * 1000);
    const values = {
      ...EXAMPLE_VALUES,
      programmeId: 'demo-2025',
      title: 'Demo: AI training on public posts and assistant chats',
      titleDe: 'Demo: KI-Training mit öffentlichen Beiträgen und Assistenten-Chats',
      noticeDate: new Date(started - 42 * 86_400_000).toISOString(),
      deadline: deadline.toISOString(),
      graceWindow: '3s',
    };
    say('dissent demo: objections to AI training, a signed log and receipts, on SQLite (no server)\n');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MARKER), 'made by "dissent demo"; the demo may delete this folder\n');
    const { verifierKey } = initHome(dir, values, [MARKER]);
    addNextProgramme(dir, new Date(started + 365 * 86_400_000));
    say(
      `1. created home ${rel(dir)} with programme demo-2025 (deadline in ${deadlineIn} s), demo-next (deadline in a ` +
        'year, so that the portal at the end takes objections people can confirm) and a fresh Ed25519 key',
    );

    const demoDir = join(dir, 'demo');
    mkdirSync(demoDir);
    const accountsFile = join(demoDir, 'accounts.jsonl');
    const rows = [...generateIdentityGraph({ persons, today: new Date(started) })];
    writeFileSync(accountsFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const home = await openHome(dir);
    try {
      const imported = await importAccounts(home.store, accountsFile);
      const counts = await home.store.countAccounts();
      const minors = rows.filter((r) => r.birth_date && age(r.birth_date, new Date(started)) < 18).length;
      const outside = rows.filter((r) => !EU.has(r.country ?? '')).length;
      say(
        `2. imported ${imported.imported} accounts of ${counts.persons} persons (facebook + linked instagram); ` +
          `${minors} accounts of minors, ${outside} outside the EU`,
      );

      const reg = home.registry;
      const inTime = Array.from({ length: Math.max(5, Math.floor(persons / 20)) }, (_, i) => `p:${i * 7 + 1}`);
      const first = await reg.object({ subject: 'fb:a:3', channel: 'cli' });
      const bulk = await reg.objectMany(inTime.map((subject) => ({ subject, channel: 'api' as const })));
      await reg.object({
        subject: 'fb:a:5',
        accountOnly: true,
        programme: 'demo-2025',
        channel: 'web',
      });
      const again = await reg.object({ subject: 'p:3', channel: 'cli' });
      say(
        `3. before the deadline: ${bulk.length} objections in one group commit, plus two single ones ` +
          `(one via a linked account, one for a single account); objecting again returned the same receipt: ` +
          `${again.receipt.objection_id === first.receipt.objection_id ? 'yes' : 'NO'}`,
      );
      const withdrawn = await reg.withdraw({ subject: inTime[1] as string, channel: 'cli' });
      say(`4. one person withdrew; the withdrawal is log entry ${withdrawn.receipt.leaf_index}`);

      const wait = deadline.getTime() - Date.now() + 200;
      if (wait > 0) {
        say(`   ... waiting ${(wait / 1000).toFixed(1)} s on the server clock until the deadline has passed`);
        await sleep(wait);
      }
      const lateSubjects = Array.from({ length: 5 }, (_, i) => `p:${persons - i}`);
      const late = await reg.objectMany(lateSubjects.map((subject) => ({ subject, channel: 'cli' as const })));
      const lateCount = late.filter((r) => r.receipt.late['demo-2025']).length;
      say(
        `5. after the deadline: ${late.length} late objections (late for demo-2025: ${lateCount}); they cover future training only`,
      );

      const postsFile = join(demoDir, 'posts.jsonl');
      await writePostsJsonl(postsFile, { accounts: rows, count: records, until: new Date(started) });
      const snapshotDir = join(demoDir, 'snapshot-1');
      const build = () => runBuild({ home, programme: 'demo-2025', inputs: [postsFile], out: snapshotDir });
      try {
        await build();
      } catch (e) {
        if (!(e instanceof RefusedError)) throw e;
        say(`6. a corpus build right after the deadline is refused, as it must be:\n   ${e.message}`);
        const allowed = deadline.getTime() + 3000 - Date.now() + 200;
        if (allowed > 0) await sleep(allowed);
      }
      const summary = await build();
      say(`7. built the first training snapshot from ${records.toLocaleString('en')} generated records (DuckDB):`);
      say(indent(formatSummary(summary)));

      const receipt = late[0]?.receipt ?? first.receipt;
      const receiptFile = join(demoDir, 'receipt.json');
      // A receipt names its subject: owner only, as dissent object --out writes one.
      writeFileSync(receiptFile, `${JSON.stringify(first.receipt, null, 2)}\n`, { mode: 0o600 });
      writeFileSync(join(demoDir, 'late-receipt.json'), `${JSON.stringify(receipt, null, 2)}\n`, { mode: 0o600 });
      const cp = await reg.latestCheckpoint();
      writeFileSync(join(demoDir, 'checkpoint.txt'), cp.note);
      const vkey = verifierKeyOf(home.signer);
      const check = verifyReceipt(first.receipt, parseVerifierKey(vkey));
      const byState = await home.store.countObjections();
      const sum = (state: string) => byState.filter((r) => r.state === state).reduce((a, r) => a + r.n, 0);

      say('\nsummary');
      say(`  objections effective ${sum('effective')}, withdrawn ${sum('withdrawn')}, pending ${sum('pending')}`);
      say(`  transparency log: ${cp.size} entries, latest checkpoint:\n`);
      say(indent(cp.note));
      say(`  verifier key (publish it; receipts are checked against it):`);
      out(`  ${vkey}`);
      say(
        `\n  receipt written to ${rel(receiptFile)} (verified here: ${check.ok ? 'VALID' : 'INVALID'}); check it offline with`,
      );
      say(`    npx dissent verify receipt ${rel(receiptFile)} --key ${verifierKey}`);
      say(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (args.serve) await servePortal(home, args.listen);
    } finally {
      await home.close();
    }
  },
});

/**
 * Adds a second programme whose deadline is a year away, with the usual 72-hour grace window. demo-2025's window is 3
 * seconds, so that the demo can build right after its deadline; without an open programme beside it, a confirmation
 * link from the portal would expire before anyone could click it.
 */
function addNextProgramme(dir: string, deadline: Date): void {
  const file = join(dir, CONFIG_FILE);
  const entry = `  - id: demo-next
    title:
      en: "Demo: next year's AI training on public posts"
      de: "Demo: KI-Training des nächsten Jahres mit öffentlichen Beiträgen"
    purpose: train_ai_system
    legal_basis: legitimate_interest
    jurisdictions: [EU]
    notice_date: ${new Date().toISOString()}
    deadline: ${deadline.toISOString()}
    grace_window: 72h
    policy: policies/demo-2025.yaml
`;
  writeFileSync(file, readFileSync(file, 'utf8').replace('\nserver:', `${entry}\nserver:`));
}

/** Serves the portal: until Ctrl-C on a terminal, or just long enough for a self-check when run unattended. */
async function servePortal(home: Awaited<ReturnType<typeof openHome>>, listen: string): Promise<void> {
  const server = await startServer(home, { listen }).catch(async (e: Error & { code?: string }) => {
    if (e.code !== 'EADDRINUSE') throw e;
    say(`\n   ${listen} is taken; serving on a free port instead`);
    return startServer(home, { listen: listen.replace(/:\d+$/, ':0') });
  });
  try {
    const health = await fetch(`${server.url}/healthz`);
    say(
      `\nportal: ${server.url}/ (German and English) · verify a receipt: ${server.url}/verify · API: ${server.url}/api/v1/openapi.json`,
    );
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      say(
        `   portal self-check: /healthz answered ${health.status}; run "npx dissent serve --home ${rel(home.dir)} --listen ${new URL(server.url).host}" to keep it running`,
      );
      return;
    }
    say(`   confirmation mails land in ${rel(join(home.dir, 'outbox'))}/ as .eml files. Press Ctrl-C to stop.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    await server.close();
  }
}

const EU = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '));

function age(birthDate: string, at: Date): number {
  return (at.getTime() - Date.parse(`${birthDate}T00:00:00Z`)) / (365.25 * 86_400_000);
}

function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
