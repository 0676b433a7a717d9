import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canonicalJson, type Json } from '../../log/canonical-json.ts';
import type { Receipt } from '../../log/receipt.ts';
import { lateness } from '../../registry/lateness.ts';
import type { ResolvedSubject } from '../../registry/registry.ts';
import type { ObjectionRow } from '../../registry/types.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { arrivedAt } from '../arrival.ts';
import { isOperatorRequest } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { countEffective } from './links.ts';

const subjectBody = z
  .object({
    subject: z.string().min(1).max(200),
    programme: z.string().min(1).max(64).default('*'),
    scope: z.enum(['person', 'account']).default('person'),
  })
  .strict();

const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII');

/**
 * Refuses a request without a valid operator bearer token (401, with a WWW-Authenticate challenge). Use it as a
 * preParsing hook: the per-IP rate limit runs in onRequest, and must count a request with a wrong token first.
 */
export function requireOperator(ctx: ServerContext) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!isOperatorRequest(req, ctx.apiTokens)) {
      reply.header('www-authenticate', 'Bearer realm="dissent"');
      throw new HttpError(401, 'a valid operator bearer token is required', 'E_UNAUTHORIZED');
    }
  };
}

/** Refuses a body that is not sent as JSON (415), whatever the server's other parsers could read. */
async function requireJson(req: FastifyRequest): Promise<void> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'the request body must be JSON (Content-Type: application/json)', 'E_MEDIA_TYPE');
  }
}

/**
 * Resolves the body's subject and counts the request against its person's limit, whichever of the person's ids it
 * names (the person, or any of their accounts).
 */
async function limitSubject(
  ctx: ServerContext,
  reply: FastifyReply,
  body: z.infer<typeof subjectBody>,
): Promise<ResolvedSubject>;
async function limitSubject(
  ctx: ServerContext,
  reply: FastifyReply,
  body: z.infer<typeof subjectBody>,
  withdrawal: true,
): Promise<ResolvedSubject | undefined>;
async function limitSubject(
  ctx: ServerContext,
  reply: FastifyReply,
  body: z.infer<typeof subjectBody>,
  withdrawal = false,
): Promise<ResolvedSubject | undefined> {
  // A request the registry would refuse anyway (an unknown programme or subject) does not count: a client's typo
  // must not lock the person out of the API for the rest of the window.
  ctx.registry.checkProgramme(body.programme);
  const who = await ctx.registry.resolveSubject(body.subject, body.scope === 'account').catch((e: unknown) => {
    // An objection outlives its subject's place in the identity graph (a person whose accounts all moved to another
    // person): the registry withdraws it by the id it was filed for, and says unknown subject when there is none.
    if (withdrawal && e instanceof NotFoundError && e.code === 'E_UNKNOWN_SUBJECT') return undefined;
    throw e;
  });
  if (!ctx.subjects.take(`api:${who?.person ?? body.subject}`)) {
    reply.header('retry-after', ctx.subjects.retryAfter());
    throw new HttpError(429, 'too many requests for this subject; retry after Retry-After seconds', 'E_RATE_SUBJECT');
  }
  return who;
}

/** The operator's view of an objection: the stored row, its lateness, its withdrawal and a fresh receipt. */
async function objectionView(ctx: ServerContext, row: ObjectionRow) {
  const withdrawal = row.withdrawal_id ? await ctx.store.getWithdrawal(row.withdrawal_id) : undefined;
  return {
    id: row.id,
    subject: row.subject,
    scope: row.scope,
    programme: row.programme,
    state: row.state,
    channel: row.channel,
    submitted_at: row.submitted_at,
    effective_at: row.effective_at,
    withdrawn_at: row.withdrawn_at,
    late: lateness(row.programme, row.submitted_at, ctx.programmes),
    leaf_index: row.leaf_index,
    withdrawal: withdrawal
      ? { id: withdrawal.id, leaf_index: withdrawal.leaf_index, submitted_at: withdrawal.submitted_at }
      : null,
    receipt: row.leaf_index === null ? null : await ctx.registry.objectionReceipt(row),
  };
}

/**
 * The operator API: file and withdraw objections for subjects the operator has already signed in, and read one
 * back. Every route needs a bearer token from the config.
 */
