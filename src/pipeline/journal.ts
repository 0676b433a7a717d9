import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DissentError } from '../shared/errors.ts';

/** The stages of a build, in order; each one's completion is recorded in the journal. */
export const STAGES = ['plan', 'read', 'classify', 'transform', 'write', 'manifest', 'finish'] as const;

/** A build stage. */
export type Stage = (typeof STAGES)[number];

/** The build journal: what the build is (fingerprint), what it pinned (cut, inputs) and which stages are done. */
export interface Journal {
  readonly v: 1;
  /** sha256 over the programme, inputs, policy and options that decide the output. */
  readonly fingerprint: string;
  readonly started_at: string;
  /** Stage name -> ISO time it finished, plus what the stage wants to remember. */
  stages: Partial<Record<Stage, { done_at: string; data?: unknown }>>;
}

/** The work folder inside a snapshot folder; it holds the journal, the engine database and temp files. */
export const WORK_DIR = '.build';

/** Writes a file so that it is either the old or the new content after a crash: temp file, fsync, rename. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Reads the journal of a snapshot folder, or undefined when there is none. */
export function readJournal(outDir: string): Journal | undefined {
  let text: string;
  try {
    text = readFileSync(join(outDir, WORK_DIR, 'journal.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Journal;
  } catch (cause) {
    throw new DissentError('the build journal is damaged; rerun with --force to start over', 'E_JOURNAL', { cause });
  }
}

/** Persists the journal atomically. */
export function saveJournal(outDir: string, journal: Journal): void {
  writeFileAtomic(join(outDir, WORK_DIR, 'journal.json'), `${JSON.stringify(journal, null, 2)}\n`);
}

/**
 * Marks a stage done and, for tests, kills the process right there when DISSENT_TEST_KILL_AFTER names the stage, so
 * that resume can be tested without depending on timing.
 */
export function markDone(outDir: string, journal: Journal, stage: Stage, data?: unknown): void {
  journal.stages[stage] = { done_at: new Date().toISOString(), ...(data === undefined ? {} : { data }) };
  saveJournal(outDir, journal);
  if (process.env.DISSENT_TEST_KILL_AFTER === stage) process.kill(process.pid, 'SIGKILL');
}
