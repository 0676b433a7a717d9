import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import { startServer } from '../../server/app.ts';
import { commonArgs, homeDir, info, out } from '../_common.ts';

export default defineCommand({
  meta: {
    name: 'serve',
    description:
      'Serve the objection portal (German and English) and the JSON API (/api/v1) until SIGTERM or SIGINT, then shut down gracefully.',
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
    const home = await openHome(homeDir(args));
    const debug = args.debug === true;
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(home, {
        ...(args.listen ? { listen: args.listen } : {}),
        ...(args['access-log']
          ? {
              accessLog: (line) =>
                process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...line })}\n`),
            }
          : {}),
        errorLog: (e) =>
          process.stderr.write(
            `${JSON.stringify({ t: new Date().toISOString(), level: 'error', code: e.code, name: e.name, ...(debug ? { stack: e.stack } : {}) })}\n`,
          ),
      });
    } catch (e) {
      await home.close();
      throw e;
    }
    out(`listening on ${server.url}`);
    info(`portal ${server.url}/ · API ${server.url}/api/v1/openapi.json · metrics ${server.url}/metrics`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        info(`${signal}: finishing in-flight requests, then closing the registry`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await server.close();
    const size = home.registry.size;
    await home.close();
    info(`stopped; the log has ${size} entries, all covered by the last signed checkpoint`);
  },
});
