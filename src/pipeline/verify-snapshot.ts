import {
  createReadStream,
  type Dirent,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { openCheckpoint } from '../log/checkpoint.ts';
import { sha256Hex } from '../log/hash.ts';
import { NoteError, openNote, parseNote, type Verifier } from '../log/note.ts';
import type { Check } from '../log/receipt.ts';
import { sqlString } from '../policy/compile-sql.ts';
import { DissentError } from '../shared/errors.ts';
import { type Engine, openEngine, sqlPath } from './_duckdb.ts';
import { sha256File } from './inputs.ts';
import { readJournal, WORK_DIR } from './journal.ts';
import type { Manifest } from './manifest.ts';
import { merkleRootSql } from './merkle-sql.ts';
import { recordHashSql } from './record-hash.ts';

const count = z.number().int().nonnegative();
const file = z.looseObject({ path: z.string(), sha256: z.string() });
/** The fields of a manifest that the checks read; a manifest may hold more. */
const CheckedManifest = z.looseObject({
  counts: z.looseObject({
    read: count,
    kept: count,
    excluded: z.record(z.string(), count),
    quarantined: count,
    quarantined_by_reason: z.record(z.string(), count),
  }),
  policy: z.looseObject({ sha256: z.string(), text: z.string() }),
  inputs: z.array(z.looseObject({ read: count })),
  shards: z.array(file.extend({ rows: count, bytes: count })),
  lineage: file,
  quarantine: file,
  merkle: z.looseObject({ size: count, root: z.string() }),
  cut: z.looseObject({ size: count, checkpoint: z.string() }),
});

/** Whether the folder holds the journal of a build that has not written its manifest yet. */
function manifestPending(dir: string): boolean {
  try {
    const journal = readJournal(dir);
    return journal !== undefined && journal.stages.manifest === undefined;
  } catch {
    return false; // a journal it cannot read says nothing either way
  }
}

/**
 * The first part of `path` below `root` that is a symbolic link, relative to `root`. A snapshot's files must be in
 * its folder: a link's target passes today, may change after the audit, and is not in a copy (tar, rsync) of it.
 */
function symlinkBelow(root: string, path: string): string | undefined {
  let at = root;
  for (const part of relative(root, path).split(sep)) {
    at = join(at, part);
    if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) return relative(root, at);
  }
  return undefined;
}

/**
 * Runs `sql`, which reads files of the snapshot; returns why the engine could not read them, or undefined. A file
 * signed as it is but not the Parquet it should be (or lacking a column) fails its check, not the whole command.
 */
async function readable(db: Engine, sql: string): Promise<string | undefined> {
  const r = await readableRows(db, sql);
  return typeof r === 'string' ? r : undefined;
}

/** As readable, for a query: its rows, or why the engine could not read the files. */
async function readableRows<T>(db: Engine, sql: string): Promise<T[] | string> {
  try {
    return await db.rows<T>(sql);
  } catch (e) {
    if (!(e instanceof DissentError) || e.code !== 'E_ENGINE') throw e;
    return (e.message.split('": ')[1] ?? e.message).slice(0, 200);
  }
}

/** The columns of a shard, with their types as the engine reads them. */
const SHARD_COLUMNS =
  'id VARCHAR, text VARCHAR, source VARCHAR, kind VARCHAR, created_at TIMESTAMP WITH TIME ZONE, lang VARCHAR';

/**
 * What is wrong with the lineage (`path`, in `root`) against the shards' records (`hashes`) and the
 * manifest's counts, or undefined. Says how many records differ, never which: ids and persons stay in the lineage.
 */
