import { csrfField } from './fields.ts';
import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/**
 * The page a mailed link opens. It only shows a button: the token is used by the POST it sends, so that mail
 * scanners that prefetch links cannot confirm or withdraw anything.
 */
export function confirmPage(
  ctx: PageContext,
  data: { kind: 'confirm' | 'withdraw'; token: string; csrf: string },
): string {
  const { t } = ctx;
  const withdraw = data.kind === 'withdraw';
  const body = html`<p>${withdraw ? t.withdrawConfirmBody : t.confirmBody}</p>
<form method="post" action="${withdraw ? '/withdraw/confirm' : '/confirm'}">
${csrfField(data.csrf)}
<input type="hidden" name="token" value="${data.token}">
<input type="hidden" name="lang" value="${ctx.lang}">
<button type="submit">${withdraw ? t.withdrawConfirmButton : t.confirmButton}</button>
</form>`;
  return layout(ctx, withdraw ? t.withdrawConfirmTitle : t.confirmTitle, body);
}
