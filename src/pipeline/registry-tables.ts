import { once } from 'node:events';
import { createWriteStream, rmSync } from 'node:fs';
import { type Engine, sqlPath } from './_duckdb.ts';
import type { ObjectingSubjects } from './objections.ts';

/**
 * Copies the identity graph and the objections in force at the cut into the build database, so that the build
 * reads a pinned copy even if the registry changes while it runs (and when it resumes).
 */
export async function loadRegistryTables(
  db: Engine,
  accountLines: AsyncIterable<string>,
  objecting: ObjectingSubjects,
  opts: { tempFile: string },
): Promise<{ accounts: number; objectorAccounts: number; personsWithoutAccounts: number }> {
  await db.run(`
    DROP TABLE IF EXISTS accounts; DROP TABLE IF EXISTS objecting; DROP TABLE IF EXISTS objector_accounts;
    DROP TABLE IF EXISTS known_names;
    CREATE TABLE objecting (scope VARCHAR, subject VARCHAR);`);
  // The registry writes the lines (see Store.accountLines) and the engine reads them as a file: per-value appender
  // calls, or an object per account in JS, cost several times more.
  const stream = createWriteStream(opts.tempFile);
  for await (const chunk of accountLines) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  await db.run(`
    CREATE TABLE accounts AS
      SELECT account, person, handle, display_name, try_cast(birth_date AS DATE) AS birth_date, country
      FROM read_json(${sqlPath(opts.tempFile)}, format = 'newline_delimited', columns = {account: 'VARCHAR',
        person: 'VARCHAR', handle: 'VARCHAR', display_name: 'VARCHAR', birth_date: 'VARCHAR', country: 'VARCHAR'});`);
  const [counted] = await db.rows<{ n: string }>('SELECT count(*) AS n FROM accounts');
  const n = Number(counted?.n ?? 0);
  rmSync(opts.tempFile, { force: true });
  const obj = await db.conn.createAppender('objecting');
  for (const p of [...objecting.persons].sort()) {
    obj.appendVarchar('person');
    obj.appendVarchar(p);
    obj.endRow();
  }
  for (const a of [...objecting.accounts].sort()) {
    obj.appendVarchar('account');
    obj.appendVarchar(a);
    obj.endRow();
  }
  obj.closeSync();
  // A person-scope objection covers every account of that person; an account-scope one only that account, even
  // when the account is not (or no longer) in the identity graph.
  await db.run(`
    CREATE TABLE objector_accounts AS
      SELECT a.account, a.person, a.handle, a.display_name FROM accounts a
        WHERE a.person IN (SELECT subject FROM objecting WHERE scope = 'person')
           OR a.account IN (SELECT subject FROM objecting WHERE scope = 'account')
      UNION
      SELECT subject, NULL, NULL, NULL FROM objecting
        WHERE scope = 'account' AND subject NOT IN (SELECT account FROM accounts);
    CREATE TABLE known_names AS
      SELECT DISTINCT display_name AS name FROM accounts WHERE display_name IS NOT NULL AND display_name <> '';`);
  const [row] = await db.rows<{ n: string }>('SELECT count(*) AS n FROM objector_accounts');
  // A person-scope objection follows the person id it was filed for: after the identity graph renumbered or merged
  // persons, it covers no account, and nothing of that person's can be excluded.
  const [lost] = await db.rows<{ n: string }>(`
    SELECT count(*) AS n FROM objecting o
      WHERE o.scope = 'person' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person = o.subject)`);
  return {
    accounts: n,
    objectorAccounts: Number(row?.n ?? 0),
    personsWithoutAccounts: Number(lost?.n ?? 0),
  };
}