async function checkLineage(
  db: Engine,
  root: string,
  path: string,
  counts: { readonly kept: number; readonly excluded: Readonly<Record<string, number>> },
): Promise<string | undefined> {
  const made = await readable(
    db,
    `CREATE TEMP TABLE lineage AS SELECT id, reason, leaf FROM read_parquet(${sqlPath(path)})`,
  );
  if (made !== undefined) return `${relative(root, path)} cannot be read as a lineage: ${made}`;
  const byReason = await db.rows<{ reason: string | null; n: string }>(
    'SELECT reason, count(*) AS n FROM lineage GROUP BY reason ORDER BY reason NULLS FIRST',
  );
  const keptThere = Number(byReason.find((r) => r.reason === null)?.n ?? 0);
  if (keptThere !== counts.kept) return `the lineage has ${keptThere} kept records; the manifest counts ${counts.kept}`;
  const reasons = new Set([...Object.keys(counts.excluded), ...byReason.flatMap((r) => r.reason ?? [])]);
  for (const reason of [...reasons].sort()) {
    const there = Number(byReason.find((r) => r.reason === reason)?.n ?? 0);
    const said = counts.excluded[reason] ?? 0;
    if (there !== said) {
      return `the lineage has ${there} records excluded as ${JSON.stringify(reason).slice(0, 40)}; the manifest counts ${said}`;
    }
  }
  const [misplaced] = await db.rows<{ n: string }>(`
    SELECT count(*) AS n FROM hashes h
    WHERE NOT EXISTS (SELECT 1 FROM lineage l WHERE l.reason IS NULL AND l.leaf = h.pos AND l.id = h.id)`);
  const n = Number(misplaced?.n ?? 0);
  if (n > 0) return `${n} kept records of the shards are not at the place the lineage gives them`;
  const [placed] = await db.rows<{ n: string }>(
    'SELECT count(*) AS n FROM lineage WHERE reason IS NOT NULL AND leaf IS NOT NULL',
  );
  const m = Number(placed?.n ?? 0);
  if (m > 0) return `the lineage gives ${m} excluded records a place in the shards`;
  return undefined;
}

/** What an auditor requires of a snapshot beyond its keys (`dissent verify snapshot --programme, --origin`). */
export interface SnapshotExpectations {
  /** The programme the manifest must be signed for. */
  readonly programme?: string | undefined;
  /** The origin (first line) the cut's checkpoint must have. */
  readonly origin?: string | undefined;
}

/**
 * Checks a snapshot folder the way an auditor would, without the home or the registry: the manifest's signature, its
 * counts, every file it lists (shards, lineage, quarantine) by SHA-256, the Merkle root recomputed from the shards,
 * and the signed checkpoint it names as its cut. Never throws on a bad snapshot; it reports which check failed.
 * `key` is the key that signed the manifest (the programme's, or the log's); `logKey` the log's, for the cut.
 * `expect` names what the auditor was told the snapshot is: one key may sign the snapshots of several programmes,
 * and one log key several logs (a staging log, say), so a genuine snapshot of another programme or log passes
 * every other check.
 */
