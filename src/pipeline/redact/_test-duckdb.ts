import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { loadNames, loadTexts, redactInDuckDB } from './duckdb.ts';
import type { PiiType } from './types.ts';

/** One in-memory DuckDB connection for a test file: open before its tests, closed after them. Test-only. */
export function useDuckDB(): { readonly conn: DuckDBConnection } {
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });
  return {
    get conn() {
      if (!conn) throw new Error('useDuckDB: the connection opens in beforeAll');
      return conn;
    },
  };
}

/** Redacts `texts` with redactInDuckDB in a fresh table `t` (names in `n`) and returns them in input order. */
export async function viaDuckDB(
  conn: DuckDBConnection,
  texts: readonly string[],
  types: readonly PiiType[],
  names: readonly string[],
): Promise<{ texts: string[]; candidatesChecked: number }> {
  await loadTexts(conn, 't', texts, 'body');
  await loadNames(conn, 'n', names);
  const result = await redactInDuckDB(conn, {
    table: 't',
    keyColumn: 'id',
    textColumn: 'body',
    types,
    knownNamesTable: 'n',
  });
  const reader = await conn.runAndReadAll('SELECT body FROM t ORDER BY id');
  return { texts: reader.getColumns()[0]!.map(String), ...result };
}
