import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { generateSignerKey, parseSignerKey, type Signer, verifierKeyOf } from '../log/note.ts';
import { PgStore } from '../registry/postgres/pg-store.ts';
import { maskUrl } from '../registry/postgres/pg-url.ts';
import { Registry } from '../registry/registry.ts';
import { SqliteStore } from '../registry/sqlite/sqlite-store.ts';
import type { Store } from '../registry/store.ts';
import { DissentError, InputError, UnavailableError } from '../shared/errors.ts';
import { CONFIG_FILE, type Config, loadConfig, REGISTRY_FILE } from './config.ts';
import { LogKeyError, LogRolledBackError, LogWitness } from './log-witness.ts';

/** Reads a signing key file, refusing one that others can read. */
export function loadSigner(file: string): Signer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the signing key ${file}`, 'E_KEY', { cause });
  }
  try {
    return parseSignerKey(text);
  } catch (cause) {
    throw new InputError(`the signing key ${file} is malformed`, 'E_KEY', { cause });
  }
}

/** Reads a signing key; one that cannot be read is refused saying whose it is and the way on (`whose`). */
function loadKeyOf(file: string, whose: string): Signer {
  try {
    return loadSigner(file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(`${error.message}, ${whose}`, 'E_KEY', { cause: error });
  }
}

/** Reads the log's signing key. */
function loadLogSigner(file: string): Signer {
  return loadKeyOf(
    file,
    `the log's key (log.key_file in ${CONFIG_FILE}); put it back from a backup (with several hosts, copy it from another host's home); if it is lost, see "The log's key lost" in docs/portal.md`,
  );
}

/**
 * The key that signs a programme's snapshot manifests: its own key_file, or else the log's key (`logSigner`). A key_file
 * that cannot be read is refused naming the programme and the way on.
 */
export function manifestSigner(
  programme: { readonly id: string; readonly key_file?: string | undefined },
  logSigner: Signer,
): Signer {
  if (!programme.key_file) return logSigner;
  return loadKeyOf(
    programme.key_file,
    `the key_file of programme ${programme.id} in ${CONFIG_FILE}; put it back from a backup, or make a new one with "dissent log keygen" and publish its verifier key`,
  );
}

/** Writes a fresh Ed25519 signing key with file mode 0600 and returns its verifier key. */
export function writeSignerKey(file: string, name: string): string {
  const skey = generateSignerKey(name);
  writeFileSync(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return verifierKeyOf(parseSignerKey(skey));
}

/** How a home's store is opened. */
export interface StoreOptions {
  /** Commit on a writer thread so that a long-running server keeps serving while a batch is fsync'd. */
  readonly writerThread?: boolean;
  /**
   * Called before dissent makes its tables in a PostgreSQL database that has none; throws to refuse the database, so
   * that nothing is made there.
   */
  readonly beforeNewRegistry?: () => void;
}

/** The registry's url: DATABASE_URL when set, else database.url in the config. */
function registryUrl(config: Config): string {
  return process.env.DATABASE_URL ?? config.database.url;
}

/** The setting that names the registry: DATABASE_URL when set, else database.url in the config. */
function registrySource(): string {
  return process.env.DATABASE_URL !== undefined
    ? 'the DATABASE_URL environment variable'
    : `database.url in ${CONFIG_FILE}`;
}

/** Whether a url names a PostgreSQL database (the server mode). */
function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

/** The registry as errors name it: a sqlite: url's file, or a PostgreSQL url without its password. */
function registryName(config: Config, url: string): string {
  return isPostgresUrl(url) ? maskUrl(url) : registryFile(config, url.slice('sqlite:'.length));
}

/** The registry file a sqlite: url's path names: relative to the home folder, or absolute. */
function registryFile(config: Config, path: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : join(config.home, path);
}

/** Opens the store named by the config (or DATABASE_URL) and migrates it. */
export async function openStore(config: Config, opts: StoreOptions = {}): Promise<Store> {
  const url = registryUrl(config);
  // Say where the url came from: an operator whose config says sqlite: would otherwise look for it in the wrong
  // place. The url itself is never echoed (it may hold a password).
  const fromEnv = process.env.DATABASE_URL !== undefined;
  const source = registrySource();
  const fix = fromEnv ? `unset DATABASE_URL to use database.url from ${CONFIG_FILE}` : 'set it to sqlite:registry.db';
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    // sqlite:///x means a relative path to some tools and an absolute one to others: guessing could open an empty
    // registry beside the real one, and a build would then honour none of its objections.
    if (path === '' || path.startsWith('//')) {
      throw new InputError(
        `${source} must be sqlite:PATH, a file path relative to the home folder or absolute (sqlite:registry.db, sqlite:/srv/dissent/registry.db), not a sqlite:// url`,
        'E_DB',
      );
    }
    const file = registryFile(config, path);
    // A missing registry file is never made anew. Elsewhere it is a typo or a disk not mounted far more often than a
    // new registry; in the home (dissent init makes it), a file deleted or lost. An empty one would let a build honour
    // no objection, and would start the log over under the same key: a second log that verifiers holding a checkpoint
    // of the first see as a fork.
    if (file !== ':memory:' && !existsSync(file)) {
      const why =
        file === join(config.home, REGISTRY_FILE)
          ? 'is missing from the home: it holds every objection and the log; restore it from a backup'
          : `named by ${source} does not exist (a typo, or a disk not mounted?)`;
      throw new InputError(
        `the registry file ${file} ${why}; to start a new, empty registry and log there on purpose, create the file first: touch ${file}`,
        'E_DB',
      );
    }
    const store = new SqliteStore(file);
    await store.migrate();
    if (opts.writerThread && path !== ':memory:') store.startWriterThread();
    return store;
  }
  if (isPostgresUrl(url)) {
    // The server mode: the database must exist (dissent creates its tables, never the database), and the log witness
    // of the home guards it as it does a file.
    const store = new PgStore(url, { source });
    try {
      await store.migrate(opts.beforeNewRegistry ? { beforeCreate: opts.beforeNewRegistry } : {});
    } catch (e) {
      await store.close();
      // A shell that inherited a server's DATABASE_URL may mean the home's own registry.
      if (e instanceof DissentError && (e.code === 'E_DB' || e.code === 'E_DB_UNAVAILABLE') && fromEnv) {
        const said = `${e.message}; or ${fix}`;
        throw e instanceof UnavailableError
          ? new UnavailableError(said, e.code, { cause: e.cause })
          : new DissentError(said, e.code, { cause: e.cause });
      }
      throw e;
    }
    return store;
  }
  throw new InputError(
    `${source} is neither a sqlite: url nor a postgresql:// one (the kinds this version opens); ${fix}`,
    'E_DB',
  );
}

