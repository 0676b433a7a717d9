import { type Programme, programmeTitleById } from '../../config/config.ts';
import type { Receipt } from '../../log/receipt.ts';
import type { SnapshotRow } from '../../registry/types.ts';
import { formatTime } from '../i18n/index.ts';
import { csrfField, errorSummary, textField } from './fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { coverageText, latenessList } from './receipt.ts';

/** What /status found for a receipt. */
export type StatusOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'unknown' }
  | {
      readonly kind: 'found';
      readonly state: 'effective' | 'withdrawn' | 'pending';
      readonly receipt: Receipt;
      readonly submittedAt: string;
      readonly withdrawnAt: string | null;
      readonly honouredBy: readonly SnapshotRow[];
      /** Snapshots of the programmes it covers that were built without it (cut before it, or after a withdrawal). */
      readonly builtWithout: readonly SnapshotRow[];
      /** By snapshot id, the snapshot built over it in its folder (`build --force`). */
      readonly replacedBy: ReadonlyMap<string, SnapshotRow>;
    };

function outcomeHtml(ctx: PageContext, o: StatusOutcome, programmes: readonly Programme[], tz: string): SafeHtml {
  const { t } = ctx;
  if (o.kind === 'invalid') return html`<p class="verdict bad" id="verdict">${t.statusInvalid}</p>`;
  if (o.kind === 'unknown') return html`<p class="verdict bad" id="verdict">${t.statusUnknown}</p>`;
  const state =
    o.state === 'effective' ? t.stateEffective : o.state === 'withdrawn' ? t.stateWithdrawn : t.statePending;
  const title = (id: string) => programmeTitleById(programmes, id, ctx.lang);
  const rows = (list: readonly SnapshotRow[]) =>
    list.map((s) => {
      const next = o.replacedBy.get(s.id);
      const replaced = next ? t.snapshotReplaced(next.id, formatTime(next.created_at, ctx.lang, tz)) : '';
      return html`<li>${t.snapshotRow(s.id, title(s.programme), formatTime(s.created_at, ctx.lang, tz), s.cut_size)}${replaced}</li>`;
    });
  return html`<dl class="facts">
<dt>${t.receiptStatus}</dt><dd id="state"><strong>${state}</strong></dd>
<dt>${t.objectionId}</dt><dd><code>${o.receipt.objection_id}</code></dd>
<dt>${t.coverage}</dt><dd>${coverageText(ctx, o.receipt, programmes)}</dd>
<dt>${t.submittedAt}</dt><dd>${formatTime(o.submittedAt, ctx.lang, tz)}</dd>
${o.withdrawnAt ? html`<dt>${t.withdrawnAt}</dt><dd>${formatTime(o.withdrawnAt, ctx.lang, tz)}</dd>` : ''}
</dl>
${latenessList(ctx, o.receipt, programmes)}
<h2>${t.snapshotsHeading}</h2>
${
  o.honouredBy.length === 0
    ? html`<p id="snapshots">${o.state === 'withdrawn' ? t.snapshotsWithdrawn : o.builtWithout.length === 0 ? t.snapshotsNoneBuilt : t.snapshotsNone}</p>`
    : html`<ul id="snapshots">${rows(o.honouredBy)}</ul>${o.state === 'withdrawn' ? html`<p>${t.snapshotsWithdrawn}</p>` : ''}`
}
${o.builtWithout.length === 0 ? '' : html`<h2>${t.snapshotsWithoutHeading}</h2><ul id="snapshots-without">${rows(o.builtWithout)}</ul>`}
<p>${t.modelsLater}</p>`;
}

/** The /status page: paste a receipt, see state, lateness and the snapshots that honour it. */
export function statusPage(
  ctx: PageContext,
  data: {
    csrf: string;
    receipt?: string;
    outcome?: StatusOutcome;
    error?: string;
    programmes: readonly Programme[];
    timeZone: string;
  },
): string {
  const { t } = ctx;
  const body = html`<p>${t.statusIntro}</p>
${errorSummary(t.errorSummary, data.error ? [{ field: 'receipt', message: data.error }] : [])}
<form method="post" action="/status" id="status-form" novalidate>
${csrfField(data.csrf)}
<input type="hidden" name="lang" value="${ctx.lang}">
${textField({ id: 'receipt', label: t.receiptLabel, value: data.receipt ?? '', error: data.error, multiline: true, rows: 10, required: true })}
<button type="submit">${t.statusButton}</button>
</form>
${data.outcome ? html`<section id="result" aria-label="${t.receiptStatus}">${outcomeHtml(ctx, data.outcome, data.programmes, data.timeZone)}</section>` : ''}`;
  // Once a receipt was sent, the language switch sends it again, so that its status comes back in the other language
  // instead of an empty form (with nothing sent yet, a link does: an empty form would only say to paste a receipt).
  return layout(ctx, t.statusTitle, body, {
    failed: data.error !== undefined,
    ...(data.receipt ? { langForm: 'status-form' } : {}),
  });
}
