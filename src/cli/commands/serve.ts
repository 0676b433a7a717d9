import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import { startServer } from '../../server/app.ts';
import { InputError } from '../../shared/errors.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';

export default defineCommand({
  meta: {
    name: 'serve',
    description:
      'Serve the objection portal (German and English) and the JSON API (/api/v1) until SIGTERM, SIGINT or SIGHUP, then shut down gracefully; the config is read at start only.',
  },
  args: {
    ...commonArgs,
    listen: {
      type: 'string',
      description: 'address to listen on (default: server.listen in the config)',
      valueHint: 'HOST:PORT',
    },
    'access-log': { type: 'boolean', description: 'write one JSON line per request to stderr', default: true },
  },
  async run({ args }) {
    const home = await openHome(homeDir(args), { writerThread: true });
    const accessLog = new LineBuffer(process.stderr);
    const debug = args.debug === true;
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(home, {
        ...(args.listen ? { listen: args.listen } : {}),
        ...(args['access-log']
          ? {
              accessLog: (line) => accessLog.push(JSON.stringify({ t: new Date().toISOString(), ...line })),
            }
          : {}),
        errorLog: (e) =>
          process.stderr.write(
            `${JSON.stringify({ t: new Date().toISOString(), level: 'error', code: e.code, name: e.name, ...(e.cause ? { cause: e.cause } : {}), ...(debug ? { stack: e.stack } : {}) })}\n`,
          ),
      });
    } catch (e) {
      await home.close();
      const code = (e as { code?: string }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        const listen = args.listen ?? home.config.server.listen;
        throw new InputError(
          `cannot listen on ${listen} (${code}); pick another address with --listen HOST:PORT`,
          'E_LISTEN',
          {
            cause: e,
          },
        );
      }
      throw e;
    }
    out(`listening on ${server.url}`);
    if (!home.config.server.public_url) {
      const wildcard = /^https?:\/\/(0\.0\.0\.0|\[::\])[:/]/.test(server.url);
      info(
        `warning: server.public_url is not set, so the links in confirmation mails point at ${server.url}, ${wildcard ? 'which no one can open' : 'which works only for people who can reach this address directly'}; set server.public_url in ${home.dir}/dissent.config.yaml to the address people use (behind a proxy, its https URL)`,
      );
    }
    if (home.config.server.api_tokens.length === 0) {
      // dissent init writes an empty list: an operator who forgot to fill it in would take the 401s for a wrong token.
      info(
        `warning: server.api_tokens is empty, so the operator API and /metrics refuse every request (401); add a token to server.api_tokens in ${home.dir}/dissent.config.yaml (make one with: openssl rand -hex 32) and restart`,
      );
    }
    const { resent, expired } = server.spooledMails;
    if (resent + expired > 0) {
      info(
        `mail spool: ${resent === 1 ? '1 link mail' : `${resent} link mails`} the last run left undelivered ${resent === 1 ? 'is' : 'are'} being sent now${expired > 0 ? `; ${expired} whose links had expired ${expired === 1 ? 'was' : 'were'} dropped` : ''}`,
      );
    }
    info(
      `portal ${server.url}/ · API ${server.url}/api/v1/openapi.json · metrics ${server.url}/metrics (with an operator token)`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        info(`${signal}: finishing in-flight requests, then closing the registry`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      // A closed terminal or SSH session sends SIGHUP, which would otherwise end the process at once: requests in
      // flight cut off and mailed links still queued never sent. The config is read only at start, so there is
      // nothing to reload either.
      process.once('SIGHUP', () => stop('SIGHUP'));
    });
    await server.close();
    // The stored log's, not this process's tree: a CLI command on the same home may have appended meanwhile. A
    // registry that cannot be read now (its database down) is said so once the home is closed: the witness and the
    // access log are written all the same.
    const latest = await home.registry.latestCheckpoint().then(
      (cp) => ({ size: cp.size }),
      (e: unknown) => ({ failed: e }),
    );
    await home.close();
    accessLog.flush();
    if ('failed' in latest) throw latest.failed;
    info(`stopped; the log has ${latest.size} entries, all covered by the last signed checkpoint`);
  },
});

/** Collects log lines and writes them in one call every 50 ms, instead of one blocking write per request. */
class LineBuffer {
  #lines: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  constructor(readonly stream: NodeJS.WritableStream) {}
  push(line: string): void {
    this.#lines.push(line);
    this.#timer ??= setTimeout(() => this.flush(), 50).unref();
  }
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    this.stream.write(`${this.#lines.join('\n')}\n`);
    this.#lines = [];
  }
}
