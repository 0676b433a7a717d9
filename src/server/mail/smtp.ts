import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';

/**
 * How long to wait before each new attempt at a mail the SMTP server did not take for a passing reason: about 12
 * minutes in all, well within the shortest link's validity (24 hours), and long enough for a mail server's restart.
 */
export const SMTP_RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000];

/**
 * Whether an SMTP failure may pass: the server could not be reached, did not answer in time, or answered with a
 * temporary (4xx) code such as 421 (closing, try later) or 451 (local error). A permanent (5xx) answer, such as an
 * unknown mailbox, or refused credentials, will not change by trying again.
 */
function isTransient(e: unknown): boolean {
  const { code, responseCode } = (e ?? {}) as { code?: unknown; responseCode?: unknown };
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500;
  return code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET' || code === 'EDNS';
}

/**
 * Whether an SMTP failure is about the mail itself and will not change: a permanent (5xx) answer to its recipient or
 * its content, or an address nodemailer cannot use. A passing failure that outlasted every attempt (a mail server down
 * for an hour), refused credentials, a refused sender or a refused relay (the operator's settings, which a fix mends)
 * are not.
 */
export function isRefusedForGood(e: unknown): boolean {
  const { code, responseCode, command, response } = (e ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
    response?: unknown;
  };
  // A 5.7.x refusal is about who sends, not the mailbox: "554 5.7.1 Relay access denied" is the operator's relay or
  // login settings, which a fix mends; the mail is kept for when it has been.
  if (typeof response === 'string' && /^\d{3}[ -]5\.7\.\d/.test(response)) return false;
  if (typeof responseCode === 'number') return responseCode >= 500 && (command === 'RCPT TO' || command === 'DATA');
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && command === 'API';
}

/** Sends mail over SMTP with nodemailer, using a pooled connection to the configured server. */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #retryDelaysMs: readonly number[];
  readonly #closing = new AbortController();
  readonly #onRetry: (e: unknown) => void;

  /**
   * @param timeoutMs how long to wait for the connection, the server's greeting, and any answer (default 30 s):
   * nodemailer's own defaults wait up to 10 minutes on a server that stopped answering, which held a graceful shutdown
   * that long (it waits for queued mail) and left the person without a link all the same.
   * @param retryDelaysMs the waits before each new attempt at a mail that failed for a passing reason (default
   * SMTP_RETRY_DELAYS_MS; `[]` tries once).
   * @param onRetry called when a mail failed for a passing reason and is about to wait for its next attempt.
   */
  constructor(
    url: string,
    from: string,
    opts: { timeoutMs?: number; retryDelaysMs?: readonly number[]; onRetry?: (e: unknown) => void } = {},
  ) {
    const timeout = opts.timeoutMs ?? 30_000;
    this.#transport = createTransport({
      url,
      pool: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.#from = from;
    this.#retryDelaysMs = opts.retryDelaysMs ?? SMTP_RETRY_DELAYS_MS;
    this.#onRetry = opts.onRetry ?? (() => {});
  }

  /** Sends one mail, trying again after a passing failure (see SMTP_RETRY_DELAYS_MS) until the mailer is closed. */
  async send(message: MailMessage): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#transport.sendMail({
          from: this.#from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          headers: { 'Content-Language': message.lang },
        });
        return;
      } catch (e) {
        const delay = this.#retryDelaysMs[attempt];
        if (delay === undefined || !isTransient(e) || this.#closing.signal.aborted) throw e;
        this.#onRetry(e);
        // Closing the mailer ends the wait, and the mail fails with its last error.
        await sleep(delay, undefined, { signal: this.#closing.signal }).catch(() => {
          throw e;
        });
      }
    }
  }

  /** Closes the pool at once: a mail still queued, being delivered or waiting to be tried again fails. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#transport.close({ force: true });
  }
}
