import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/**
 * The answer to a form submission. It is byte for byte the same whether or not the account exists (apart from the
 * CSRF token), so that nobody can use the form to probe for accounts.
 */
export function sentPage(
  ctx: PageContext,
  data: { kind: 'object' | 'withdraw'; grace: string; until: string; time: string },
): string {
  const { t } = ctx;
  const body =
    data.kind === 'object'
      ? html`<p>${t.sentBody(data.grace, data.until)}</p><p>${t.sentTime(data.time)}</p><p>${t.sentNoMail}</p>`
      : html`<p>${t.withdrawSentBody(data.grace, data.until)}</p><p>${t.sentNoMail}</p>`;
  return layout(ctx, t.sentTitle, html`<div role="status">${body}</div><p><a href="/">${t.back}</a></p>`);
}
