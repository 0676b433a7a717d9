import { createHash, randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { programmeById } from '../config/config.ts';
import { type Home, manifestSigner } from '../config/home.ts';
import { parseCheckpoint } from '../log/checkpoint.ts';
import { sha256 } from '../log/hash.ts';
import type { Signer } from '../log/note.ts';
import { sqlString } from '../policy/compile-sql.ts';
import { parsePolicy } from '../policy/load.ts';
import { QUARANTINE_REASONS } from '../policy/reasons.ts';
import { expandJurisdictions, type Policy, reasonsOf, withinProgramme } from '../policy/schema.ts';
import { badAccountsError, importAccounts, movedWarning } from '../registry/identities.ts';
import { DissentError, InputError, RefusedError } from '../shared/errors.ts';
import { type Engine, openEngine } from './_duckdb.ts';
import { classify, textNeededSql } from './classify.ts';
import { convertExports, type InputFile, type InputScan, isGzip, listInputs, scanInput, sha256File } from './inputs.ts';
import {
  isAtomicTemp,
  type Journal,
  markDone,
  readJournal,
  type Stage,
  saveJournal,
  WORK_DIR,
  writeFilesAtomic,
} from './journal.ts';
import {
  formatManifest,
  type Manifest,
  type ManifestInput,
  MERKLE_ALGORITHM,
  RECORD_HASH_SPEC,
  signManifest,
} from './manifest.ts';
import { merkleRootSql } from './merkle-sql.ts';
import { objectingSubjects } from './objections.ts';
import {
  createReadTables,
  readBufferBytes,
  readJsonl,
  readJsonlFast,
  readParquet,
  recordExportRejects,
} from './read.ts';
import { loadRegistryTables } from './registry-tables.ts';
import { transform } from './transform.ts';
import { buildFinal, type ShardInfo, writeLineage, writeQuarantine, writeShards } from './writer.ts';

/** What a build is asked to do. */
export interface BuildOptions {
  readonly home: Home;
  readonly programme: string;
  /** Files or folders of canonical JSONL(.gz)/Parquet, or `FORMAT:PATH[@ACCOUNT]` platform exports. */
  readonly inputs: readonly string[];
  /** The snapshot folder. */
  readonly out: string;
  /** A policy file instead of the programme's. */
  readonly policyFile?: string;
  /** An accounts JSONL file imported into the registry before the build. */
  readonly accountsFile?: string;
  /** Owner of export inputs given without `@ACCOUNT`. */
  readonly account?: string;
  /** Engine threads; the output is the same whatever the value. Default: the machine's cores. */
  readonly threads?: number;
  /** Engine memory limit, e.g. `512MB` (the default) or `2GB`; the engine spills to disk above it. */
  readonly memoryLimit?: string;
  /** Rows per Parquet shard (default 250,000). */
  readonly shardRows?: number;
  /** Lines longer than this are quarantined (default 1 MiB). */
  readonly maxLineBytes?: number;
  /** Start over in a snapshot folder that holds a different or finished build. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: BuildProgress) => void;
}

/** A progress event: a stage started, or moved on by `done` of `total` units. */
export interface BuildProgress {
  readonly stage: Stage;
  readonly message?: string;
  readonly done?: number;
  readonly total?: number;
  readonly unit?: 'bytes' | 'shards';
  /** Records read so far (while reading: counted after each file, estimated within one from its line count). */
  readonly records?: number;
}

/** The outcome of a build, for the summary table and for callers such as the demo. */
export interface BuildSummary {
  readonly snapshot: string;
  readonly out: string;
  readonly programme: string;
  readonly cutSize: number;
  readonly read: number;
  readonly kept: number;
  readonly excluded: Readonly<Record<string, number>>;
  readonly quarantined: number;
  readonly shards: number;
  readonly root: string;
  readonly manifestSha256: string;
  readonly inputBytes: number;
  readonly seconds: number;
  /** True when this run resumed an interrupted build; `alreadyBuilt` when there was nothing left to do. */
  readonly resumed: boolean;
  readonly alreadyBuilt: boolean;
  /** What the operator should know although the build succeeded (an empty identity graph, no records). */
  readonly warnings: readonly string[];
}

const DEFAULT_SHARD_ROWS = 250_000;
/**
 * The engine's memory limit unless `--memory` says otherwise. The process needs up to about 750 MB beyond it (Node,
 * the engine's allocations outside its buffer pool, which vary from run to run), so the default keeps a build of 10M
 * records under 1.5 GB with room to spare: 1.15-1.2 GB measured at 512MB, against 1.31-1.41 GB at 640MB.
 */
export const DEFAULT_MEMORY = '512MB';
const DEFAULT_MAX_LINE = 1 << 20;
/**
 * The layout of the engine's work tables. Part of a build's fingerprint, so that a build interrupted under an older
 * layout is refused (with advice to pass --force) instead of resumed into tables that are not there.
 */
const WORK_FORMAT = 4;

interface PlanData {
  /** `takenAt`: when this build pinned the cut (absent in a journal of an older version). */
  cut: { size: number; note: string; takenAt?: string };
  /** Existing accounts the --accounts file gave another person (absent in a journal of an older version). */
  accountsMoved?: number;
  inputs: InputFile[];
  policy: { file: string; sha256: string; text: string };
  accounts: number;
  objectorAccounts: number;
  /** Persons with an objection in force and no account in the identity graph (absent in an older journal). */
  personsWithoutAccounts?: number;
}

/**
 * Builds a training snapshot for one programme: pins the registry cut, applies the policy in SQL, redacts, dedups
 * and writes shards, lineage, quarantine and a signed manifest, then records the snapshot in the registry. Killed
 * and run again with the same options, it resumes from the last finished stage.
 * @example const summary = await runBuild({ home, programme: 'ai-training-2025', inputs: ['posts.jsonl'], out: 'snap' })
 */
export async function runBuild(opts: BuildOptions): Promise<BuildSummary> {
  try {
    return await buildSnapshot(opts);
  } catch (error) {
    throw outWriteError(error, resolve(opts.out)) ?? error;
  }
}

/** What a file system error that stops a build from writing its folder means, and what to do about it. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * A failure to write the snapshot folder (a full disk, a read-only file system), said as such: Node's own message
 * ("ENOSPC: no space left on device, write") names neither the folder nor what to do. Only errors of a write in the
 * folder (or of a write that names no path) are meant; the registry reports its own.
 */
function outWriteError(error: unknown, out: string): DissentError | undefined {
  const e = error as NodeJS.ErrnoException;
  const what = e instanceof Error && e.code !== undefined ? WRITE_FAILURES[e.code] : undefined;
  if (what === undefined || error instanceof DissentError) return undefined;
  // The folder, a file in it, or a folder above it that the build had to create for it.
  const path = e.path === undefined ? undefined : resolve(e.path);
  if (path !== undefined && path !== out && !path.startsWith(`${out}/`) && !out.startsWith(`${path}/`))
    return undefined;
  return new DissentError(
    `cannot write in the snapshot folder ${out}: ${what}; free space or make the folder writable, then run the same command again (a build resumes from its last finished stage), or choose another --out`,
    'E_OUT_WRITE',
    { cause: error },
  );
}

async function buildSnapshot(opts: BuildOptions): Promise<BuildSummary> {
  const started = Date.now();
  const out = resolve(opts.out);
  const work = join(out, WORK_DIR);
  const programme = programmeById(opts.home.config, opts.programme);
  const shardRows = opts.shardRows ?? DEFAULT_SHARD_ROWS;
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  if (!Number.isInteger(shardRows) || shardRows < 1) throw new InputError('--shard-rows must be a positive integer');
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1024) {
    throw new InputError('--max-line-bytes must be an integer of at least 1024');
  }
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new InputError('--threads must be a positive integer');
  if (opts.memoryLimit !== undefined && !/^\d+(\.\d+)?(e\d+)?\s*([KMGT]i?B?|B)$/i.test(opts.memoryLimit)) {
    throw new InputError('--memory must be a size such as 512MB, 2GB or 1.5GiB', 'E_USAGE');
  }
  const progress = (p: BuildProgress) => opts.onProgress?.(p);

  const policyFile = resolve(opts.policyFile ?? programme.policy);
  let policyText: string;
  try {
    policyText = readFileSync(policyFile, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the policy ${policyFile}`, 'E_POLICY', { cause });
  }
  const narrowed = withinProgramme(parsePolicy(policyText, policyFile), programme.jurisdictions);
  const policy = narrowed.policy;
  if (expandJurisdictions(policy.jurisdictions).length === 0) {
    throw new InputError(
      `the policy ${policyFile} allows no country that programme ${programme.id} was announced for (${programme.jurisdictions.join(', ')}): nothing could be used`,
      'E_POLICY',
    );
  }
  const ignored: string[] = [];
  const listed = listInputs(opts.inputs, {
    workDir: work,
    outDir: out,
    onIgnored: (p) => ignored.push(p),
    ...(opts.account ? { account: opts.account } : {}),
  });
  const fingerprint = sha256Hex(
    JSON.stringify({
      programme: programme.id,
      policy: sha256Hex(policyText),
      // The programme's jurisdictions narrow the policy's: another config is another build.
      ...(narrowed.dropped.length > 0 ? { jurisdictions: policy.jurisdictions } : {}),
      inputs: listed.map((f) => [
        f.path,
        f.format,
        f.bytes,
        f.mtimeMs,
        f.export?.format,
        f.export?.account,
        ...(f.contents ? [f.contents] : []),
      ]),
      shardRows,
      maxLineBytes,
      work: WORK_FORMAT,
      // The plan stage imports it: a resume past the plan with another accounts file would never import that one.
      ...(opts.accountsFile ? { accounts: fileIdentity(opts.accountsFile) } : {}),
    }),
  );

  const outExisted = existsSync(out);
  const journal = prepareOutDir(out, fingerprint, opts.force === true);
  // A build refused before it finished a stage (a bad --accounts file, too early) holds nothing worth resuming: it
  // leaves no work folder behind, nor the snapshot folder when it made that.
  const forgetUnstarted = () => {
    if (Object.keys(journal.stages).length > 0) return;
    rmSync(work, { recursive: true, force: true });
    if (!outExisted && readdirSync(out).length === 0) rmSync(out, { recursive: true, force: true });
  };
  if (journal.stages.finish) {
    // A build killed after it finished, before it removed its engine database (which holds record text), leaves it
    // behind: it goes now.
    if (existsSync(work)) removeEngineFiles(work);
    return { ...summaryFromManifest(out, programme.id, started, true), warnings: journal.warnings ?? [] };
  }
  // The manifest is signed last: a programme key that cannot be read is refused now, before the work, not after it.
  let signer: Signer;
  try {
    signer = manifestSigner(programme, opts.home.signer);
  } catch (error) {
    forgetUnstarted();
    throw error;
  }
  // A refused or finished build leaves the identity graph alone: --accounts is imported in the plan stage, after
  // the checks above, the deadline's and the exports' conversion.
  if (!journal.stages.plan) {
    await refuseEarlyFirstSnapshot(opts.home, programme.id, programme.deadline, programme.grace_window).catch(
      (error: unknown) => {
        forgetUnstarted();
        throw error;
      },
    );
  }
  const resumed = Object.keys(journal.stages).length > 0;
  // The time between a kill and the resume is not the build's: earlier runs' work plus this run's. A journal of an
  // older dissent keeps no worked_ms: its finished stages' times stand for it, lest total be less than their sum.
  const workedBefore =
    journal.worked_ms ??
    Object.values(journal.stages).reduce((sum, s) => sum + ((s?.data as { ms?: number } | undefined)?.ms ?? 0), 0);
  const worked = () => workedBefore + (Date.now() - started);
  if (resumed) progress({ stage: 'plan', message: 'resuming an interrupted build' });

  mkdirSync(join(work, 'tmp'), { recursive: true });
  const unlock = lock(work);
  let db: Engine | undefined;
  // Hashing the inputs keeps a core busy for seconds: started here, it overlaps the plan stage's registry work instead
  // of competing with the engine in the read stage. Exports are converted during the plan and hashed in the read.
  const hashAbort = new AbortController();
  // One listener per input stream: many inputs are normal, not a leak.
  setMaxListeners(0, hashAbort.signal);
  const earlyHashes = new Map<string, Promise<InputScan>>();
  if (!journal.stages.read) {
    for (const f of listed.filter((x) => !x.export)) {
      const hashing = scanInput(f, hashAbort.signal);
      hashing.catch(() => {});
      earlyHashes.set(f.read, hashing);
    }
  }
  const onAbort = () => {
    hashAbort.abort();
    db?.conn.interrupt();
  };
  opts.signal?.addEventListener('abort', onAbort);
  try {
    db = await openEngine({
      file: join(work, 'build.duckdb'),
      threads,
      memoryLimit: opts.memoryLimit ?? DEFAULT_MEMORY,
      tempDir: join(work, 'tmp'),
    });
    const timings: Record<string, number> = {};
    const stage = async <T>(name: Stage, fn: () => Promise<T>): Promise<T | undefined> => {
      const done = journal.stages[name];
      if (done) {
        timings[name] = (done.data as { ms?: number } | undefined)?.ms ?? 0;
        return (done.data as { value?: T } | undefined)?.value;
      }
      opts.signal?.throwIfAborted();
      progress({ stage: name });
      // Only the read needs the engine to keep rows in scan order (rowids are line numbers there). Every later stage
      // orders explicitly by key, and without the constraint the engine runs more in parallel and spills sooner.
      await db!.run(`SET preserve_insertion_order = ${name === 'read' ? 'true' : 'false'}`);
      const t0 = Date.now();
      const value = await fn();
      await db!.run('CHECKPOINT');
      timings[name] = Date.now() - t0;
      journal.worked_ms = worked();
      markDone(out, journal, name, { ms: timings[name], value });
      return value;
    };

    const plan = (await stage('plan', async (): Promise<PlanData> => {
      // Exports first: a refusal there (a wrong format) must come before the identity graph is changed.
      if (listed.some((f) => f.export)) progress({ stage: 'plan', message: 'converting platform exports' });
      const inputs = await convertExports(listed, opts.signal);
      let accountsMoved = 0;
      if (opts.accountsFile) {
        progress({ stage: 'plan', message: 'importing accounts' });
        accountsMoved = await importAccountsFile(opts.home, opts.accountsFile, opts.signal);
      }
      const cutRow = await opts.home.registry.latestCheckpoint();
      const size = parseCheckpoint(noteBody(cutRow.note)).size;
      const events = await opts.home.store.subjectEventsBefore(size);
      const objecting = objectingSubjects(events, programme.id);
      const loaded = await loadRegistryTables(db!, opts.home.store.accountLines(5000), objecting, {
        tempFile: join(work, 'accounts.jsonl'),
      });
      await db!.run(`DROP TABLE IF EXISTS input_files; CREATE TABLE input_files (file INTEGER, path VARCHAR);`);
      const app = await db!.conn.createAppender('input_files');
      inputs.forEach((f, i) => {
        app.appendInteger(i);
        app.appendVarchar(f.path);
        app.endRow();
      });
      app.closeSync();
      return {
        cut: { size, note: cutRow.note, takenAt: opts.home.registry.now() },
        accountsMoved,
        inputs,
        policy: { file: policyFile, sha256: sha256Hex(policyText), text: policyText },
        ...loaded,
      };
    })) as PlanData;
    const inputs = plan.inputs.map((f) => ({ ...f, bytes: f.export ? statSync(f.read).size : f.bytes }));
    const inputBytes = inputs.reduce((a, f) => a + f.bytes, 0);

    const hashes = (await stage('read', async () => {
      const scanning = inputs.map((f) => earlyHashes.get(f.read) ?? scanInput(f, hashAbort.signal));
      const hashing = Promise.all(scanning);
      hashing.catch(() => {});
      // A scan that has already finished tells before the read whether the fast reader can take the file.
      const scanned: (InputScan | undefined)[] = [];
      scanning.forEach((p, i) => {
        p.then(
          (s) => {
            scanned[i] = s;
          },
          () => {},
        );
      });
      const textNeeded = (cols: { source: string; kind: string; visibility: string }) => textNeededSql(policy, cols);
      // JSONL is read the fast way first (readJsonlFast), line by line where that gives up or where the file's scan
      // shows what the fast reader cannot see; then the whole read starts again, so that rows stay in input order.
      const exact = new Set<number>(process.env.DISSENT_TEST_EXACT_READ === '1' ? inputs.keys() : []);
      let fastRead = new Set<number>();
      for (;;) {
        await createReadTables(db!);
        const fast = new Set<number>();
        let before = 0;
        let recordsBefore = 0;
        for (const [index, f] of inputs.entries()) {
          const timer = setInterval(() => {
            const pct = db!.conn.progress.percentage;
            const lines = scanned[index]?.lines;
            if (pct >= 0)
              progress({
                stage: 'read',
                done: before + (f.bytes * pct) / 100,
                total: inputBytes,
                unit: 'bytes',
                ...(lines != null ? { records: recordsBefore + Math.round((lines * pct) / 100) } : {}),
              });
          }, 200);
          try {
            const fileOpts = { index, maxLineBytes, textNeeded };
            if (f.format === 'parquet') await readParquet(db!, f, fileOpts);
            else if (
              !exact.has(index) &&
              !scanMisses(scanned[index], null, maxLineBytes) &&
              (await readJsonlFast(db!, f, fileOpts))
            )
              fast.add(index);
            else {
              opts.signal?.throwIfAborted();
              await readJsonl(db!, f, fileOpts);
            }
            await recordExportRejects(db!, index, f);
          } catch (e) {
            throw gzipRefusal(f, e) ?? e;
          } finally {
            clearInterval(timer);
          }
          before += f.bytes;
          // This file's rows only (the table holds them together, so the scan skips the others'): a count of the
          // whole table after every file would grow with the square of the number of files.
          const [counted] = await db!.rows<{ n: string }>(
            `SELECT count(*) AS n FROM staged_rows WHERE file = ${index} AND NOT blank`,
          );
          recordsBefore += Number(counted?.n ?? 0);
          progress({ stage: 'read', done: before, total: inputBytes, unit: 'bytes', records: recordsBefore });
        }
        const scans = await hashing;
        const again = await fastReadMisses(db!, fast, scans, maxLineBytes);
        if (again.length === 0) {
          await checkEveryLineRead(db!, inputs, scans, maxLineBytes);
          fastRead = fast;
          break;
        }
        for (const i of again) exact.add(i);
        progress({ stage: 'read', message: `reading ${again.length} file(s) again line by line` });
      }
      const scans = await hashing;
      const originals = await Promise.all(
        inputs.map((f) => (f.export && statSync(f.path).isFile() ? sha256File(f.path, opts.signal) : null)),
      );
      // Which inputs the fast reader took: for the journal, where tests (and a curious operator) can see it.
      return { read: scans.map((x) => x.sha256), originals, fast: [...fastRead] };
    })) as { read: string[]; originals: (string | null)[]; fast: number[] };

    await stage('classify', async () => {
      await classify(db!, policy, plan.cut.takenAt);
      return null;
    });
    await stage('transform', async () => transform(db!, policy));

    const written = (await stage('write', async () => {
      const kept = await buildFinal(db!);
      const shards = await writeShards(db!, out, {
        kept,
        shardRows,
        onShard: (done, total) => progress({ stage: 'write', done, total, unit: 'shards' }),
      });
      const lineage = await writeLineage(db!, out, shardRows);
      const quarantine = await writeQuarantine(db!, out);
      const { root, size } = await merkleRootSql(db!, 'final');
      const counts = await countsOf(db!, policy, inputs.length);
      return { shards, lineage, quarantine, root, size, counts };
    })) as {
      shards: ShardInfo[];
      lineage: string;
      quarantine: string;
      root: string;
      size: number;
      counts: Counts;
    };

    const manifestInfo = (await stage('manifest', async () => {
      const createdAt = opts.home.registry.now();
      // The time alone is not unique: two builds of one programme (one per share of the inputs) can finish in the
      // same second, and the registry would record only one of them. The journal keeps the id across a resume.
      const snapshotId = `${programme.id}-${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
      const fileHash = async (rel: string) => {
        const p = join(out, rel);
        return { sha256: await sha256File(p, opts.signal), bytes: statSync(p).size };
      };
      const shards = [];
      for (const s of written.shards) shards.push({ ...s, ...(await fileHash(s.path)) });
      const manifestInputs: ManifestInput[] = inputs.map((f, i) => ({
        path: f.path,
        format: f.export ? f.export.format : f.format,
        bytes: f.export ? statSync(f.path).size : f.bytes,
        sha256: hashes.originals[i] ?? (hashes.read[i] as string),
        read: written.counts.perInput[i] ?? 0,
        export: f.export
          ? { format: f.export.format, account: f.export.account, converted_sha256: hashes.read[i] as string }
          : undefined,
      }));
      const manifest: Manifest = {
        v: 1,
        type: 'dissent-snapshot',
        snapshot: snapshotId,
        created_at: createdAt,
        programme: {
          id: programme.id,
          title: programme.title,
          purpose: programme.purpose,
          legal_basis: programme.legal_basis,
          deadline: programme.deadline.toISOString(),
          jurisdictions: programme.jurisdictions,
        },
        policy: plan.policy,
        cut: {
          size: plan.cut.size,
          checkpoint: plan.cut.note,
          ...(plan.cut.takenAt ? { taken_at: plan.cut.takenAt } : {}),
        },
        inputs: manifestInputs,
        counts: {
          read: written.counts.read,
          kept: written.counts.kept,
          excluded: written.counts.excluded,
          quarantined: written.counts.quarantined,
          quarantined_by_reason: written.counts.quarantinedByReason,
        },
        shards,
        lineage: { path: written.lineage, sha256: (await fileHash(written.lineage)).sha256 },
        quarantine: { path: written.quarantine, sha256: (await fileHash(written.quarantine)).sha256 },
        merkle: { algorithm: MERKLE_ALGORITHM, record_hash: RECORD_HASH_SPEC, size: written.size, root: written.root },
        options: { shard_rows: shardRows, max_line_bytes: maxLineBytes },
        tool: { name: 'dissent', version: pkg.version },
        timings_ms: { ...timings, total: worked() },
      };
      if (
        manifest.counts.read !==
        manifest.counts.kept + sumOf(manifest.counts.excluded) + manifest.counts.quarantined
      ) {
        throw new DissentError('internal error: the counts do not add up; the snapshot was not signed', 'E_COUNTS');
      }
      const text = formatManifest(manifest);
      const manifestSha = sha256Hex(text);
      writeFilesAtomic([
        [join(out, 'manifest.json'), text],
        [join(out, 'manifest.sig'), signManifest(manifest, manifestSha, signer)],
      ]);
      return { snapshot: snapshotId, sha256: manifestSha, createdAt };
    })) as { snapshot: string; sha256: string; createdAt: string };

    const unmatched = await unmatchedPolicyValues(db, policy);
    // With an empty identity graph its own warning says it all.
    const strangers = plan.accounts > 0 ? await ownersNotInGraph(db, inputs) : [];
    const unknownParticipants =
      plan.accounts > 0 && policy.participants !== 'keep' ? await participantsNotInGraph(db) : 0;
    const logSizeNow = resumed ? ((await opts.home.store.latestCheckpoint())?.size ?? 0) : plan.cut.size;
    const warnings = [
      ...(plan.accounts === 0
        ? [
            'the identity graph is empty, so no record could be matched to a person (nor to an objection or an age); import it first with --accounts FILE or "dissent identities import FILE"',
          ]
        : []),
      ...(plan.accountsMoved ? [`--accounts: ${movedWarning(plan.accountsMoved)}`] : []),
      ...(plan.personsWithoutAccounts
        ? [
            `${plan.personsWithoutAccounts === 1 ? '1 person-wide objection in force names a person' : `${plan.personsWithoutAccounts} person-wide objections in force name persons`} that no account of the identity graph belongs to now, so their content is not excluded (but for an account an objection was filed through): were persons renumbered or merged? An objection follows the person id it was filed for`,
          ]
        : []),
      ...(resumed && logSizeNow > plan.cut.size
        ? [
            `this build resumed one pinned to the cut of log size ${plan.cut.size}; the ${logSizeNow - plan.cut.size} log event(s) appended since (objections, withdrawals) are not honoured by this snapshot: they will be by the next one, or start over now with --force`,
          ]
        : []),
      ...(narrowed.dropped.length > 0
        ? [
            `the policy allows ${fewOf(narrowed.dropped)}, which programme ${programme.id} was not announced for (${programme.jurisdictions.join(', ')}): content from there is excluded (jurisdiction)`,
          ]
        : []),
      ...unmatched.flatMap(({ field, values, seen, misses }) =>
        misses
          ? misses.map(
              ({ value, near }) =>
                `no record read has the policy's ${field.slice(0, -1)} ${JSON.stringify(value)}, but records have ${fewOf(near.map((v) => JSON.stringify(v)))}, which the policy does not name and so excludes: is the policy misspelt?`,
            )
          : [
              `no record read has one of the policy's ${field} (${fewOf(values.map((v) => JSON.stringify(v)))}), so none is kept; the records have ${recordValues(seen, values)}: is the policy misspelt?`,
            ],
      ),
      ...(unknownParticipants > 0
        ? [
            `the records name ${unknownParticipants === 1 ? '1 participant' : `${unknownParticipants} participants`}, and not one is an account of the identity graph, so no objector among them could be found and participants: ${policy.participants} ${policy.participants === 'drop' ? 'dropped' : 'redacted'} nothing: participants must be account ids as the graph writes them (as a record's account), not handles, names or a platform's own references`,
          ]
        : []),
      ...strangers.map(
        (a) =>
          `the export owner ${a} is not in the identity graph, so none of its records could be matched to a person (nor to an objection or an age): they are excluded as age_unknown; check the account after @ (or --account), or import the identity graph first`,
      ),
      // A Mastodon owner's `indexable: false` ("do not index me") is no objection: the operator decides, but must hear of it.
      ...inputs.flatMap((f) =>
        f.export?.summary?.noindexAccounts.length
          ? [
              `the owner of the export ${f.path} set indexable: false ("do not index me"); dissent does not act on it by itself, so its records were used as any others: to honour it, file an objection for that account (dissent object --subject ID --account-only) and build again`,
            ]
          : [],
      ),
      ...(written.counts.read === 0 ? ['the inputs hold no records: the snapshot is empty'] : []),
      ...(ignored.length > 0
        ? [
            `${ignored.length === 1 ? '1 file' : `${ignored.length} files`} in the input folders ${ignored.length === 1 ? 'was' : 'were'} not read, as only .jsonl, .ndjson (optionally .gz) and .parquet files are (first: ${ignored[0]})`,
          ]
        : []),
      ...(written.counts.read > 0 && written.counts.quarantined === written.counts.read
        ? [
            `every one of the ${written.counts.read} lines read was quarantined (see quarantine/quarantine.jsonl), so the snapshot is empty: are these the right inputs?`,
          ]
        : []),
      // With several inputs, one of them empty or entirely quarantined is as likely a mistake as all of them.
      ...(inputs.length > 1 && written.counts.read > 0 && written.counts.quarantined < written.counts.read
        ? inputs.flatMap((f, i) => {
            const read = written.counts.perInput[i] ?? 0;
            const bad = written.counts.perInputQuarantined?.[i] ?? 0;
            if (read === 0) return [`the input ${f.path} holds no records`];
            if (bad === read) {
              return [
                `every one of the ${read} lines of the input ${f.path} was quarantined (see quarantine/quarantine.jsonl): is it the right file?`,
              ];
            }
            return [];
          })
        : []),
    ];
    // Kept with the finish stage, in the same journal write: a build killed after it finished says them again.
    journal.warnings = warnings;
    await stage('finish', async () => {
      const known = await opts.home.store.listSnapshots(programme.id);
      if (!known.some((s) => s.id === manifestInfo.snapshot)) {
        await opts.home.store.recordSnapshot({
          id: manifestInfo.snapshot,
          programme: programme.id,
          cut_size: plan.cut.size,
          manifest_sha256: manifestInfo.sha256,
          out_dir: out,
          records_kept: written.counts.kept,
          created_at: manifestInfo.createdAt,
        });
      }
      return null;
    });
    db.close();
    db = undefined;
    // The engine database holds record text; nothing of it may outlive the build.
    removeEngineFiles(work);
    const summary = summaryFromManifest(out, programme.id, started, false);
    return { ...summary, resumed, warnings };
  } catch (error) {
    if (opts.signal?.aborted)
      throw new DissentError('the build was cancelled; run it again to resume', 'E_CANCELLED', { cause: error });
    if (error instanceof InputError) {
      // The input or the options must change before a build can succeed, so the engine database (which holds record
      // text) is of no use to a resume: remove it now.
      db?.close();
      db = undefined;
      removeEngineFiles(work);
    }
    if (error instanceof InputError || error instanceof RefusedError) {
      db?.close();
      db = undefined;
      forgetUnstarted();
    }
    throw error;
  } finally {
    hashAbort.abort();
    opts.signal?.removeEventListener('abort', onAbort);
    db?.close();
    unlock();
  }
}

