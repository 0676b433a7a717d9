import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The message a Go-dependent test prints when it skips. */
export const GO_INSTALL_HINT = 'apt-get install golang-go golang-golang-x-mod-dev';

const SOURCE = fileURLToPath(new URL('../interop/go/main.go', import.meta.url));
const X_MOD_NOTE = join('src', 'golang.org', 'x', 'mod', 'sumdb', 'note', 'note.go');
const DEBIAN_GOPATH = '/usr/share/gocode';

/** Whether the Go reference verifier can be built here: the go binary and the GOPATH holding golang.org/x/mod. */
export type GoAvailability = { ok: true; go: string; gopath: string } | { ok: false; reason: string };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Locates `go` on PATH and a GOPATH with golang.org/x/mod (Debian's /usr/share/gocode or $GOPATH); never throws. */
export function goAvailability(): GoAvailability {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  const go = dirs.map((d) => join(d, 'go')).find(isExecutable);
  if (!go) return { ok: false, reason: `go not found (${GO_INSTALL_HINT})` };
  const roots = [...(process.env.GOPATH ?? '').split(delimiter), DEBIAN_GOPATH].filter((d) => d.length > 0);
  const withMod = roots.filter((d) => existsSync(join(d, X_MOD_NOTE)));
  if (withMod.length === 0) return { ok: false, reason: `golang.org/x/mod not found in GOPATH (${GO_INSTALL_HINT})` };
  return { ok: true, go, gopath: [...new Set(withMod)].join(delimiter) };
}

let built: Promise<string | undefined> | undefined;

/**
 * Builds test/interop/go/main.go (Go's sumdb/note and sumdb/tlog, offline, GOPATH mode) once per process and returns
 * the binary's path, or undefined when Go or golang.org/x/mod is missing. A failing compile rejects.
 * @example const bin = await buildGoVerifier(); if (bin) await runGoInterop(bin, 'verify-note', { vkey, note });
 */
export function buildGoVerifier(): Promise<string | undefined> {
  built ??= build();
  return built;
}

async function build(): Promise<string | undefined> {
  const avail = goAvailability();
  if (!avail.ok) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dissent-go-interop-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'interop');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: avail.gopath,
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
  };
  // Go refuses to build without a cache; a sandbox may have neither HOME nor XDG_CACHE_HOME.
  if (!env.GOCACHE && !env.HOME && !env.XDG_CACHE_HOME) env.GOCACHE = join(dir, 'cache');
  const res = spawnSync(avail.go, ['build', '-o', bin, SOURCE], { env, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`building the Go interop verifier failed:\n${res.stderr ?? ''}${res.error?.message ?? ''}`);
  }
  return bin;
}

/** Runs one command of the Go interop binary with a JSON request on stdin and returns its parsed JSON answer. */
export function runGoInterop<T>(bin: string, command: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [command], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`go interop ${command} exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as T);
      } catch (e) {
        reject(new Error(`go interop ${command} printed invalid JSON`, { cause: e }));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
