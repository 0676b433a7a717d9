import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8' });

it('npm run bench -- --help prints the usage and generates no data; a misspelt option is named with the usage', () => {
  const help = run('bench/build.ts', '--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('usage: npm run bench [-- --records N]');
  expect(help.stderr).toBe('');
  const wrong = run('bench/log.ts', '--entires', '5');
  expect(wrong.status).toBe(2);
  expect(wrong.stderr).toContain("Unknown option '--entires'");
  expect(wrong.stderr).toContain('usage: npm run bench:log');
  expect(wrong.stderr).not.toContain('    at ');
});

it('refuses a benchmark option that is no whole number with the usage (exit 2), before any data is generated', () => {
  const records = run('bench/build.ts', '--records', '2e6x');
  expect(records.status).toBe(2);
  expect(records.stderr).toContain('--records must be a whole number of at least 1000');
  expect(records.stderr).toContain('usage: npm run bench [-- --records N]');
  expect(records.stderr).not.toContain('    at ');
  const seconds = run('bench/intake.ts', '--seconds', '0');
  expect(seconds.status).toBe(2);
  expect(seconds.stderr).toContain('usage: npm run bench:intake');
  expect(seconds.stderr).not.toContain('    at ');
});