/**
 * The engine's refusal of a gzip input as an InputError naming the file. gzip and Node take bytes after the last
 * member that are zeros (padding, as written by tape and block tools), and a header with a comment, a header checksum
 * or the text flag, and so pass the file's scan; DuckDB stops at them with an IO error that names neither the file nor
 * a remedy.
 */
function gzipRefusal(f: InputFile, e: unknown): InputError | undefined {
  const message = String((e as Error)?.message);
  if (!isGzip(f.read) || !/GZIP|gzip stream/.test(message)) return undefined;
  // A header with a comment, a header checksum or the text flag (RFC 1952) is gzip too, but not for the engine.
  const cause = message.includes('Unsupported GZIP archive')
    ? 'a gzip header with a comment, a header checksum or the text flag, which it does not support'
    : 'bytes after its gzip data, such as zero padding?';
  return new InputError(
    `${f.path}: the engine cannot read this gzip file (${cause}); recompress it (gzip -dc FILE | gzip > NEW.gz) and build again`,
    'E_INPUT_GZIP',
    { cause: e },
  );
}

interface Counts {
  read: number;
  kept: number;
  excluded: Record<string, number>;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  perInput: number[];
  /** Quarantined lines per input (absent in the journal of a build begun by an older version). */
  perInputQuarantined?: number[];
}

