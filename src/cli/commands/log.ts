import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { programmeById } from '../../config/config.ts';
import { manifestSigner, openHome, writeSignerKey } from '../../config/home.ts';
import { isValidName, verifierKeyOf } from '../../log/note.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';

function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InputError(`${name} must be a non-negative integer`, 'E_USAGE');
  // Past 2^53 a number is rounded, and the error would name another index or size than the one asked for.
  if (!Number.isSafeInteger(Number(value))) throw new InputError(`${name} is too large for any log`, 'E_USAGE');
  return Number(value);
}

async function withHome<T>(
  args: { home?: string | undefined },
  fn: (h: Awaited<ReturnType<typeof openHome>>) => Promise<T>,
) {
  // The log's commands only read: they show a registry restored from an older backup (with a warning), so that its
  // size can be compared with the published checkpoints.
  const home = await openHome(homeDir(args), { readOnly: true });
  try {
    return await fn(home);
  } finally {
    await home.close();
  }
}

const checkpoint = defineCommand({
  meta: { name: 'checkpoint', description: 'Print the latest signed checkpoint (C2SP signed note).' },
  args: { ...commonArgs },
  run: ({ args }) => withHome(args, async (h) => process.stdout.write((await h.registry.latestCheckpoint()).note)),
});

const key = defineCommand({
  meta: { name: 'key', description: 'Print the verifier key string: name+keyhash+base64(0x01||pubkey).' },
  args: {
    ...commonArgs,
    programme: {
      type: 'string',
      description:
        "the key that signs this programme's snapshot manifests instead: its key_file's, or the log's when it has none",
      valueHint: 'ID',
    },
  },
  run: ({ args }) =>
    withHome(args, async (h) => {
      const programme = args.programme === undefined ? undefined : programmeById(h.config, args.programme);
      out(verifierKeyOf(programme ? manifestSigner(programme, h.signer) : h.signer));
    }),
});

const keygen = defineCommand({
  meta: {
    name: 'keygen',
    description:
      "Write a new Ed25519 signing key (mode 0600, never over an existing file) for a programme's snapshot manifests, and print its verifier key.",
  },
  args: {
    out: { type: 'string', description: 'the key file to write', valueHint: 'FILE', required: true },
    name: {
      type: 'string',
      description: 'the key name verifiers see, e.g. example.org/dissent/ai-training-2025 (no spaces or "+")',
      valueHint: 'NAME',
      required: true,
    },
    debug: commonArgs.debug,
  },
  run: ({ args }) => {
    if (!isValidName(args.name)) throw new InputError('--name must be non-empty, with no spaces or "+"', 'E_USAGE');
    let verifier: string;
    try {
      verifier = writeSignerKey(args.out, args.name);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EEXIST')
        throw new InputError(`${args.out} exists; a key is never written over`, 'E_EXISTS', { cause: e });
      throw new InputError(`cannot write ${args.out} (${code ?? 'error'})`, 'E_KEY', { cause: e });
    }
    out(verifier);
    // Absolute: the config reads a relative key_file from the home folder, not from where this command ran.
    info(
      `wrote ${resolve(args.out)}; to sign a programme's manifests with it, set key_file: ${resolve(args.out)} on that programme in dissent.config.yaml, and publish the verifier key above`,
    );
  },
});

const entry = defineCommand({
  meta: { name: 'entry', description: 'Print the leaf (canonical JSON event) at index N.' },
  args: { ...commonArgs, n: { type: 'positional', description: 'leaf index', required: true } },
  run: ({ args }) => withHome(args, async (h) => out(await h.registry.entry(intArg(args.n, 'N') as number))),
});

const prove = defineCommand({
  meta: { name: 'prove', description: 'Print the inclusion proof of leaf N as JSON {index,size,root,proof}.' },
  args: {
    ...commonArgs,
    n: { type: 'positional', description: 'leaf index', required: true },
    size: { type: 'string', description: 'tree size to prove against (default: latest checkpoint)', valueHint: 'M' },
  },
  run: ({ args }) =>
    withHome(args, async (h) =>
      out(JSON.stringify(await h.registry.inclusionProof(intArg(args.n, 'N') as number, intArg(args.size, '--size')))),
    ),
});

const consistency = defineCommand({
  meta: {
    name: 'consistency',
    description: 'Print the consistency proof from size M to size N as JSON {from,to,proof}.',
  },
  args: {
    ...commonArgs,
    m: { type: 'positional', description: 'older tree size', required: true },
    n: { type: 'positional', description: 'newer tree size (default: latest checkpoint)', required: false },
  },
  run: ({ args }) =>
    withHome(args, async (h) =>
      out(JSON.stringify(await h.registry.consistencyProof(intArg(args.m, 'M') as number, intArg(args.n, 'N')))),
    ),
});

export default defineCommand({
  meta: {
    name: 'log',
    description: 'Read the signed transparency log (checkpoints, entries, proofs, keys); make a programme key.',
  },
  subCommands: { checkpoint, key, keygen, entry, prove, consistency },
});
