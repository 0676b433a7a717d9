// The reader thread of the server mode of the embedded registry. It owns a read-only connection to the database file
// and runs the registry's slow aggregate reads (the counts that /metrics serves, a scan of every objection) off the
// main thread: run there, one scrape at a million objections stopped every request for over a second. WAL lets it
// read beside the writer thread. Plain JavaScript, as the writer thread is (see _commit-worker.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
const statements = new Map();

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    let statement = statements.get(msg.sql);
    if (!statement) {
      statement = db.prepare(msg.sql);
      statements.set(msg.sql, statement);
    }
    parentPort.postMessage({ type: 'done', id: msg.id, result: statement.all(...msg.params) });
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(e?.message ?? e), code: e?.code });
  }
});
