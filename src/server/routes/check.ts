import type { FastifyInstance } from 'fastify';
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

/** The text of the receipt file in a multipart form (as UTF-8; bytes that are not give text JSON cannot parse). */
function uploaded(body: unknown): string {
  const file = (body as Record<string, unknown> | undefined)?.file;
  return Buffer.isBuffer(file) ? file.toString('utf8') : '';
}

/** /verify (a receipt checked in the browser, or here without JavaScript) and /status (what became of it). */
export function checkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/verify', async (req, reply) => {
    const page = pageContext(ctx, req, reply, '/verify');
    return sendPage(reply, 200, verifyPage(page, ctx.registry.origin, { csrf: reply.generateCsrf() }));
  });

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