async function countsOf(db: Engine, policy: Policy, inputCount: number): Promise<Counts> {
  const reasons = await db.rows<{ reason: string | null; n: string }>(
    'SELECT reason, count(*) AS n FROM reasons GROUP BY reason',
  );
  const quarantine = await db.rows<{ file: number; reason: string; n: string }>(
    `SELECT file, reason, count(*) AS n FROM (SELECT file, qreason AS reason FROM staged WHERE qreason IS NOT NULL
       UNION ALL SELECT file, reason FROM rejects UNION ALL SELECT file, reason FROM export_rejects
       UNION ALL SELECT s.file, 'duplicate_id' FROM repeated_ids r JOIN staged s ON s.key = r.key)
     GROUP BY file, reason`,
  );
  const perFile = await db.rows<{ file: number; n: string }>(
    `SELECT file, sum(n) AS n FROM (SELECT file, count(*) AS n FROM staged GROUP BY file
       UNION ALL SELECT file, count(*) FROM rejects GROUP BY file
       UNION ALL SELECT file, count(*) FROM export_rejects GROUP BY file) GROUP BY file`,
  );
  const excluded: Record<string, number> = Object.fromEntries(reasonsOf(policy).map((r) => [r, 0]));
  let kept = 0;
  for (const r of reasons) {
    if (r.reason === null) kept = Number(r.n);
    else excluded[r.reason] = Number(r.n);
  }
  const quarantinedByReason: Record<string, number> = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, 0]));
  const perInputQuarantined = Array.from({ length: inputCount }, () => 0);
  for (const q of quarantine) {
    quarantinedByReason[q.reason] = (quarantinedByReason[q.reason] ?? 0) + Number(q.n);
    perInputQuarantined[Number(q.file)] = (perInputQuarantined[Number(q.file)] ?? 0) + Number(q.n);
  }
  const quarantined = sumOf(quarantinedByReason);
  const perInput = Array.from({ length: inputCount }, (_, i) =>
    Number(perFile.find((p) => Number(p.file) === i)?.n ?? 0),
  );
  // read is what the read stage took in (records and quarantined lines, per input); the manifest checks that it
  // equals kept + excluded + quarantined as counted from the stages after it.
  return {
    read: perInput.reduce((a, b) => a + b, 0),
    kept,
    excluded,
    quarantined,
    quarantinedByReason,
    perInput,
    perInputQuarantined,
  };
}

