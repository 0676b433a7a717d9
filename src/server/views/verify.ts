import type { Check, ReceiptVerdict } from '../../log/receipt.ts';
import type { Messages } from '../i18n/index.ts';
import { csrfField, errorSummary, textField } from './fields.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/** The outcome of a receipt check, as the page shows it. */
export interface VerifyOutcome {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly index?: number;
  readonly size?: number;
  readonly event?: ReceiptVerdict['event'];
}

/** The sentence saying what a valid receipt records (the browser script builds the same from verifyTexts). */
function records(t: Messages, event: NonNullable<VerifyOutcome['event']>): string {
  const what = event.programme === '*' ? t.anyProgramme : `“${event.programme}”`;
  // An account-scope entry covers that one account: "all AI training" alone would read as the whole person.
  const programme = event.scope === 'account' ? `${what} (${t.coverageAccountOnly})` : what;
  return t.receiptRecords[event.type].replace('{programme}', programme);
}

/** The signed submission time of a valid receipt's leaf, in UTC as the leaf has it (the browser script says the same). */
function submitted(t: Messages, event: NonNullable<VerifyOutcome['event']>): string {
  const time = event.submitted_at.replace('T', ' ').replace(/Z$/, ' UTC');
  return t.receiptSubmitted[event.type].replace('{time}', time);
}

/** Renders a check outcome: a verdict line and one line per check (the browser script renders the same markup). */
export function verdict(t: Messages, outcome: VerifyOutcome, where: string): SafeHtml {
  return html`<p class="verdict ${outcome.ok ? 'ok' : 'bad'}" id="verdict" data-valid="${String(outcome.ok)}"><strong>${
    outcome.ok ? t.valid(outcome.index ?? 0, outcome.size ?? 0) : t.invalid
  }</strong>${outcome.ok && outcome.event ? html` <span id="records" data-event="${outcome.event.type}" data-scope="${outcome.event.scope}">${records(t, outcome.event)}</span> <span id="submitted" data-submitted="${outcome.event.submitted_at}">${submitted(t, outcome.event)}</span>` : ''}</p>
<ul class="checks">${outcome.checks.map(
    (c) =>
      html`<li class="${c.ok ? 'ok' : 'bad'}">${t.checkNames[c.name] ?? c.name}: ${c.ok ? t.passed : t.failed}${
        !c.ok && (t.checkFailures[c.name] ?? c.detail) ? html` (${t.checkFailures[c.name] ?? c.detail})` : ''
      }</li>`,
  )}</ul>
<p class="where">${where}</p>`;
}

/** Texts the browser check needs, with `{index}` and `{size}` placeholders. */
export function verifyTexts(t: Messages): Record<string, unknown> {
  return {
    valid: t.valid(-1, -2).replace('-1', '{index}').replace('-2', '{size}'),
    invalid: t.invalid,
    records: t.receiptRecords,
    anyProgramme: t.anyProgramme,
    accountOnly: t.coverageAccountOnly,
    submitted: t.receiptSubmitted,
    checkNames: t.checkNames,
    checkFailures: t.checkFailures,
    passed: t.passed,
    failed: t.failed,
    where: t.checkedInBrowser,
    errJson: t.errReceiptJson,
    errRequired: t.errReceiptRequired,
  };
}

/** The /verify page: paste or choose a receipt; checked in the browser, or on the server without JavaScript. */
export function verifyPage(
  ctx: PageContext,
  /** The log's origin: a receipt checked with this server's key must come from this log, not another it signs. */
  origin: string,
  data: { csrf: string; receipt?: string; key?: string; outcome?: VerifyOutcome; error?: string },
): string {
  const { t } = ctx;
  // JSON in a non-executed script element; "<" is escaped so that it can never close the element.
  const texts = JSON.stringify({ ...verifyTexts(t), key: ctx.verifierKey, origin }).replace(/</g, '\\u003c');
  const body = html`<p>${t.verifyIntro}</p>
<p>${t.verifyNoJs}</p>
${errorSummary(t.errorSummary, data.error ? [{ field: 'receipt', message: data.error }] : [])}
<form method="post" action="/verify" id="verify-form" enctype="multipart/form-data" novalidate>
${csrfField(data.csrf)}
<input type="hidden" name="lang" value="${ctx.lang}">
<div class="field" id="file-field">
<label for="file">${t.fileLabel}</label>
<input type="file" id="file" name="file" accept="application/json,.json">
</div>
${textField({ id: 'receipt', label: t.receiptLabel, value: data.receipt ?? '', error: data.error, multiline: true, rows: 10, required: true })}
${textField({ id: 'key', label: t.keyLabel, value: data.key ?? ctx.verifierKey, required: true })}
<button type="submit">${t.verifyButton}</button>
</form>
<div id="result" role="status" aria-live="polite">${data.outcome ? verdict(t, data.outcome, t.checkedOnServer) : ''}</div>
<script type="application/json" id="verify-texts">${raw(texts)}</script>`;
  // Once a receipt was sent here, the language switch sends it again, so that the verdict comes back in the other
  // language instead of an empty form (as on /status). A receipt checked in the browser was never sent: a link then.
  return layout(ctx, t.verifyTitle, body, {
    scripts: ['/static/verify.js'],
    failed: data.error !== undefined,
    ...(data.receipt ? { langForm: 'verify-form' } : {}),
  });
}
