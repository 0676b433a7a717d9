/** One outgoing mail. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly lang: string;
}

/** Sends mail: into the outbox folder by default, or over SMTP when configured. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Stops sending: a mail still queued fails. */
  close(): Promise<void>;
}
