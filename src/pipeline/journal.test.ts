import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesAtomic } from './journal.ts';

const dir = mkdtempSync(join(tmpdir(), 'dissent-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFilesAtomic', () => {
  it('writes every file, or (when one cannot be written, as on a full disk) none and no temp file', () => {
    writeFilesAtomic([
      [join(dir, 'manifest.json'), 'old manifest'],
      [join(dir, 'manifest.sig'), 'old signature'],
    ]);
    // The second file's folder is missing: its write fails after the first file's temp file was written.
    expect(() =>
      writeFilesAtomic([
        [join(dir, 'manifest.json'), 'new manifest'],
        [join(dir, 'missing', 'manifest.sig'), 'new signature'],
      ]),
    ).toThrow(/ENOENT/);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe('old manifest');
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'manifest.sig']);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