/**
 * The files read the fast way whose scan shows what that reader cannot see, so that they must be read line by line:
 * a blank line (the reader skips it: the row count is short of the line count), a carriage return or byte order
 * mark, or a line over the size limit.
 */
async function fastReadMisses(
  db: Engine,
  fast: ReadonlySet<number>,
  scans: readonly InputScan[],
  maxLineBytes: number,
): Promise<number[]> {
  if (fast.size === 0) return [];
  const rows = await db.rows<{ file: number; n: string }>('SELECT file, count(*) AS n FROM staged_rows GROUP BY file');
  return [...fast].filter((i) =>
    scanMisses(scans[i], Number(rows.find((r) => Number(r.file) === i)?.n ?? 0), maxLineBytes),
  );
}

/** Whether a file's scan shows what the fast reader cannot see; `rows` (what it read) when known. */
function scanMisses(scan: InputScan | undefined, rows: number | null, maxLineBytes: number): boolean {
  if (!scan) return rows !== null;
  return (rows !== null && scan.lines !== rows) || scan.oddBytes || scan.longestLine > maxLineBytes;
}

/**
 * Checks that the engine took in every line of each JSONL input, as a record, a blank line or a quarantined one.
 * DuckDB skips a line longer than its read buffer without a reject row, which would otherwise pass unnoticed.
 */
