import './_engine-allocator.ts';
import { readFileSync } from 'node:fs';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../policy/compile-sql.ts';
import { DissentError } from '../shared/errors.ts';

/** Engine settings for one build. */
export interface EngineOptions {
  /** Database file; the build's tables live here so that a killed build can resume. */
  readonly file: string;
  readonly threads: number;
  /** DuckDB memory limit such as `1GB`; above it, DuckDB spills to `tempDir`. */
  readonly memoryLimit: string;
  readonly tempDir: string;
}

/** An open DuckDB database and one connection to it. */
export interface Engine {
  readonly conn: DuckDBConnection;
  /** Runs statements that return nothing. */
  run(sql: string): Promise<void>;
  /** Runs a query and returns its rows as plain objects with JSON-safe values (bigints as strings). */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

/** Opens (or reopens, to resume) the build database with bounded memory and a deterministic session. */
export async function openEngine(opts: EngineOptions): Promise<Engine> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(opts.file, {
      threads: String(opts.threads),
      memory_limit: opts.memoryLimit,
      temp_directory: opts.tempDir,
      preserve_insertion_order: 'true',
    });
  } catch (cause) {
    throw new DissentError('cannot open the build database (is another build using this folder?)', 'E_ENGINE', {
      cause,
    });
  }
  const conn = await instance.connect();
  // Dates and the record hash must not depend on the machine's time zone.
  await conn.run("SET TimeZone = 'UTC'");
  // Progress for the build's own bar (conn.progress reads -1 without it), never printed by the engine itself.
  await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  // The build's tables are written once and read a few times, then deleted: string compression (FSST, dictionaries)
  // cost more to write than they saved in reading (about 3 s of 25 at 2M records), at 2.4 times the disk space.
  await conn.run("SET disabled_compression_methods = 'fsst,dict_fsst,dictionary'");
  const trace = process.env.DISSENT_TRACE_SQL === '1';
  const wrap = async <T>(sql: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = trace ? performance.now() : 0;
    try {
      return await fn();
    } catch (cause) {
      const first = sql.trim().split(/\s+/).slice(0, 4).join(' ');
      throw new DissentError(
        `the build engine failed in "${first} …": ${scrub((cause as Error).message)}`,
        'E_ENGINE',
        {
          cause,
        },
      );
    } finally {
      if (trace) {
        // The statement's shape only: SQL text is the build's own, but keep it to one short line.
        const head = sql.replace(/\s+/g, ' ').trim().slice(0, 100);
        process.stderr.write(
          `[sql] ${(performance.now() - t0).toFixed(0).padStart(7)} ms  peak ${peakRssMiB().padStart(5)} MiB  ${head}\n`,
        );
      }
    }
  };
  // Traced, the statements other modules run on the connection itself (the redactor's) are timed too.
  const traced = trace
    ? new Proxy(conn, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop !== 'run' && prop !== 'runAndReadAll') return value;
          return (sql: string, ...rest: unknown[]) =>
            wrap(sql, () => (value as (...a: unknown[]) => Promise<unknown>).call(target, sql, ...rest));
        },
      })
    : conn;
  return {
    conn: traced,
    run: (sql) => wrap(sql, async () => void (await conn.run(sql))),
    rows: <T>(sql: string) => wrap(sql, async () => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[]),
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** The process's peak resident memory so far (VmHWM), in MiB; '?' where /proc is not there. */
function peakRssMiB(): string {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? String(Math.round(Number(kb) / 1024)) : '?';
  } catch {
    return '?';
  }
}

/**
 * A file path as an SQL string for the engine's readers (read_csv, read_json, read_parquet, parquet_schema), which
 * take `*`, `?` and `[` as a glob pattern: `posts[1].jsonl` would read `posts1.jsonl`, and `b*.jsonl` every file
 * starting with b. Each such character is put in a one-character class of its own, which matches only itself.
 */
export function sqlPath(path: string): string {
  return sqlString(path.replace(/[[*?]/g, (c) => `[${c}]`));
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Engine messages can quote values from the data; keep paths, drop anything else in quotes. */
function scrub(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/'([^'\n]*)'/g, (_, v: string) => (v.startsWith('/') ? `'${v}'` : "'…'"))
    .replace(/"([^"\n]*)"/g, (_, v: string) => (v.startsWith('/') ? `"${v}"` : '"…"'))
    .slice(0, 300);
}
