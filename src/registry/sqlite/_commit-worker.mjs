// The SQLite writer thread of the server mode of the embedded registry. It owns a second connection to the same
// database file and runs each group commit (one IMMEDIATE transaction, fsync'd by synchronous=FULL) off the main
// thread, so that the event loop keeps serving requests while a batch is made durable. Plain JavaScript, because
// worker threads do not go through the TypeScript loader of every test runner.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
const statements = new Map(Object.entries(workerData.sql).map(([name, sql]) => [name, db.prepare(sql)]));

const blob = (v) =>
  v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;

// Thrown inside the transaction so that it rolls back: a subject the batch assumed free has an effective objection.
const EXISTS = Symbol('exists');

const run = db.transaction((expectedSize, ops) => {
  if (expectedSize !== null && statements.get('logSize').get().n !== expectedSize) return 'conflict';
  for (const [name, params] of ops) {
    const stmt = statements.get(name);
    if (name === 'coveringEffective') {
      if (stmt.get(...params) !== undefined) throw EXISTS;
    } else if (Array.isArray(params)) stmt.run(...params.map(blob));
    else stmt.run(params);
  }
  return 'ok';
});

function commit(expectedSize, ops) {
  try {
    return run.immediate(expectedSize, ops);
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
    parentPort.postMessage({ type: 'done', id: msg.id, result: commit(msg.expectedSize, msg.ops) });
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(e?.message ?? e), code: e?.code });
  }
});