async function checkEveryLineRead(
  db: Engine,
  inputs: readonly InputFile[],
  scans: readonly InputScan[],
  maxLineBytes: number,
): Promise<void> {
  const rows = await db.rows<{ file: number; n: string }>(
    'SELECT file, sum(n) AS n FROM (SELECT file, count(*) AS n FROM staged_rows GROUP BY file UNION ALL SELECT file, count(*) FROM rejects GROUP BY file) GROUP BY file',
  );
  for (const [i, f] of inputs.entries()) {
    const lines = scans[i]?.lines;
    const taken = Number(rows.find((r) => Number(r.file) === i)?.n ?? 0);
    if (lines === null || lines === undefined || lines === taken) continue;
    throw new InputError(
      `${f.path}: ${lines} lines, but the engine read only ${taken}; most likely a line is longer than the engine's read buffer (${Math.round(readBufferBytes(maxLineBytes) / 2 ** 20)} MiB), which DuckDB drops without a trace; remove such lines, or raise --max-line-bytes (the buffer is 4 times that) to quarantine them`,
      'E_INPUT_LINES',
    );
  }
}

function sumOf(o: Readonly<Record<string, number>>): number {
  return Object.values(o).reduce((a, b) => a + b, 0);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What tells one version of a file from another without reading it: its absolute path, size and mtime. */
function fileIdentity(path: string): [string, number, number] | [string] {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? [resolve(path), st.size, st.mtimeMs] : [resolve(path)];
}

/**
 * Imports an --accounts file into the registry, all of it or, when a line is bad, nothing (InputError E_ACCOUNTS,
 * naming the first bad lines). Returns how many existing accounts it gave another person.
 */
async function importAccountsFile(home: Home, file: string, signal: AbortSignal | undefined): Promise<number> {
  const imported = await importAccounts(home.store, file, { allOrNothing: true, ...(signal ? { signal } : {}) });
  if (imported.badLines > 0) throw badAccountsError(imported, 'nothing was imported');
  return imported.moved;
}

/** The checkpoint body of a signed note (the text before the blank line). */
function noteBody(note: string): string {
  const end = note.indexOf('\n\n');
  return end < 0 ? note : note.slice(0, end + 1);
}

async function refuseEarlyFirstSnapshot(home: Home, programme: string, deadline: Date, graceMs: number): Promise<void> {
  if ((await home.store.listSnapshots(programme)).length > 0) return;
  const allowed = new Date(deadline.getTime() + graceMs);
  const now = Date.parse(home.registry.now());
  if (now < allowed.getTime()) {
    throw new RefusedError(
      `the first snapshot of programme ${programme} may not be built before its objection deadline plus the grace window; building is allowed from ${allowed.toISOString()}`,
      'E_TOO_EARLY',
    );
  }
}

const OWN_ENTRIES = new Set([WORK_DIR, 'data', 'lineage', 'quarantine', 'manifest.json', 'manifest.sig']);

/**
 * Whether `work` is a build's work folder: it holds a journal or a lock, or nothing at all (a build killed as it
 * created it). Another tool's `.build` folder (Swift's, say) is not.
 */
function isOurWorkDir(work: string): boolean {
  if (!statSync(work, { throwIfNoEntry: false })?.isDirectory()) return false;
  const inside = readdirSync(work);
  return (
    inside.length === 0 ||
    inside.includes('journal.json') ||
    inside.includes('lock') ||
    inside.some((f) => isAtomicTemp(f, 'journal.json'))
  );
}

/** The temp files of a manifest write that a build killed (or out of disk space) left in the snapshot folder. */
function manifestTemps(entries: readonly string[]): string[] {
  return entries.filter((e) => isAtomicTemp(e, 'manifest.json') || isAtomicTemp(e, 'manifest.sig'));
}

/**
 * Creates a folder and the missing ones above it, one level at a time: under a read-only parent, a recursive mkdir
 * fails with ENOENT (naming the deepest folder) instead of EROFS.
 */
function mkdirEach(dir: string): void {
  if (existsSync(dir)) return;
  mkdirEach(dirname(dir));
  mkdirSync(dir);
}

/** Whether `file` is a dissent snapshot's manifest. */
function isSnapshotManifest(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type === 'dissent-snapshot';
  } catch {
    return false;
  }
}

