import type { Programme } from '../../config/config.ts';
import { MAX_REASON_CHARS, type ObjectionRow } from '../../registry/types.ts';
import { csrfField, textField } from './fields.ts';
import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { programmeTitleHtml } from './programme-title.ts';

/**
 * The page a mailed link opens. The token is used only by the POST its button sends, so that mail scanners that
 * prefetch links cannot confirm or withdraw anything. For a link that can still be used it says what the link is for:
 * the programme and, for a confirmation, the reason sent with the request, which the person may change or delete
 * before pressing (anyone who typed their handle or e-mail can have a link sent to them, with a reason of their own).
 */
export function confirmPage(
  ctx: PageContext,
  data: {
    kind: 'confirm' | 'withdraw';
    token: string;
    csrf: string;
    objection?: ObjectionRow;
    programmes?: readonly Programme[];
    /** The reason as last typed, when the page comes back with an error. */
    reason?: string;
    reasonError?: string;
  },
): string {
  const { t } = ctx;
  const withdraw = data.kind === 'withdraw';
  const o = data.objection;
  const covers = o
    ? o.programme === '*'
      ? t.coverageAll
      : programmeTitleHtml(data.programmes ?? [], o.programme, ctx.lang)
    : undefined;
  // The reason can be edited here, so the language switch posts it back rather than reloading the stored one.
  const editable = o !== undefined && !withdraw;
  const body = html`<p>${withdraw ? t.withdrawConfirmBody : t.confirmBody}</p>
${covers ? html`<p>${withdraw ? t.linkWithdraws : t.linkCovers} <strong>${covers}</strong></p>` : ''}
<form method="post" action="${withdraw ? '/withdraw/confirm' : '/confirm'}"${editable ? html` id="link-form"` : ''}>
${csrfField(data.csrf)}
<input type="hidden" name="token" value="${data.token}">
<input type="hidden" name="lang" value="${ctx.lang}">
${
  editable
    ? html`<input type="hidden" name="edit_reason" value="1">
${textField({ id: 'reason', label: t.reasonLabel, hint: t.confirmReasonHint, value: data.reason ?? o.reason ?? '', error: data.reasonError, multiline: true, maxlength: MAX_REASON_CHARS })}`
    : ''
}
<button type="submit">${withdraw ? t.withdrawConfirmButton : t.confirmButton}</button>
</form>`;
  return layout(ctx, withdraw ? t.withdrawConfirmTitle : t.confirmTitle, body, {
    ...(editable ? { langForm: 'link-form' } : {}),
    failed: data.reasonError !== undefined,
  });
}
