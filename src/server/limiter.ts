import { sha256Base64 } from '../log/hash.ts';

/**
 * A fixed-window counter per key, for limits that @fastify/rate-limit cannot key on (the subject in a body). Keys
 * are stored hashed, so the process never keeps a list of the subjects or e-mails people typed.
 */
export class WindowLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = 0;
  #counts = new Map<string, number>();

  constructor(max: number, windowMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one attempt for `key`; false when the key has used up its attempts in this window. */
  take(key: string): boolean {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#counts = new Map();
    }
    const k = sha256Base64(key);
    const n = (this.#counts.get(k) ?? 0) + 1;
    this.#counts.set(k, n);
    return n <= this.#max;
  }

  /** Whole seconds until the current window ends and every key may try again: a Retry-After value. */
  retryAfter(): string {
    return String(Math.max(1, Math.ceil((this.#windowStart + this.#windowMs - this.#now()) / 1000)));
  }
}
