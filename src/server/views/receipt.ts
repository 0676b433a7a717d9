import type { Programme } from '../../config/config.ts';
import type { Receipt } from '../../log/receipt.ts';
import { formatTime } from '../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { programmeTitleHtml } from './programme-title.ts';

/** The list of programmes a receipt covers, each marked in time or late. */
export function latenessList(ctx: PageContext, receipt: Receipt, programmes: readonly Programme[]): SafeHtml {
  const { t } = ctx;
  const title = (id: string) => programmeTitleHtml(programmes, id, ctx.lang);
  return html`<ul class="late">${Object.entries(receipt.late).map(
    ([id, late]) => html`<li>${title(id)}: <strong>${late ? t.late : t.inTime}</strong></li>`,
  )}</ul>`;
}

/**
 * What a receipt covers: its programme (or all), and for an account-scope objection that it leaves the person's
 * other, linked accounts uncovered, which a person reading "all AI training" would otherwise assume.
 */
export function coverageText(ctx: PageContext, receipt: Receipt, programmes: readonly Programme[]): SafeHtml | string {
  const what =
    receipt.programme === '*' ? ctx.t.coverageAll : programmeTitleHtml(programmes, receipt.programme, ctx.lang);
  return receipt.scope === 'account' ? html`${what} (${ctx.t.coverageAccountOnly})` : what;
}

/** A download link that carries the receipt itself, so that it works without JavaScript and without a second request. */
export function receiptDownload(ctx: PageContext, receipt: Receipt, filename: string): SafeHtml {
  const json = `${JSON.stringify(receipt, null, 2)}\n`;
  const href = `data:application/json;base64,${Buffer.from(json, 'utf8').toString('base64')}`;
  return html`<p><a class="button" id="download" href="${href}" download="${filename}">${ctx.t.download}</a></p>
<details><summary>${ctx.t.showReceipt}</summary><pre id="receipt-json" tabindex="0">${json}</pre></details>`;
}

/** The page shown after a confirmation or withdrawal: status, lateness, and the receipt to download. */
export function receiptPage(
  ctx: PageContext,
  data: {
    kind: 'objection' | 'withdrawal';
    created: boolean;
    receipt: Receipt;
    submittedAt: string;
    programmes: readonly Programme[];
    timeZone: string;
    /**
     * The link's token and a CSRF token: the language switch then presses the link again, which shows this receipt
     * in the other language (a link would lead away from the receipt, which may not have been saved yet).
     */
    again?: { action: string; token: string; csrf: string };
  },
): string {
  const { t } = ctx;
  const r = data.receipt;
  const withdrawal = data.kind === 'withdrawal';
  const title = withdrawal ? t.withdrawTitleDone : data.created ? t.receiptTitleNew : t.receiptTitleOld;
  const covers = coverageText(ctx, r, data.programmes);
  const body = html`<p>${withdrawal ? t.withdrawIntro : t.receiptIntro}</p>
<dl class="facts">
<dt>${t.receiptStatus}</dt><dd id="state"><strong>${withdrawal ? t.stateWithdrawn : t.stateEffective}</strong></dd>
<dt>${t.objectionId}</dt><dd><code>${r.objection_id}</code></dd>
<dt>${t.coverage}</dt><dd>${covers}</dd>
<dt>${withdrawal ? t.withdrawnAt : t.submittedAt}</dt><dd><time datetime="${data.submittedAt}">${formatTime(data.submittedAt, ctx.lang, data.timeZone)}</time></dd>
<dt>${t.logEntry}</dt><dd>${r.leaf_index}</dd>
</dl>
${withdrawal ? '' : latenessList(ctx, r, data.programmes)}
${receiptDownload(ctx, r, `${withdrawal ? 'withdrawal' : 'objection'}-receipt-${r.objection_id}.json`)}
<p><a href="/verify">${t.checkReceipt}</a> · <a href="/status">${t.seeStatus}</a></p>
${
  data.again
    ? html`<form id="again-form" method="post" action="${data.again.action}" hidden><input type="hidden" name="_csrf" value="${data.again.csrf}"><input type="hidden" name="token" value="${data.again.token}"></form>`
    : ''
}`;
  return data.again
    ? layout({ ...ctx, path: data.again.action }, title, body, { elsewhere: true, langForm: 'again-form' })
    : layout(ctx, title, body, { elsewhere: true });
}