/** Deletes the engine database and its temporary files from the work folder, keeping the journal and the lock. */
function removeEngineFiles(work: string): void {
  for (const f of readdirSync(work)) {
    if (f !== 'journal.json' && f !== 'lock') rmSync(join(work, f), { recursive: true, force: true });
  }
}

/** Decides between a fresh build, a resume and a refusal, and returns the journal to continue with. */
function prepareOutDir(out: string, fingerprint: string, force: boolean): Journal {
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new InputError(`--out ${out} is a file; give a folder for the snapshot`, 'E_OUT_NOT_EMPTY');
  }
  // A file where a folder above it should be: Node would say "ENOTDIR: not a directory" of some path further down.
  for (let above = dirname(out); above !== dirname(above); above = dirname(above)) {
    if (!existsSync(above)) continue;
    if (!statSync(above).isDirectory()) {
      throw new InputError(
        `--out ${out} lies inside ${above}, which is a file; give a folder for the snapshot`,
        'E_OUT_NOT_EMPTY',
      );
    }
    break;
  }
  const entries = existsSync(out) ? readdirSync(out) : [];
  // Nothing here may be deleted while another build works in the folder, --force or not.
  if (entries.includes(WORK_DIR)) refuseIfLocked(join(out, WORK_DIR));
  // With --force a damaged journal is no obstacle: the folder is started over anyway.
  const existing = entries.length === 0 ? undefined : force ? readJournalOrNone(out) : readJournal(out);
  // A folder is a snapshot's only with our work folder (a journal, even a damaged one) or a snapshot manifest: a folder
  // that merely holds a `data/`, `lineage/` or `.build/` (or some other manifest.json) of its own is someone else's,
  // and --force must not delete it.
  const snapshotLike = isOurWorkDir(join(out, WORK_DIR)) || isSnapshotManifest(join(out, 'manifest.json'));
  const temps = snapshotLike ? manifestTemps(entries) : [];
  const foreign = snapshotLike ? entries.filter((e) => !OWN_ENTRIES.has(e) && !temps.includes(e)) : entries;
  const finished = existing?.stages.finish !== undefined;
  if (existing && existing.fingerprint === fingerprint && foreign.length === 0 && !(force && finished)) {
    // The manifest stage writes its files again from the start.
    for (const t of temps) rmSync(join(out, t), { force: true });
    return existing;
  }
  // A build that stopped before it had read its inputs (say, one was refused) holds nothing worth keeping; nor does
  // one killed before its first journal was in place, which left only its work folder (empty, or the journal's temp).
  const unstarted =
    existing === undefined &&
    entries.length === 1 &&
    entries[0] === WORK_DIR &&
    snapshotLike &&
    readdirSync(join(out, WORK_DIR)).every((f) => isAtomicTemp(f, 'journal.json'));
  const unread =
    unstarted || (existing !== undefined && existing.stages.read === undefined && !entries.includes('manifest.json'));
  if (entries.length > 0 && !unread) {
    if (foreign.length > 0) {
      throw new InputError(
        `${out} is not empty and is not a snapshot folder; choose a new --out folder`,
        'E_OUT_NOT_EMPTY',
      );
    }
    if (!force) {
      throw new InputError(
        existing
          ? `${out} holds a build with other inputs, policy or options; pass --force to start over there, or choose a new --out folder`
          : `${out} holds a snapshot without a build journal; pass --force to replace it, or choose a new --out folder`,
        'E_OUT_NOT_EMPTY',
      );
    }
  }
  for (const e of entries) rmSync(join(out, e), { recursive: true, force: true });
  mkdirEach(join(out, WORK_DIR));
  // Owner only: while a build runs, its work folder holds the text of every record read and an identity-graph extract.
  chmodSync(join(out, WORK_DIR), 0o700);
  const journal: Journal = { v: 1, fingerprint, started_at: new Date().toISOString(), stages: {} };
  saveJournal(out, journal);
  return journal;
}

