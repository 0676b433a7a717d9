import { join } from 'node:path';
import type { Config } from '../../config/config.ts';
import type { Mailer } from './mailer.ts';
import { OutboxMailer } from './outbox.ts';
import { SmtpMailer } from './smtp.ts';
import { SpooledMailer } from './spool.ts';

/**
 * The mailer the config asks for: SMTP when `server.smtp_url` is set, each mail kept in `<home>/mail-spool` until the
 * mail server took it; else `.eml` files in `<home>/outbox`. `onRetry` hears of each SMTP attempt that failed for a
 * passing reason and will be made again; `onSpoolError`, of each mail the spool could not keep (it is sent all the same).
 */
export function createMailer(
  config: Config,
  onRetry?: (e: unknown) => void,
  onSpoolError?: (e: unknown) => void,
): Mailer {
  return config.server.smtp_url
    ? new SpooledMailer(
        new SmtpMailer(config.server.smtp_url, config.server.mail_from, onRetry ? { onRetry } : {}),
        join(config.home, 'mail-spool'),
        onSpoolError ? { onSpoolError } : {},
      )
    : new OutboxMailer(join(config.home, 'outbox'), config.server.mail_from);
}
