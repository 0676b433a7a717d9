export { createMailer } from './create-mailer.ts';
export { MailDeferredError, type Mailer, type MailMessage, type SpooledMail } from './mailer.ts';
export { OutboxMailer } from './outbox.ts';
export { SmtpMailer } from './smtp.ts';
export { SpooledMailer } from './spool.ts';
