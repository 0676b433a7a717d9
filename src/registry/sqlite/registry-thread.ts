import { Worker } from 'node:worker_threads';
import { DissentError } from '../../shared/errors.ts';

/** A worker thread's answer to one request: done with a result, or the error it failed with. */
type ThreadReply<T> = { type: 'done' | 'error'; id: number; result?: T; message?: string; code?: string };

/** The main thread's side of a registry thread: one request in flight per call, answered by id. */
export class RegistryThread<T> {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: T) => void; reject: (e: Error) => void }>();
  #next = 0;
  /** Why the thread is gone, once it failed or exited: later requests fail at once instead of waiting for ever. */
  #gone: DissentError | undefined;
  #exited = false;

  /** `failure` turns the thread's error into the caller's; `what` and `code` say that the thread itself died. */
  constructor(
    script: URL,
    workerData: unknown,
    failure: (e: Error & { code?: string | undefined }) => Error,
    what: string,
    code: `E_${string}`,
  ) {
    this.#worker = new Worker(script, { workerData });
    this.#worker.on('message', (m: ThreadReply<T>) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.type === 'done') p?.resolve(m.result as T);
      else p?.reject(failure(Object.assign(new Error(m.message), { code: m.code })));
    });
    const fail = (cause: unknown) => {
      this.#gone ??= new DissentError(`the registry ${what} failed`, code, { cause });
      for (const p of this.#pending.values()) p.reject(this.#gone);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (exitCode) => {
      this.#exited = true;
      fail(new Error(`the thread exited (code ${exitCode})`));
    });
  }

  /** Whether the thread failed or exited: it answers nothing more. */
  get gone(): boolean {
    return this.#gone !== undefined;
  }

  request(message: object): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.postMessage({ type: 'close' });
    await exited;
  }
}
