import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';

/**
 * Writes each mail as an RFC 5322 `.eml` file into a folder (the home's `outbox/` by default), for operators who
 * hand mail to another system and for tests. Files appear atomically: written under a temporary name, then renamed.
 */
export class OutboxMailer implements Mailer {
  readonly dir: string;
  readonly #from: string;
  readonly #transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(dir: string, from: string) {
    this.dir = dir;
    this.#from = from;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.#transport.sendMail({
      from: this.#from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      headers: { 'Content-Language': message.lang },
    });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
    const tmp = join(this.dir, `.${name}.tmp`);
    try {
      writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
    } catch (e) {
      // The folder may have gone since the start (a clean-up that took the folder for its mails): it is made again,
      // or every link mail would fail until a restart while the pages still say that one was sent.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
    }
    renameSync(tmp, join(this.dir, name));
  }

  async close(): Promise<void> {}
}
