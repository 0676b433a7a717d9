import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseVerifierKey } from '../../log/note.ts';
import { verifyReceipt } from '../../log/receipt.ts';
import type { ServerContext } from '../context.ts';
import { receiptStatus } from '../receipt-status.ts';
import { statusPage } from '../views/status.ts';
import { verifyPage } from '../views/verify.ts';
import { field, pageContext, sendPage } from './_page.ts';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The text of the receipt file in a multipart form, as UTF-8 without a byte order mark (as a browser's File.text()
 * reads it); bytes that are not UTF-8 give text that JSON cannot parse.
 */
function uploaded(body: unknown): string {
  const file = (body as Record<string, unknown> | undefined)?.file;
  return Buffer.isBuffer(file) ? new TextDecoder('utf-8').decode(file) : '';
}

/**
 * Parses a multipart/form-data body that Fastify has already read within the body limit: fields as strings, files as
 * Buffers, a name sent twice as a list (which `field` reads as empty, as for a url-encoded form). A body that is not
 * well-formed multipart is a 400.
 */
async function parseMultipart(contentType: string, body: Buffer): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw Object.assign(new Error('malformed multipart body'), { statusCode: 400 });
  }
  const out: Record<string, unknown> = Object.create(null);
  const entries: [string, string | Blob][] = [];
  form.forEach((value, name) => {
    entries.push([name, value as string | Blob]);
  });
  for (const [name, value] of entries) {
    const v = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    out[name] = name in out ? [out[name], v].flat() : v;
  }
  return out;
}

/** /verify (a receipt checked in the browser, or here without JavaScript) and /status (what became of it). */
export async function checkRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/verify', async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/verify');
    return sendPage(reply, 200, verifyPage(page, ctx.registry.origin, { csrf: reply.generateCsrf() }));
  });

  // Only POST /verify takes multipart/form-data (a receipt file uploaded without JavaScript): the parser lives in a
  // scope of its own, and reads the body within the body limit as Fastify does for any form.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: ctx.limits.bodyBytes },
      async (req: FastifyRequest, body: Buffer) => parseMultipart(req.headers['content-type'] ?? '', body),
    );
    verifyPost(scope, ctx);
  });

  app.get('/status', async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/status');
    return sendPage(
      reply,
      200,
      statusPage(page, { csrf: reply.generateCsrf(), programmes: ctx.programmes, timeZone: ctx.timeZone }),
    );
  });

  app.post('/status', { preValidation: app.csrfProtection }, async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/status');
    const receipt = field(req.body, 'receipt');
    const base = { csrf: reply.generateCsrf(), programmes: ctx.programmes, timeZone: ctx.timeZone, receipt };
    if (receipt.trim() === '')
      return sendPage(reply, 400, statusPage(page, { ...base, error: page.t.errReceiptRequired }));
    const parsed = parseJson(receipt);
    if (!parsed.ok) return sendPage(reply, 400, statusPage(page, { ...base, error: page.t.errReceiptJson }));
    return sendPage(reply, 200, statusPage(page, { ...base, outcome: await receiptStatus(ctx, parsed.value) }));
  });
}

/** POST /verify: the server's check of a pasted or uploaded receipt. */
function verifyPost(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/verify', { preValidation: app.csrfProtection }, async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/verify');
    // The receipt pasted, or else the file uploaded (the form sends both as multipart/form-data).
    const receipt = field(req.body, 'receipt').trim() === '' ? uploaded(req.body) : field(req.body, 'receipt');
    const key = field(req.body, 'key').trim() || ctx.verifierKey;
    const again = (status: number, data: Parameters<typeof verifyPage>[2]) =>
      sendPage(reply, status, verifyPage(page, ctx.registry.origin, data));
    if (receipt.trim() === '') {
      return again(400, { csrf: reply.generateCsrf(), key, error: page.t.errReceiptRequired });
    }
    const parsed = parseJson(receipt);
    if (!parsed.ok) return again(400, { csrf: reply.generateCsrf(), receipt, key, error: page.t.errReceiptJson });
    let outcome: ReturnType<typeof verifyReceipt>;
    try {
      // With this server's own key, the receipt must come from this server's log, not another the key signs.
      outcome = verifyReceipt(
        parsed.value,
        parseVerifierKey(key),
        key === ctx.verifierKey ? ctx.registry.origin : undefined,
      );
    } catch (e) {
      outcome = { ok: false, checks: [{ name: 'key', ok: false, detail: (e as Error).message }] };
    }
    const index = (parsed.value as { leaf_index?: unknown } | null)?.leaf_index;
    return again(200, {
      csrf: reply.generateCsrf(),
      receipt,
      key,
      outcome: {
        ...outcome,
        ...(typeof index === 'number' ? { index } : {}),
        ...(outcome.size !== undefined ? { size: outcome.size } : {}),
        ...(outcome.event !== undefined ? { event: outcome.event } : {}),
      },
    });
  });
}
