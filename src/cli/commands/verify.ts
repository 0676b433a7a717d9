import { statSync } from 'node:fs';
import { defineCommand } from 'citty';
import { openCheckpoint } from '../../log/checkpoint.ts';
import { fromBase64 } from '../../log/hash.ts';
import { NoteError, parseVerifierKey, type Verifier } from '../../log/note.ts';
import { verifyConsistency } from '../../log/proofs.ts';
import { type Check, type ReceiptVerdict, verifyReceipt } from '../../log/receipt.ts';
import { verifySnapshot } from '../../pipeline/verify-snapshot.ts';
import { InputError } from '../../shared/errors.ts';
import { out } from '../_common.ts';
import { readKeyArg, readUserFile } from '../_receipt-io.ts';
import { EXIT, setExitCode } from '../_run.ts';

const keyArg = {
  key: {
    type: 'string',
    description: 'verifier key string (from "dissent log key"), or a file holding it',
    valueHint: 'VKEY',
    required: true,
  },
  debug: { type: 'boolean', description: 'show stack traces on errors' },
} as const;

function verifier(value: string): Verifier {
  try {
    const key = readKeyArg(value);
    // The home's log.key sits next to the config and is a file, as --key allows: say what to pass instead.
    if (key.startsWith('PRIVATE+KEY+')) {
      throw new InputError(
        'the --key given is a secret signing key, not a verifier key; pass the verifier key that "dissent log key" prints (for a programme that signs its snapshots with a key_file of its own: "dissent log key --programme ID"), and keep the signing key secret',
        'E_KEY',
      );
    }
    return parseVerifierKey(key);
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(`the verifier key is malformed: ${(cause as Error).message}`, 'E_KEY', { cause });
  }
}

/** A check as `name: detail`. */
function checkText(c: Check): string {
  return `${c.name}${c.detail ? `: ${c.detail}` : ''}`;
}

