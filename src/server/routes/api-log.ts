import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../problem.ts';

/** The largest page of log entries one request returns. */
export const MAX_ENTRIES = 1000;

const index = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a non-negative integer') })
  .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a non-negative integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is too large');

const inclusionQuery = z.object({ index, size: index.optional() });
const consistencyQuery = z.object({ from: index, to: index.optional() });
const entriesQuery = z.object({ start: index, end: index.optional() });

/**
 * The public transparency-log API: anyone may fetch the signed checkpoint, proofs and entries, and the verifier key,
 * to audit the log or check a receipt without trusting this server.
 */
export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/log/checkpoint', async (_req, reply) => {
    const cp = await ctx.registry.latestCheckpoint();
    return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(cp.note);
  });

  app.get('/api/v1/log/key', async (_req, reply) =>
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(`${ctx.verifierKey}\n`),
  );

  app.get('/api/v1/log/proof/inclusion', async (req) => {
    const q = inclusionQuery.parse(req.query);
    return ctx.registry.inclusionProof(q.index, q.size);
  });

  app.get('/api/v1/log/proof/consistency', async (req) => {
    const q = consistencyQuery.parse(req.query);
    return ctx.registry.consistencyProof(q.from, q.to);
  });

  app.get('/api/v1/log/entries', async (req) => {
    const q = entriesQuery.parse(req.query);
    const size = (await ctx.registry.latestCheckpoint()).size;
    const end = Math.min(q.end ?? q.start + 100, size);
    if (q.start > size) throw new HttpError(400, `start is beyond the log (size ${size})`, 'E_RANGE');
    if (end < q.start) throw new HttpError(400, 'end must not be before start', 'E_RANGE');
    if (end - q.start > MAX_ENTRIES) {
      throw new HttpError(400, `at most ${MAX_ENTRIES} entries per request`, 'E_RANGE');
    }
    return { start: q.start, end, size, entries: await ctx.store.getLeaves(q.start, end) };
  });
}
