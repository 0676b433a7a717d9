import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a measured child process did: exit status, output, wall time and peak resident memory. */
export interface ChildRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** Peak RSS (VmHWM) in bytes, sampled from /proc while it ran; 0 where there is no /proc (not measured). */
  readonly peakRss: number;
}

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `node --import tsx script args` and measures it; VmHWM only grows, so the last sample is the peak. */
export function runMeasured(script: string, args: readonly string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, vmHwm(child.pid));
    }, 50);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearInterval(timer);
      resolve({ status, stdout, stderr, wallMs: Date.now() - t0, peakRss: peak });
    });
  });
}
