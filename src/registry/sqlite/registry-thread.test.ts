import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { RegistryThread } from './registry-thread.ts';

/** A worker script that answers its first request and then dies, as a thread hit by a fatal error would. */
function dyingWorker(): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'dissent-thread-')), 'worker.mjs');
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';
     parentPort.on('message', (m) => {
       parentPort.postMessage({ type: 'done', id: m.id, result: 'ok' });
       setImmediate(() => process.exit(3));
     });`,
  );
  return pathToFileURL(file);
}

it('a registry thread that died answers every later request with an error instead of never, and closes at once', async () => {
  const thread = new RegistryThread<string>(dyingWorker(), {}, (e) => e, 'test thread', 'E_TEST');
  expect(await thread.request({})).toBe('ok');
  // The thread exits after its first answer.
  await new Promise<void>((resolve) => {
    const wait = () => (thread.gone ? resolve() : setImmediate(wait));
    wait();
  });
  // Before, the request was posted to the dead thread and its promise never settled: every /metrics scrape (or
  // commit) after the reader (or writer) thread died hung.
  await expect(thread.request({})).rejects.toMatchObject({ code: 'E_TEST' });
  await thread.close();
});
