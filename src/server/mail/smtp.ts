import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';

/** Sends mail over SMTP with nodemailer, using a pooled connection to the configured server. */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  /**
   * @param timeoutMs how long to wait for the connection, the server's greeting, and any answer (default 30 s):
   * nodemailer's own defaults wait up to 10 minutes on a server that stopped answering, which held a graceful shutdown
   * that long (it waits for queued mail) and left the person without a link all the same.
   */
  constructor(url: string, from: string, opts: { timeoutMs?: number } = {}) {
    const timeout = opts.timeoutMs ?? 30_000;
    this.#transport = createTransport({
      url,
      pool: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.#from = from;
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      headers: { 'Content-Language': message.lang },
    });
  }

  /** Closes the pool at once: a mail still queued or being delivered fails. */
  async close(): Promise<void> {
    this.#transport.close({ force: true });
  }
}
