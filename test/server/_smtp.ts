import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server that greylists: it answers the first `busy` recipients with 451 (try again later), as many mail
 * servers do with a sender they have not seen; it refuses `@gone.example` for good (550), and relaying to
 * `@relay.example` (554 5.7.1).
 */
export async function greylistingSmtp(busy: number) {
  let refused = () => {};
  const state = {
    rcpt: 0,
    received: 0,
    mails: [] as string[],
    refusedOnce: new Promise<void>((resolve) => {
      refused = resolve;
    }),
  };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      state.rcpt++;
      if (address.address.endsWith('@gone.example'))
        return cb(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      // What a mail server answers a client it does not relay for: the operator's settings, not the mailbox.
      if (address.address.endsWith('@relay.example'))
        return cb(Object.assign(new Error('5.7.1 Relay access denied'), { responseCode: 554 }));
      if (state.rcpt > busy) return cb();
      refused();
      cb(Object.assign(new Error('greylisted, try again later'), { responseCode: 451 }));
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received++;
        state.mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  // A client killed mid-session (kill -9) resets its connection: the server reports it, and the test expects it.
  smtp.on('error', () => {});
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  return { state, url, stop: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}
