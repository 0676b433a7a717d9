import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';

/** Sends mail over SMTP with nodemailer, using a pooled connection to the configured server. */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(url: string, from: string) {
    const u = new URL(url);
    u.searchParams.set('pool', 'true');
    this.#transport = createTransport(u.toString());
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

  async close(): Promise<void> {
    this.#transport.close();
  }
}
