import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ROOT, hashLeaf, sha256, toHex } from '../log/hash.ts';
import { MemoryTree } from '../log/merkle.ts';
import { type Engine, openEngine } from './_duckdb.ts';
import { merkleRootSql } from './merkle-sql.ts';
import { recordHash, recordHashSql } from './record-hash.ts';

const dir = mkdtempSync(join(tmpdir(), 'dissent-merkle-'));
let db: Engine;
beforeAll(async () => {
  db = await openEngine({ file: ':memory:', threads: 2, memoryLimit: '256MB', tempDir: dir });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('merkleRootSql', () => {
  it.each([0, 1, 2, 3, 5, 7, 8, 13, 100])('matches the RFC 6962 tree of the log for %i leaves', async (n) => {
    await db.run(`CREATE OR REPLACE TABLE t AS SELECT i AS pos, sha256(i::VARCHAR) AS rh FROM range(${n}) r(i)`);
    const tree = new MemoryTree();
    for (let i = 0; i < n; i++) {
      tree.append(hashLeaf(sha256(String(i))));
    }
    const { root, size } = await merkleRootSql(db, 't');
    expect(size).toBe(n);
    expect(root).toBe(toHex(n === 0 ? EMPTY_ROOT : tree.root()));
  });
});

describe('recordHash', () => {
  it('is the same in SQL and in JS, unicode included', async () => {
    const r = {
      id: 'fb:p:1',
      source: 'facebook',
      kind: 'post',
      created_at: '2024-05-01T12:00:00.000000Z',
      lang: 'de',
      text: 'Grüße 👋 an alle',
    };
    await db.run(`CREATE OR REPLACE TABLE f AS SELECT 'fb:p:1' AS id, 'facebook' AS source, 'post' AS kind,
      TIMESTAMPTZ '2024-05-01 12:00:00+00' AS created_at, 'de' AS lang, 'Grüße 👋 an alle' AS text`);
    const [row] = await db.rows<{ h: string }>(`SELECT ${recordHashSql()} AS h FROM f`);
    expect(row?.h).toBe(recordHash(r));
  });
});