/**
 * Refuses when a live process other than this one holds the work folder's lock. The lock names the process id and,
 * on Linux, the process's start time, so that a lock left by a killed build is not taken for a running one when its
 * id has since gone to another process (as after a container restart).
 */
function refuseIfLocked(work: string): void {
  let text: string;
  try {
    text = readFileSync(join(work, 'lock'), 'utf8');
  } catch {
    return;
  }
  const [pidText, started] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!(pid > 0) || pid === process.pid || !isAlive(pid)) return;
  if (started !== undefined && startTimeOf(pid) !== started) return;
  throw new RefusedError('another build is running in this snapshot folder', 'E_BUILD_RUNNING');
}

/** A process's start time in clock ticks since boot, from /proc (Linux); undefined elsewhere. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Takes the work folder's lock, refusing when a live process holds it. */
function lock(work: string): () => void {
  refuseIfLocked(work);
  const file = join(work, 'lock');
  const started = startTimeOf(process.pid);
  writeFileSync(file, started === undefined ? String(process.pid) : `${process.pid} ${started}`);
  return () => rmSync(file, { force: true });
}

function readJournalOrNone(out: string): Journal | undefined {
  try {
    return readJournal(out);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reads a finished snapshot's manifest back into a summary. */
function summaryFromManifest(out: string, programme: string, started: number, alreadyBuilt: boolean): BuildSummary {
  const text = readFileSync(join(out, 'manifest.json'), 'utf8');
  const m = JSON.parse(text) as Manifest;
  if (m.programme.id !== programme)
    throw new InputError(`${out} holds a snapshot of another programme`, 'E_OUT_NOT_EMPTY');
  return {
    snapshot: m.snapshot,
    out,
    programme: m.programme.id,
    cutSize: m.cut.size,
    read: m.counts.read,
    kept: m.counts.kept,
    excluded: m.counts.excluded,
    quarantined: m.counts.quarantined,
    shards: m.shards.length,
    root: m.merkle.root,
    manifestSha256: Buffer.from(sha256(text)).toString('hex'),
    inputBytes: m.inputs.reduce((a, i) => a + i.bytes, 0),
    // Nothing was built now: the time (and throughput) of an earlier build is the one that built it.
    seconds:
      alreadyBuilt && m.timings_ms?.total !== undefined ? m.timings_ms.total / 1000 : (Date.now() - started) / 1000,
    resumed: false,
    alreadyBuilt,
    warnings: [],
  };
}

/**
 * The policy's sources or kinds when not one of them is among the records read, with the ones the records have: a
 * misspelt value (`kinds: [posts]`) keeps nothing at all, and the counts alone do not say why; otherwise the values
 * no record has that look misspelt (`misses`). A policy that allows more sources than one input holds is normal, and
 * is not named.
 */
async function unmatchedPolicyValues(
  db: Engine,
  policy: Policy,
): Promise<
  { field: 'sources' | 'kinds'; values: string[]; seen: string[]; misses?: { value: string; near: string[] }[] }[]
> {
  const [row] = await db.rows<{ sources: string[] | null; kinds: string[] | null }>(
    'SELECT list(DISTINCT source ORDER BY source) AS sources, list(DISTINCT kind ORDER BY kind) AS kinds FROM staged WHERE qreason IS NULL',
  );
  const found = { sources: row?.sources ?? [], kinds: row?.kinds ?? [] };
  // Without records there is nothing to compare with (the empty snapshot has its own warning).
  if (found.sources.length === 0) return [];
  return (['sources', 'kinds'] as const).flatMap((field) => {
    const values = policy[field];
    if (!values.some((v) => found[field].includes(v))) return [{ field, values: [...values], seen: found[field] }];
    // One value misspelt beside correct ones (`kinds: [post, coment]`): a value no record has, close to one that
    // records have and the policy does not name. A value merely absent from these inputs has no such neighbour.
    const misses = values.flatMap((v) => {
      if (found[field].includes(v)) return [];
      const near = found[field].filter((r) => !values.includes(r) && nearMiss(v, r));
      return near.length > 0 ? [{ value: v, near }] : [];
    });
    return misses.length > 0 ? [{ field, values: [...values], seen: found[field], misses }] : [];
  });
}

/**
 * The values of a field the records have, for a warning: only those that look like a source or kind (a word of
 * lower-case letters, `_` or `-`, or a near miss of a policy value, such as `Facebook`) are shown, the others
 * counted. With columns mixed up, source or kind holds e-mail addresses, names or account ids, and personal data is
 * never repeated in the build's output.
 */
function recordValues(seen: readonly string[], policyValues: readonly string[]): string {
  const shown = seen
    .filter((v) => /^[a-z][a-z_-]{0,31}$/.test(v) || policyValues.some((p) => nearMiss(p, v)))
    .map((v) => JSON.stringify(v));
  const hidden = seen.length - shown.length;
  if (hidden === 0) return fewOf(shown);
  const others = `${hidden === 1 ? '1 other value, not shown as it is not a word' : `${hidden} other values, not shown as they are not words`} of lower-case letters (data in the wrong field?)`;
  return shown.length > 0 ? `${fewOf(shown)} and ${others}` : others;
}

/** Whether `a` is likely a misspelling of `b`: equal but for case, or one or two edits apart (one for short words). */
function nearMiss(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const limit = Math.min(a.length, b.length) <= 4 ? 1 : 2;
  if (Math.abs(a.length - b.length) > limit) return false;
  // Levenshtein distance, one row at a time.
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]! <= limit;
}

/** The owners named for platform-export inputs that the identity graph does not know, sorted. */
async function ownersNotInGraph(db: Engine, inputs: readonly InputFile[]): Promise<string[]> {
  const owners = [...new Set(inputs.flatMap((f) => (f.export ? [f.export.account] : [])))].sort();
  if (owners.length === 0) return [];
  const rows = await db.rows<{ account: string }>(
    `SELECT o.account FROM (SELECT unnest([${owners.map(sqlString).join(', ')}]) AS account) o
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account = o.account) ORDER BY o.account`,
  );
  return rows.map((r) => r.account);
}

/**
 * How many distinct participants the records name when not one of them is an account of the identity graph, else 0:
 * participants written as handles (`@anna`), names, or ids spelt otherwise than the graph's match no objector, and
 * `participants: redact | drop` then does nothing without a word. One known participant is taken as a sign that they
 * are written right (a post mentions accounts of other platforms and servers too).
 */
async function participantsNotInGraph(db: Engine): Promise<number> {
  const [row] = await db.rows<{ named: string; known: string }>(`
    SELECT count(*) AS named, count(a.account) AS known FROM (
      SELECT DISTINCT unnest(participants) AS participant FROM staged WHERE qreason IS NULL AND len(participants) > 0
    ) p LEFT JOIN accounts a ON a.account = p.participant`);
  return Number(row?.known ?? 0) === 0 ? Number(row?.named ?? 0) : 0;
}

/** A list for a message: its first five items, and how many more. */
function fewOf(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}
