import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  /**
   * Milliseconds the build's runs have worked, up to each run's last saved stage: a build killed and resumed a day
   * later took this long, not a day.
   */
  worked_ms?: number;
  /** The finished build's warnings, which a run that finds it already built says again. */
  warnings?: string[];
  /** Stage name -> ISO time it finished, plus what the stage wants to remember. */
  stages: Partial<Record<Stage, { done_at: string; data?: unknown }>>;
}

/** The work folder inside a snapshot folder; it holds the journal, the engine database and temp files. */
export const WORK_DIR = '.build';

/** Writes a file so that it is either the old or the new content after a crash: temp file, fsync, rename. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  writeFilesAtomic([[file, content]]);
}

/**
 * Writes several files like writeFileAtomic, every temp file before the first rename, so that a full disk cannot leave
 * one of them new and another old (a manifest without its signature). A failed write removes its temp files.
 */
export function writeFilesAtomic(files: readonly (readonly [string, string | Uint8Array])[]): void {
  const temps = files.map(([file]) => tempOf(file));
  try {
    files.forEach(([, content], i) => {
      const fd = openSync(temps[i] as string, 'w', 0o644);
      try {
        writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
  } catch (error) {
    for (const tmp of temps) rmSync(tmp, { force: true });
    throw error;
  }
  files.forEach(([file], i) => {
    renameSync(temps[i] as string, file);
  });
}

function tempOf(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/** Whether a file name is a temp file writeFileAtomic leaves behind when the process is killed before its rename. */
export function isAtomicTemp(name: string, of: string): boolean {
  return name.startsWith(`${of}.tmp-`) && /^\d+$/.test(name.slice(of.length + 5));
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