export function operatorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const auth = requireOperator(ctx);
  // Requests with the same key wait for each other, so that a key can never be bound to two different requests.
  const inFlight = new Map<string, Promise<unknown>>();

  app.post('/api/v1/objections', { preParsing: [auth, requireJson] }, async (req, reply) => {
    const body = subjectBody.parse(req.body ?? {});
    return idempotent(ctx, inFlight, req, reply, {
      // The hash of an objection request is that of its body alone, as it was before withdrawals took keys.
      request: body,
      first: async (remember) => fileObjection(ctx, req, reply, body, await limitSubject(ctx, reply, body), remember),
      replay: (row) => {
        // Keys never expire: a key that comes back after the withdrawal (one made from the user and the action) means
        // a new objection, and a 200 with the old receipt would tell the caller that an objection is in force.
        if (row.state === 'withdrawn') {
          throw new HttpError(
            409,
            'the objection this Idempotency-Key filed has since been withdrawn; to object again, send a new key',
            'E_IDEMPOTENCY_WITHDRAWN',
          );
        }
        return ctx.registry.objectionReceipt(row);
      },
    });
  });

  app.post('/api/v1/withdrawals', { preParsing: [auth, requireJson] }, async (req, reply) => {
    const body = subjectBody.parse(req.body ?? {});
    return idempotent(ctx, inFlight, req, reply, {
      request: { withdrawal: body },
      first: async (remember) => {
        const resolved = await limitSubject(ctx, reply, body, true);
        const result = await ctx.registry.withdraw({
          ...(resolved ? { resolved } : {}),
          subject: body.subject,
          accountOnly: body.scope === 'account',
          programme: body.programme,
          channel: 'api',
        });
        await remember?.(result.withdrawal.objection_id);
        ctx.metrics.inc('dissent_withdrawals_total', { channel: 'api' });
        reply.header('location', objectionUrl(result.withdrawal.objection_id));
        return sendReceipt(reply, 201, result.receipt);
      },
      replay: async (row) => {
        const withdrawal = row.withdrawal_id ? await ctx.store.getWithdrawal(row.withdrawal_id) : undefined;
        if (!withdrawal) throw new HttpError(500, 'idempotency record points nowhere', 'E_IDEMPOTENCY_LOST');
        // The mirror of E_IDEMPOTENCY_WITHDRAWN: a key that comes back after the subject objected again means a new
        // withdrawal, and a 200 with the old receipt would tell the caller that no objection is in force.
        const newer = await ctx.store.findEffective(row.subject, row.scope, row.programme);
        if (newer && newer.id !== row.id) {
          throw new HttpError(
            409,
            'the subject has objected again since this Idempotency-Key withdrew an objection; to withdraw the new one, send a new key',
            'E_IDEMPOTENCY_SUPERSEDED',
          );
        }
        return ctx.registry.withdrawalReceipt(withdrawal);
      },
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/objections/:id', { preParsing: auth }, async (req, reply) => {
    const row = /^[ow]_[0-9a-z]{1,40}$/.test(req.params.id) ? await ctx.store.getObjection(req.params.id) : undefined;
    if (!row) throw new HttpError(404, 'no objection with this id', 'E_UNKNOWN_OBJECTION');
    return reply.header('cache-control', 'no-store').send(await objectionView(ctx, row));
  });
}

async function fileObjection(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  body: z.infer<typeof subjectBody>,
  resolved: ResolvedSubject,
  remember?: (objectionId: string) => Promise<void>,
): Promise<FastifyReply> {
  const result = await ctx.registry.object({
    resolved,
    subject: body.subject,
    programme: body.programme,
    accountOnly: body.scope === 'account',
    channel: 'api',
    submittedAt: arrivedAt(req, ctx.clock).toISOString(),
  });
  await remember?.(result.objection.id);
  if (result.created) countEffective(ctx, 'api', result.receipt);
  reply.header('location', objectionUrl(result.objection.id));
  return sendReceipt(reply, result.created ? 201 : 200, result.receipt);
}

/**
 * Runs a filing request at most once per Idempotency-Key. Without a key it just runs (`first`). The first request
 * with a key binds it to the objection it filed or withdrew; a retry with the same key and request gets that
 * objection's current receipt (`replay`) with 200 and `Idempotency-Replayed: true`, without counting against the
 * subject's limit; the same key with another request (another body, or the other route) is refused with 422.
 * Requests with one key wait for each other, so that a key can never be bound to two different requests.
 */
async function idempotent(
  ctx: ServerContext,
  inFlight: Map<string, Promise<unknown>>,
  req: FastifyRequest,
  reply: FastifyReply,
  op: {
    request: Json;
    first: (remember?: (objectionId: string) => Promise<void>) => Promise<FastifyReply>;
    replay: (row: ObjectionRow) => Promise<Receipt>;
  },
): Promise<FastifyReply> {
  const rawKey = req.headers['idempotency-key'];
  if (rawKey === undefined) return op.first();
  const parsed = idempotencyKey.safeParse(rawKey);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'the Idempotency-Key header must be one value of 1 to 255 visible ASCII characters',
      'E_SCHEMA',
    );
  }
  const key = parsed.data;
  const requestHash = createHash('sha256').update(canonicalJson(op.request)).digest('hex');
  while (inFlight.has(key)) await inFlight.get(key)?.catch(() => {});
  const work = (async () => {
    const seen = await ctx.store.getIdempotency(key);
    if (!seen) {
      return op.first((id) => ctx.store.putIdempotency(key, requestHash, id, ctx.clock().toISOString()));
    }
    if (seen.request_hash !== requestHash) {
      throw new HttpError(422, 'this Idempotency-Key was already used with a different request', 'E_IDEMPOTENCY');
    }
    const row = await ctx.store.getObjection(seen.objection_id);
    if (!row) throw new HttpError(500, 'idempotency record points nowhere', 'E_IDEMPOTENCY_LOST');
    const receipt = await op.replay(row);
    reply.header('idempotency-replayed', 'true').header('location', objectionUrl(row.id));
    return sendReceipt(reply, 200, receipt);
  })();
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}

function objectionUrl(id: string): string {
  return `/api/v1/objections/${encodeURIComponent(id)}`;
}

function sendReceipt(reply: FastifyReply, status: number, receipt: Receipt): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(receipt);
}