export async function verifySnapshot(
  dir: string,
  key: Verifier,
  logKey: Verifier = key,
  expect: SnapshotExpectations = {},
): Promise<Check[]> {
  const checks: Check[] = [];
  const fail = (name: string, detail: string): Check[] => [...checks, { name, ok: false, detail }];

  // Each file is named when it is missing: an auditor told "no manifest.json and manifest.sig" looks for both.
  const missing = ['manifest.json', 'manifest.sig'].filter((f) => !statSync(join(dir, f), { throwIfNoEntry: false }));
  if (missing.length > 0) {
    // A build that was stopped (or is still running) has its journal there but has written no manifest yet; a
    // finished build keeps its journal too, so only one that has not done its manifest stage counts.
    const unfinished = manifestPending(dir)
      ? `; the build in this folder has not finished (${WORK_DIR}/ holds its work): run the same build command again to finish it`
      : '';
    return fail('format', `${dir} holds no ${missing.join(' and no ')}${unfinished}`);
  }
  let text: string;
  let sig: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    sig = readFileSync(join(dir, 'manifest.sig'), 'utf8');
  } catch {
    return fail('format', `${dir}: manifest.json or manifest.sig cannot be read`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return fail('format', 'manifest.json is not valid JSON');
  }
  if (manifest?.type !== 'dissent-snapshot' || manifest.v !== 1)
    return fail('format', 'not a dissent snapshot manifest');

  let signed: string;
  try {
    signed = openNote(sig, key);
  } catch (e) {
    return fail('signature', e instanceof NoteError ? `${e.message}${signedBy(sig)}` : 'manifest.sig cannot be read');
  }
  // Read before the signature is checked: a made-up manifest may lack any field, and must fail here, not crash.
  const expected = `dissent-snapshot-manifest v1\n${manifest.programme?.id}\n${manifest.snapshot}\nsha256:${sha256Hex(text)}\n`;
  if (signed !== expected) {
    return fail('signature', 'the signed note does not name this manifest (programme, snapshot or sha256 differ)');
  }
  if (expect.programme !== undefined && manifest.programme?.id !== expect.programme) {
    return fail(
      'signature',
      `the manifest is signed as snapshot ${manifest.snapshot} of programme ${manifest.programme?.id}, not of ${expect.programme}`,
    );
  }
  // What the signature covers, said: one key may sign the snapshots of several programmes.
  checks.push({
    name: 'signature',
    ok: true,
    detail: `signed by ${key.name}: snapshot ${manifest.snapshot} of programme ${manifest.programme?.id}`,
  });
  // Signed is not well-formed: a buggy build or another tool holding the key may have left out or mistyped a field.
  const shape = CheckedManifest.safeParse(manifest);
  if (!shape.success) {
    const where = shape.error.issues[0]?.path.join('.') || 'its top level';
    return fail('format', `the signed manifest has no valid ${where}`);
  }

  // The copy is what an auditor reads for the rules the build applied; the hash is what the build fingerprinted.
  if (sha256Hex(manifest.policy.text) !== manifest.policy.sha256)
    return fail('policy', 'the copy of the policy in the manifest does not match its sha256');
  checks.push({ name: 'policy', ok: true, detail: 'the copy in the manifest matches its sha256' });

  const { read, kept, quarantined, excluded } = manifest.counts;
  const sum = kept + Object.values(excluded).reduce((a, b) => a + b, 0) + quarantined;
  if (sum !== read) return fail('counts', `read ${read}, but kept + excluded + quarantined = ${sum}`);
  // Counts that add up can still be moved from kept to excluded: kept must be what the shards hold, every total the
  // sum of its parts.
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (kept !== manifest.merkle.size)
    return fail('counts', `kept ${kept}, but the Merkle tree has ${manifest.merkle.size} records`);
  const rows = total(manifest.shards.map((s) => s.rows));
  if (rows !== kept) return fail('counts', `kept ${kept}, but the shards' rows add up to ${rows}`);
  const byReason = total(Object.values(manifest.counts.quarantined_by_reason));
  if (byReason !== quarantined)
    return fail('counts', `quarantined ${quarantined}, but quarantined_by_reason adds up to ${byReason}`);
  const fromInputs = total(manifest.inputs.map((f) => f.read));
  if (fromInputs !== read) return fail('counts', `read ${read}, but the inputs' read add up to ${fromInputs}`);
  checks.push({ name: 'counts', ok: true, detail: `read ${read} = kept ${kept} + excluded + quarantined` });

  const files = [...manifest.shards, manifest.lineage, manifest.quarantine];
  const root = resolve(dir);
  // lineage/ and quarantine/ are readable by the build user only: an auditor running as someone else is told so, not
  // "unexpected error".
  const unreadable = (e: unknown, path: string): Check[] => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    return fail(
      'files',
      `${relative(root, path) || '.'} cannot be read (permission denied); run the check as a user that may read the whole snapshot, lineage/ and quarantine/ included`,
    );
  };
  for (const f of files) {
    const path = resolve(root, f.path);
    if (!path.startsWith(root + sep)) return fail('files', `${f.path} lies outside the snapshot folder`);
    try {
      const link = symlinkBelow(root, path);
      if (link !== undefined) {
        return fail(
          'files',
          `${link} is a symbolic link; a snapshot's files must be in its folder, not point elsewhere`,
        );
      }
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile()) return fail('files', `${f.path} is missing`);
      // Before the hash: a shard grown huge (sparse, or filled) would be read through for nothing.
      if ('bytes' in f && stat.size !== f.bytes) {
        return fail('files', `${f.path} has ${stat.size} bytes; the manifest says ${f.bytes}`);
      }
      if ((await sha256File(path)) !== f.sha256) return fail('files', `${f.path} does not match its sha256`);
    } catch (e) {
      return unreadable(e, path);
    }
  }
  // A file the manifest does not list, in a folder a training job or an audit reads whole (data/*.parquet), would be
  // trained on or believed without being signed. The snapshot's own folders are checked whether or not the manifest
  // lists a file there (with nothing kept, it lists no shard).
  const listed = new Set(files.map((f) => resolve(root, f.path)));
  const folders = new Set(['data', 'lineage', 'quarantine']);
  for (const f of files) folders.add(relative(root, dirname(resolve(root, f.path))).split(sep)[0] ?? '');
  for (const folder of folders) {
    if (folder === '' || !statSync(join(root, folder), { throwIfNoEntry: false })?.isDirectory()) continue;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, folder), { recursive: true, withFileTypes: true });
    } catch (e) {
      return unreadable(e, join(root, folder));
    }
    for (const entry of entries) {
      if (entry.isDirectory()) continue;
      const path = join(entry.parentPath ?? entry.path, entry.name);
      if (!listed.has(path)) return fail('files', `${relative(root, path)} is not listed in the manifest`);
    }
  }
  checks.push({
    name: 'files',
    ok: true,
    detail: `${files.length} files match their sha256, and no other file is there`,
  });

  const tmp = mkdtempSync(join(tmpdir(), 'dissent-verify-'));
  const db = await openEngine({ file: ':memory:', threads: 2, memoryLimit: '512MB', tempDir: tmp });
  try {
    const shards = manifest.shards.map((s) => resolve(root, s.path));
    // A shard holds the training record's columns and nothing else: the root covers only those, and an extra column
    // (an account id, say) or key-value metadata would travel into training unchecked.
    for (const [i, shard] of shards.entries()) {
      const columns = await readableRows<{ c: string }>(
        db,
        `SELECT column_name || ' ' || column_type AS c FROM (DESCRIBE SELECT * FROM read_parquet(${sqlPath(shard)}))`,
      );
      const metadata = await readableRows<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM parquet_kv_metadata(${sqlPath(shard)})`,
      );
      const path = manifest.shards[i]?.path;
      if (typeof columns === 'string' || typeof metadata === 'string') {
        return fail(
          'merkle',
          `${path} cannot be read as training records: ${typeof columns === 'string' ? columns : metadata}`,
        );
      }
      if (columns.map((c) => c.c).join(', ') !== SHARD_COLUMNS) {
        return fail(
          'merkle',
          `${path} has the columns ${columns.map((c) => c.c).join(', ')}; a shard has ${SHARD_COLUMNS}`,
        );
      }
      if (Number(metadata[0]?.n ?? 0) > 0)
        return fail('merkle', `${path} carries key-value metadata, which no shard has`);
    }
    if (shards.length > 0) {
      const list = `[${shards.map(sqlString).join(', ')}]`;
      // The reader takes patterns (sqlPath); the file names it gives back are the paths themselves.
      const made = await readable(
        db,
        `
        CREATE TEMP TABLE hashes AS
          SELECT row_number() OVER (ORDER BY list_position(${list}, filename), file_row_number) - 1 AS pos,
            list_position(${list}, filename) - 1 AS shard, id, ${recordHashSql()} AS rh
          FROM read_parquet([${shards.map(sqlPath).join(', ')}], filename = true, file_row_number = true)`,
      );
      if (made !== undefined) return fail('merkle', `the shards cannot be read as training records: ${made}`);
    } else {
      await db.run('CREATE TEMP TABLE hashes (pos BIGINT, shard BIGINT, id VARCHAR, rh VARCHAR)');
    }
    const { root: computed, size } = await merkleRootSql(db, 'hashes');
    if (size !== manifest.merkle.size || computed !== manifest.merkle.root) {
      return fail(
        'merkle',
        `the shards give root ${computed} over ${size} records; the manifest says ${manifest.merkle.root}`,
      );
    }
    // Each shard holds the rows the manifest gives it: a reader taking one shard, or a count per shard, relies on it.
    const held = await db.rows<{ shard: number; n: string }>('SELECT shard, count(*) AS n FROM hashes GROUP BY shard');
    for (const [i, s] of manifest.shards.entries()) {
      const n = Number(held.find((h) => Number(h.shard) === i)?.n ?? 0);
      if (n !== s.rows) return fail('merkle', `${s.path} holds ${n} records; the manifest says ${s.rows}`);
    }
    checks.push({ name: 'merkle', ok: true, detail: `root over ${size} records` });

    // The lineage is what a person's "was my data used?" is answered from: it must say of every record what the
    // shards and the counts say, or an objector's kept record could be listed as left out.
    const lineageIssue = await checkLineage(db, root, resolve(root, manifest.lineage.path), manifest.counts);
    if (lineageIssue) return fail('lineage', lineageIssue);
    checks.push({
      name: 'lineage',
      ok: true,
      detail: "its kept records are the shards' records, in place, and its reasons match the counts",
    });
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  // The quarantine holds one entry per quarantined line, as the counts say: a signed file with more (or other) entries
  // would name lines of the inputs that were read after all.
  const quarantineIssue = await checkQuarantine(resolve(root, manifest.quarantine.path), manifest.counts);
  if (quarantineIssue) return fail('quarantine', quarantineIssue);
  checks.push({ name: 'quarantine', ok: true, detail: `${manifest.counts.quarantined} entries, by reason as counted` });

  try {
    const cp = openCheckpoint(manifest.cut.checkpoint, logKey, expect.origin);
    if (cp.size !== manifest.cut.size)
      return fail('cut', `the checkpoint has size ${cp.size}, the manifest says ${manifest.cut.size}`);
    checks.push({
      name: 'cut',
      ok: true,
      detail: `checkpoint of log ${cp.origin} at size ${cp.size}, signed by ${logKey.name}`,
    });
  } catch (e) {
    return fail(
      'cut',
      e instanceof NoteError ? `${e.message}${signedBy(manifest.cut.checkpoint)}` : 'the cut checkpoint cannot be read',
    );
  }
  return checks;
}

/**
 * What is wrong with the quarantine file (`path`) against the manifest's counts, or undefined. Read line by line: a
 * build of a wrong input quarantines every line, and its file can be larger than the longest string Node holds.
 */
async function checkQuarantine(
  path: string,
  counts: { quarantined: number; quarantined_by_reason: Record<string, number> },
): Promise<string | undefined> {
  const byReason = new Map<string, number>();
  const input = createReadStream(path);
  try {
    let i = 0;
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      i++;
      let reason: unknown;
      try {
        reason = (JSON.parse(line) as { reason?: unknown }).reason;
      } catch {
        return `line ${i} is not a JSON object`;
      }
      if (typeof reason !== 'string') return `line ${i} has no reason`;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
  } finally {
    input.destroy();
  }
  const entries = [...byReason.values()].reduce((a, b) => a + b, 0);
  if (entries !== counts.quarantined) return `it holds ${entries} entries; the manifest counts ${counts.quarantined}`;
  for (const reason of new Set([...byReason.keys(), ...Object.keys(counts.quarantined_by_reason)])) {
    const held = byReason.get(reason) ?? 0;
    const counted = counts.quarantined_by_reason[reason] ?? 0;
    if (held !== counted) return `it holds ${held} entries for ${reason}; the manifest counts ${counted}`;
  }
  return undefined;
}

/** Which key names signed a note, as ` (it is signed by A)`, so that a wrong key is told from a forged cut; else ''. */
function signedBy(note: string): string {
  try {
    const names = [...new Set(parseNote(note).signatures.map((s) => s.name))];
    return ` (it is signed by ${names.join(', ')})`;
  } catch {
    return '';
  }
}
