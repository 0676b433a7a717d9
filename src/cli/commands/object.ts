import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import type { ObjectionRequest, ResolvedSubject } from '../../registry/registry.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info } from '../_common.ts';
import { checkReceiptPath, emitReceipt, emitText, readUserFile } from '../_receipt-io.ts';
import { EXIT, setExitCode } from '../_run.ts';

export default defineCommand({
  meta: {
    name: 'object',
    description:
      'File an objection (GDPR Art. 21) and print its receipt. By default it covers all current and future programmes (*) and every account linked to the person.',
  },
  args: {
    ...commonArgs,
    subject: { type: 'string', description: 'person id, or account id (stands for its person)', valueHint: 'ID' },
    programme: { type: 'string', description: 'programme id, or * for all current and future', default: '*' },
    'account-only': { type: 'boolean', description: 'cover only this one account, not the linked ones' },
    reason: { type: 'string', description: 'optional reason (never required)' },
    out: {
      type: 'string',
      description:
        'write the receipt (with --subjects: the receipts, one a line) to this new file (never over an existing one) instead of stdout (- is stdout)',
      valueHint: 'FILE',
    },
    subjects: {
      type: 'string',
      description:
        'bulk: JSONL lines {subject, programme?, account_only?, reason?}; --programme, --account-only and --reason apply to lines without their own',
      valueHint: 'FILE',
    },
  },
  async run({ args }) {
    if (!args.subject === !args.subjects)
      throw new InputError('give exactly one of --subject ID or --subjects FILE', 'E_USAGE');
    checkReceiptPath(args.out);
    const home = await openHome(homeDir(args));
    try {
      if (args.subject) {
        const r = await home.registry.object({
          subject: args.subject,
          programme: args.programme,
          accountOnly: args['account-only'] === true,
          channel: 'cli',
          ...(args.reason ? { reason: args.reason } : {}),
        });
        emitReceipt(r.receipt, args.out);
        const late = Object.entries(r.receipt.late)
          .filter(([, v]) => v)
          .map(([k]) => k);
        info(
          `${r.created ? 'objection is effective' : 'an effective objection already exists; here is its receipt'}: ` +
            `${r.objection.id}, log index ${r.receipt.leaf_index}` +
            (late.length ? `; late for ${late.join(', ')} (covers only future training there)` : ''),
        );
        return EXIT.ok;
      }
      const defaults: ObjectionRequest = {
        subject: '',
        programme: args.programme,
        accountOnly: args['account-only'] === true,
        channel: 'cli',
        ...(args.reason ? { reason: args.reason } : {}),
      };
      return await bulk(home, args.subjects as string, defaults, args.out);
    } finally {
      await home.close();
    }
  },
});

async function bulk(
  home: Awaited<ReturnType<typeof openHome>>,
  file: string,
  defaults: ObjectionRequest,
  out: string | undefined,
): Promise<number> {
  if (defaults.programme !== '*' && !home.config.programmes.some((p) => p.id === defaults.programme)) {
    throw new InputError(`unknown programme "${defaults.programme}"`, 'E_UNKNOWN_PROGRAMME');
  }
  home.registry.checkReason(defaults.reason);
  // CR LF and bare CR line ends are taken too, as by identities import (readUserFile drops a byte order mark).
  const lines = readUserFile(file, 'subjects').split(/\r\n|\r|\n/);
  if (lines.every((l) => l.trim() === '')) {
    throw new InputError(
      `${file} holds no lines: nothing to file (one JSON object per line, {"subject": ID})`,
      'E_INPUT',
    );
  }
  const good: ObjectionRequest[] = [];
  let bad = 0;
  for (const [i, text] of lines.entries()) {
    if (text.trim() === '') continue;
    const problem = await checkLine(home, text, defaults, good);
    if (problem) {
      bad++;
      info(`${file}:${i + 1}: ${problem}`);
    }
  }
  if (good.length === 0) {
    // No receipt to keep: an empty --out file would only make the same command, run again once the lines are fixed,
    // refuse to write over it.
    info(`nothing filed: all ${bad} lines are bad`);
    return setExitCode(EXIT.usage);
  }
  const results = await home.registry.objectMany(good);
  // One line a receipt, made as it is written: joined into one string, a large bulk's receipts would pass the longest
  // string JavaScript holds, and the command would fail after filing them all, printing none.
  emitText(
    {
      *[Symbol.iterator]() {
        for (const r of results) yield `${JSON.stringify(r.receipt)}\n`;
      },
    },
    out,
  );
  const created = results.filter((r) => r.created).length;
  info(`${created} new objections, ${results.length - created} already effective, ${bad} bad lines; one group commit`);
  return setExitCode(bad > 0 ? EXIT.usage : EXIT.ok);
}

/** The fields of a --subjects line, and names people give them (folded: lower case, letters only). */
const BULK_FIELDS = ['subject', 'programme', 'account_only', 'reason'] as const;
const BULK_ALIASES: Record<string, string> = {
  program: 'programme',
  programm: 'programme',
  accountonly: 'account_only',
  scope: 'account_only',
  subjectid: 'subject',
};
const foldKey = (key: string) => key.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Why a line with a key it does not know is refused: a misspelt account_only or programme, taken without a word, would
 * file a wider objection than the line asks for. The key itself is never named: it could be data.
 */
function unknownKeyProblem(v: object): string | undefined {
  const unknown = Object.keys(v).filter((k) => !(BULK_FIELDS as readonly string[]).includes(k));
  if (unknown.length === 0) return undefined;
  for (const key of unknown) {
    const meant = BULK_FIELDS.find((f) => foldKey(f) === foldKey(key)) ?? BULK_ALIASES[foldKey(key)];
    if (meant) return `an unknown field (did you mean ${meant}?)`;
  }
  return `${unknown.length === 1 ? 'an unknown field' : `${unknown.length} unknown fields`} (the fields are ${BULK_FIELDS.join(', ')})`;
}

async function checkLine(
  home: Awaited<ReturnType<typeof openHome>>,
  text: string,
  defaults: ObjectionRequest,
  good: ObjectionRequest[],
): Promise<string | undefined> {
  let v: { subject?: unknown; programme?: unknown; account_only?: unknown; reason?: unknown };
  try {
    v = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  if (typeof v !== 'object' || v === null || typeof v.subject !== 'string')
    return 'field subject: missing or not a string';
  const unknown = unknownKeyProblem(v);
  if (unknown) return unknown;
  if (v.programme !== undefined && typeof v.programme !== 'string') return 'field programme: not a string';
  if (v.account_only !== undefined && typeof v.account_only !== 'boolean') return 'field account_only: not true/false';
  if (v.reason !== undefined && typeof v.reason !== 'string') return 'field reason: not a string';
  const programme = (v.programme as string | undefined) ?? defaults.programme ?? '*';
  const accountOnly = (v.account_only as boolean | undefined) ?? defaults.accountOnly === true;
  const reason = (v.reason as string | undefined) ?? defaults.reason;
  if (programme !== '*' && !home.config.programmes.some((p) => p.id === programme)) return 'unknown programme';
  let resolved: ResolvedSubject;
  try {
    home.registry.checkReason(reason);
    resolved = await home.registry.resolveSubject(v.subject, accountOnly);
  } catch (e) {
    return e instanceof InputError ? e.message : 'cannot resolve subject';
  }
  // The subject as checked here: an identity import running meanwhile cannot make the whole group fail.
  good.push({ subject: v.subject, programme, accountOnly, channel: 'cli', resolved, ...(reason ? { reason } : {}) });
  return undefined;
}