function report(checks: readonly Check[]): number {
  for (const c of checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${checkText(c)}`);
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  out(ok ? 'VALID' : 'INVALID');
  return setExitCode(ok ? EXIT.ok : EXIT.checkFailed);
}

/**
 * One line per receipt of a JSON Lines file: ok, or its first failed check; then the verdict for the whole file. A
 * valid receipt of a withdrawal says so on its line and in the verdict: it proves as well as an objection's, and a
 * file of receipts must not pass for a file of objections when some of its lines withdraw them.
 */
function reportMany(results: readonly { line: number; verdict: Pick<ReceiptVerdict, 'checks' | 'event'> }[]): number {
  let failed = 0;
  let withdrawals = 0;
  for (const { line, verdict } of results) {
    const bad = verdict.checks.find((c) => !c.ok);
    if (bad || verdict.checks.length === 0) failed++;
    if (bad) {
      out(`FAIL line ${line}: ${checkText(bad)}`);
    } else if (verdict.event?.type === 'withdrawal') {
      withdrawals++;
      const leaf = verdict.checks.find((c) => c.name === 'leaf');
      out(`ok   line ${line}: ${leaf?.detail ?? 'a WITHDRAWAL'}`);
    } else {
      out(`ok   line ${line}`);
    }
  }
  const ofThem =
    withdrawals === 0
      ? ''
      : `; ${withdrawals} of them ${withdrawals === 1 ? 'records a WITHDRAWAL' : 'record WITHDRAWALS'}, not an objection`;
  out(
    failed === 0
      ? `VALID (all ${results.length} receipts${ofThem})`
      : `INVALID (${failed} of ${results.length} receipts failed${ofThem})`,
  );
  return setExitCode(failed === 0 ? EXIT.ok : EXIT.checkFailed);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const receipt = defineCommand({
  meta: {
    name: 'receipt',
    description: 'Check a receipt offline: subject commitment, signed checkpoint, inclusion proof.',
  },
  args: {
    file: {
      type: 'positional',
      description: 'receipt JSON file, or a JSON Lines file of receipts (as "dissent object --subjects" writes)',
      required: true,
    },
    ...keyArg,
    origin: {
      type: 'string',
      description: "require the log's origin (the checkpoint's first line): a key may sign more than one log",
      valueHint: 'ORIGIN',
    },
  },
  run({ args }) {
    const v = verifier(args.key);
    const origin = args.origin as string | undefined;
    const text = readUserFile(args.file, 'receipt');
    const json = parseJson(text);
    if (json !== undefined) return report(verifyReceipt(json, v, origin).checks);
    const lines = text
      .split('\n')
      .flatMap((line, i) => (line.trim() === '' ? [] : [{ line: i + 1, json: parseJson(line) }]));
    // JSON Lines when there are several lines and one of them at least is a receipt: a damaged line (cut off, or
    // garbage after it) fails on its own, and the others are still checked.
    // A line of a pretty-printed receipt may parse on its own (the last proof hash, `"…="`): only an object counts.
    const isObject = (j: unknown) => typeof j === 'object' && j !== null && !Array.isArray(j);
    if (lines.length < 2 || !lines.some((l) => isObject(l.json))) {
      return report([
        { name: 'format', ok: false, detail: 'the receipt is not valid JSON (nor JSON Lines of receipts)' },
      ]);
    }
    return reportMany(
      lines.map((l) => ({
        line: l.line,
        verdict:
          l.json === undefined
            ? { checks: [{ name: 'format', ok: false, detail: 'this line is not valid JSON' }] }
            : verifyReceipt(l.json, v, origin),
      })),
    );
  },
});

function checkpointCheck(
  name: string,
  file: string,
  v: Verifier,
): { check: Check; cp?: ReturnType<typeof openCheckpoint> } {
  const text = readUserFile(file, 'checkpoint');
  try {
    // A note ends in one newline; tools that save it (`jq -r`, editors) often add another, which is not signed.
    const cp = openCheckpoint(text.replace(/\n\n+$/, '\n'), v);
    return { check: { name, ok: true, detail: `${cp.origin}, size ${cp.size}` }, cp };
  } catch (e) {
    if (!(e instanceof NoteError)) throw e;
    // The receipt itself, where the checkpoint in it was meant (docs/verifying.md takes it out with jq first).
    const receipt = parseJson(text) as { checkpoint?: unknown; leaf?: unknown } | undefined;
    if (typeof receipt?.checkpoint === 'string' && typeof receipt.leaf === 'string') {
      const detail = `${file} is a receipt, not a checkpoint: take its checkpoint out with jq -j .checkpoint ${file} > then.txt`;
      return { check: { name, ok: false, detail } };
    }
    return { check: { name, ok: false, detail: e.message } };
  }
}

const checkpoint = defineCommand({
  meta: { name: 'checkpoint', description: 'Check that a checkpoint is a well-formed note signed by the key.' },
  args: { file: { type: 'positional', description: 'signed checkpoint file', required: true }, ...keyArg },
  run({ args }) {
    return report([checkpointCheck('checkpoint', args.file, verifier(args.key)).check]);
  },
});

const consistency = defineCommand({
  meta: {
    name: 'consistency',
    description: 'Check that the NEW checkpoint extends the OLD one, with a proof from "dissent log consistency".',
  },
  args: {
    old: { type: 'positional', description: 'older signed checkpoint file', required: true },
    new: { type: 'positional', description: 'newer signed checkpoint file', required: true },
    proof: { type: 'string', description: 'consistency proof JSON {from,to,proof}', valueHint: 'FILE', required: true },
    ...keyArg,
  },
  run({ args }) {
    const v = verifier(args.key);
    const a = checkpointCheck('old checkpoint', args.old, v);
    const b = checkpointCheck('new checkpoint', args.new, v);
    const checks: Check[] = [a.check, b.check];
    if (!a.cp || !b.cp) return report(checks);
    const p = parseJson(readUserFile(args.proof, 'proof')) as
      | { from?: unknown; to?: unknown; proof?: unknown }
      | undefined;
    // Sizes given as strings would otherwise be reported as "the proof is for sizes 3→5, not 3→5".
    if (
      !p ||
      typeof p.from !== 'number' ||
      typeof p.to !== 'number' ||
      !Array.isArray(p.proof) ||
      !p.proof.every((x) => typeof x === 'string')
    ) {
      return report([
        ...checks,
        { name: 'consistency', ok: false, detail: 'the proof file is not {from,to,proof:[base64]}' },
      ]);
    }
    if (p.from !== a.cp.size || p.to !== b.cp.size) {
      return report([
        ...checks,
        {
          name: 'consistency',
          ok: false,
          detail: `the proof is for sizes ${p.from}→${p.to}, not ${a.cp.size}→${b.cp.size}`,
        },
      ]);
    }
    if (a.cp.origin !== b.cp.origin) {
      return report([...checks, { name: 'consistency', ok: false, detail: 'the checkpoints are from different logs' }]);
    }
    let hashes: Uint8Array[];
    try {
      hashes = (p.proof as string[]).map(fromBase64);
    } catch {
      return report([...checks, { name: 'consistency', ok: false, detail: 'a proof hash is not base64' }]);
    }
    const ok = verifyConsistency(a.cp.size, b.cp.size, hashes, a.cp.root, b.cp.root);
    return report([
      ...checks,
      ok
        ? { name: 'consistency', ok, detail: `size ${a.cp.size} is a prefix of size ${b.cp.size}` }
        : {
            name: 'consistency',
            ok,
            detail: 'the proof does not link the two roots: the log was rewritten or the proof is wrong',
          },
    ]);
  },
});

const snapshot = defineCommand({
  meta: {
    name: 'snapshot',
    description:
      "Audit a snapshot folder: the manifest's signature and counts, every listed file's sha256 (and no unlisted one beside them), the Merkle root recomputed from the shards, and the signed cut.",
  },
  args: {
    dir: { type: 'positional', description: 'snapshot folder (holds manifest.json and manifest.sig)', required: true },
    ...keyArg,
    'log-key': {
      type: 'string',
      description:
        "the log's verifier key, for the cut, when the programme signs with a key of its own (default: --key)",
      valueHint: 'VKEY',
    },
    programme: {
      type: 'string',
      description: 'require the programme the manifest is signed for: a key may sign more than one programme',
      valueHint: 'ID',
    },
    origin: {
      type: 'string',
      description:
        "require the log's origin in the cut (the checkpoint's first line): a key may sign more than one log",
      valueHint: 'ORIGIN',
    },
  },
  async run({ args }) {
    const key = verifier(args.key);
    // A folder that is not there could not be read (exit 2), like a receipt file that is not there.
    if (!statSync(args.dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new InputError(
        `cannot read the snapshot folder ${args.dir}: it does not exist or is not a folder`,
        'E_READ',
      );
    }
    const checks = await verifySnapshot(args.dir, key, args['log-key'] ? verifier(args['log-key']) : key, {
      programme: args.programme as string | undefined,
      origin: args.origin as string | undefined,
    });
    // A programme with a key_file of its own signs its manifests with it, while the cut is always the log's: without
    // --log-key the cut of a genuine snapshot fails, and the auditor must learn which key to add, not suspect forgery.
    const cut = checks.at(-1);
    if (!args['log-key'] && cut?.name === 'cut' && !cut.ok && cut.detail?.startsWith('note is not signed by key')) {
      return report([
        ...checks.slice(0, -1),
        {
          ...cut,
          detail: `${cut.detail}; when the programme signs its manifests with a key of its own, give the log's verifier key with --log-key`,
        },
      ]);
    }
    return report(checks);
  },
});

export default defineCommand({
  meta: {
    name: 'verify',
    description: 'Offline checks of receipts, checkpoints, consistency and snapshots; no home needed.',
  },
  subCommands: { receipt, checkpoint, consistency, snapshot },
});
