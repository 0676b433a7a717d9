import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { EXAMPLE_VALUES } from '../../config/template.ts';
import { initHome } from './init.ts';

it('leaves nothing behind when it fails half-way, so that it can simply be run again', () => {
  // Say the disk fills up before the key is written: a config without its key made a home that every command refused
  // ("the signing key is malformed") and that init refused to make again ("already holds a dissent home").
  const dir = join(mkdtempSync(join(tmpdir(), 'dissent-init-')), 'home');
  mkdirSync(join(dir, 'log.key'), { recursive: true });
  expect(() => initHome(dir, EXAMPLE_VALUES, ['log.key'])).toThrow(
    /could not create the dissent home .*nothing of it was left/,
  );
  expect(readdirSync(dir)).toEqual(['log.key']);
  rmdirSync(join(dir, 'log.key'));
  expect(initHome(dir).verifierKey).toMatch(/^dissent\.example\/log\+/);
  expect(existsSync(join(dir, 'log.key'))).toBe(true);
});
