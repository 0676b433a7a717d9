/**
 * Work the server finishes after it has answered, such as sending a confirmation mail. Tracked so that a graceful
 * shutdown waits for it, and so that tests can wait for it instead of sleeping.
 */
export class BackgroundTasks {
  readonly #running = new Set<Promise<void>>();
  readonly #onError: (e: unknown) => void;

  constructor(onError: (e: unknown) => void) {
    this.#onError = onError;
  }

  /** Starts `work` now; its failure is reported, never thrown to the request that started it. */
  run(work: () => Promise<void>): void {
    const p: Promise<void> = work()
      .catch(this.#onError)
      .finally(() => this.#running.delete(p));
    this.#running.add(p);
  }

  /** How many tasks are running (started and not yet finished). */
  get size(): number {
    return this.#running.size;
  }

  /** Resolves when every task started so far (and any they started) has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