/** An opened home: its config, its signing key, its store and the registry over them. */
export interface Home {
  readonly dir: string;
  readonly config: Config;
  readonly signer: Signer;
  readonly store: Store;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** How a home is opened. */
export interface HomeOptions extends StoreOptions {
  readonly clock?: () => Date;
  /**
   * For commands that only read: a registry behind the home's log witness (restored from an older backup), or one
   * whose log another home's key or origin signs, is opened with a warning instead of refused.
   */
  readonly readOnly?: boolean;
}

/**
 * Opens a home folder for a command: config, key, store and registry. A registry whose log is behind, or forked from,
 * the latest checkpoint the home recorded (LogWitness) is refused with a LogRolledBackError.
 */
export async function openHome(dir: string, opts: HomeOptions = {}): Promise<Home> {
  const config = loadConfig(dir);
  const signer = loadLogSigner(config.log.key_file);
  const witness = new LogWitness(config.home, signer, config.log.origin, config.log.key_file);
  // Named in a refusal: a shell without the server's DATABASE_URL opens another registry than the server's.
  const file = registryName(config, registryUrl(config));
  // A database without dissent's tables is refused as an empty log would be, before they are made there: it is most
  // often the new database a dump is to be restored into, which pg_restore needs empty.
  const store = await openStore(config, {
    ...opts,
    beforeNewRegistry: () => witness.refuseSize(0, `${file}, named by ${registrySource()}`),
  });
  // Checked before the registry is opened: that signs a checkpoint of a log started anew, which a refused command
  // must not leave behind.
  try {
    await witness.check(store, `${file}, named by ${registrySource()}`);
  } catch (e) {
    if (!((e instanceof LogRolledBackError || e instanceof LogKeyError) && opts.readOnly)) {
      await store.close();
      throw e;
    }
    // A command that only reads (the log's own) may look at a rolled-back registry, or one another home's key signs,
    // and says so; it writes no witness (the check did not pass).
    process.stderr.write(`dissent: warning: ${e.message}\n`);
  }
  const registry = await Registry.open({
    store,
    origin: config.log.origin,
    signer,
    programmes: config.programmes,
    onCheckpoint: (note) => witness.saw(note),
    ...(opts.clock ? { clock: opts.clock } : {}),
  }).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  return {
    dir,
    config,
    signer,
    store,
    registry,
    close: async () => {
      await registry.drain();
      witness.flush();
      await store.close();
    },
  };
}

/** Refuses to create a home where one already is (a config file, or any file at all). */
export function assertFreshHome(dir: string, allowed: readonly string[] = []): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new InputError(`${dir} is a file, not a folder; choose a new folder for the dissent home`, 'E_HOME_EXISTS');
  }
  if (existsSync(join(dir, CONFIG_FILE))) {
    throw new InputError(`${dir} already holds a dissent home; refusing to overwrite it`, 'E_HOME_EXISTS');
  }
  if (existsSync(dir) && readdirSync(dir).some((f) => !allowed.includes(f))) {
    throw new InputError(`${dir} is not empty; choose a new folder for the dissent home`, 'E_HOME_EXISTS');
  }
  // Owner only: the home holds the log's signing key, API tokens and the registry's personal data. A folder made
  // beforehand (`mkdir`, `install -d`, the demo's) has the umask's mode, 0755 as a rule, and is narrowed too.
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch (cause) {
    throw new InputError(
      `cannot make ${dir} readable by its owner only (${(cause as NodeJS.ErrnoException).code ?? 'chmod failed'}); the home holds the signing key and API tokens: give a folder of your own, or a new one`,
      'E_HOME_MODE',
      { cause },
    );
  }
}
