// The SQLite writer thread of the server mode of the embedded registry. It owns a second connection to the same
// database file and runs each group commit (one IMMEDIATE transaction, fsync'd by synchronous=FULL) off the main
// thread, so that the event loop keeps serving requests while a batch is made durable; the small writes of the portal
// (link tokens, idempotency keys, the purge) run here too, one transaction each (see _writes.mjs). Plain JavaScript, because
// worker threads do not go through the TypeScript loader of every test runner.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyCommit, EXISTS } from './_commit-apply.mjs';
import { applyWrite, WRITE_SQL } from './_writes.mjs';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
// No dissent_fold here (the accounts indexes are over it, migration 5): this thread never touches accounts.
const statements = Object.fromEntries(Object.entries(workerData.sql).map(([name, sql]) => [name, db.prepare(sql)]));

const writes = Object.fromEntries(Object.entries(WRITE_SQL).map(([name, sql]) => [name, db.prepare(sql)]));

const run = db.transaction((batch) => applyCommit(statements, batch));
const write = db.transaction((w) => applyWrite(writes, w));

function commit(batch) {
  try {
    return run.immediate(batch);
  } catch (e) {
    if (e === EXISTS) return 'exists';
    throw e;
  }
}

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const result = msg.write ? write.immediate(msg.write) : commit(msg.batch);
    parentPort.postMessage({ type: 'done', id: msg.id, result });
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(e?.message ?? e), code: e?.code });
  }
});
