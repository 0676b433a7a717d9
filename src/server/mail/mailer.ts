/** One outgoing mail. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly lang: string;
  /** What the mail is for, as counted in `dissent_mail_total{kind}`: a confirmation or a withdrawal link. */
  readonly kind?: 'confirm' | 'withdraw';
  /** When the mail's link expires (ISO 8601): a mail not delivered by then is dropped, not sent. */
  readonly expiresAt?: string;
}

/** Sends mail: into the outbox folder by default, or over SMTP when configured. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Stops sending: a mail still queued fails (or, where the mailer keeps a spool, stays there for the next start). */
  close(): Promise<void>;
  /**
   * The mails left undelivered in the spool (see SpooledMailer) by an earlier run, or by every attempt of this one,
   * each with a `send` that delivers it and takes it off the spool; those whose link expired before `now` are taken off
   * and listed in `expired`. `olderThanMs`: only those spooled at least that long ago. Mailers without a spool have
   * none.
   */
  resume?(now: Date, opts?: { olderThanMs?: number }): Promise<{ pending: SpooledMail[]; expired: MailMessage[] }>;
}

/** A mail an earlier run left undelivered. */
export interface SpooledMail {
  readonly message: MailMessage;
  send(): Promise<void>;
}

/**
 * The send failed because the mailer was closed (a shutdown), and the mail stays in the spool: the next start sends
 * it. Not a failed delivery.
 */
export class MailDeferredError extends Error {
  readonly code = 'E_MAIL_DEFERRED';
  constructor() {
    super('the mailer closed before the mail server took the mail; it is kept for the next start');
    this.name = 'MailDeferredError';
  }
}
