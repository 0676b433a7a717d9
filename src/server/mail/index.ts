export { createMailer } from './create-mailer.ts';
export type { Mailer, MailMessage } from './mailer.ts';
export { OutboxMailer } from './outbox.ts';
export { SmtpMailer } from './smtp.ts';
