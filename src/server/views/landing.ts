import type { Programme } from '../../config/config.ts';
import { MAX_REASON_CHARS } from '../../registry/types.ts';
import { formatTime } from '../i18n/index.ts';
import type { ProgrammeFacts } from '../programme-facts.ts';
import { csrfField, errorSummary, type FieldError, radioField, textField } from './fields.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { programmeTitleHtml } from './programme-title.ts';

/** Values typed into the objection form, echoed back when it has errors. */
export interface ObjectionFormValues {
  readonly account?: string;
  readonly programme?: string;
  readonly reason?: string;
}

function list(items: readonly string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function programmeSection(
  ctx: PageContext,
  p: Programme,
  facts: ProgrammeFacts,
  now: Date,
  timeZone: string,
): SafeHtml {
  const { t } = ctx;
  const left = p.deadline.getTime() - now.getTime();
  const used: string[] = [];
  if (facts.kinds.length > 0 && facts.sources.length > 0) {
    used.push(
      capital(
        t.usedContent(
          list(
            facts.kinds.map((k) => t.kinds[k] ?? k),
            t.and,
          ),
          list(facts.sources.map(capital), t.and),
        ),
      ),
    );
  }
  if (facts.assistantChats) used.push(capital(t.usedAssistant));
  if (facts.publicOnly) used.push(capital(t.usedPublicOnly));
  if (facts.minAge !== undefined) used.push(capital(t.usedAdultsOnly(facts.minAge)));
  if (facts.jurisdictions.length > 0) used.push(capital(t.usedJurisdictions(list(facts.jurisdictions, t.and))));
  const never = [
    t.neverE2ee,
    t.neverPrivate,
    ...(facts.minAge !== undefined && facts.minAge >= 18 ? [t.neverMinors] : []),
  ];
  const mins = Math.floor(left / 60_000);
  return html`<section class="programme" aria-labelledby="prog-${p.id}">
<h3 id="prog-${p.id}">${programmeTitleHtml([p], p.id, ctx.lang)}</h3>
<dl>
<dt>${t.purpose}</dt><dd>${capital(t.purposes[p.purpose] ?? p.purpose)}</dd>
<dt>${t.legalBasis}</dt><dd>${capital(t.legalBases[p.legal_basis] ?? p.legal_basis)}</dd>
<dt>${t.deadline}</dt><dd><time datetime="${p.deadline.toISOString()}">${formatTime(p.deadline, ctx.lang, timeZone)}</time>${
    // The deadline instant itself is still in time (lateness is submitted_at > deadline).
    left >= 0
      ? html` · <strong>${t.timeLeft(Math.floor(mins / 1440), Math.floor(mins / 60) % 24, mins % 60)}</strong>`
      : ''
  }</dd>
</dl>
${left < 0 ? html`<p class="notice">${t.afterDeadline}</p>` : ''}
<div class="columns">
<div><h4>${t.used}</h4><ul>${used.map((u) => html`<li>${u}</li>`)}</ul></div>
<div><h4>${t.notUsed}</h4><ul>${never.map((u) => html`<li>${capital(u)}</li>`)}</ul></div>
</div>
</section>`;
}

/** The start page: every programme with what it uses and its deadline, and the objection form. */
export function landingPage(
  ctx: PageContext,
  data: {
    programmes: readonly { programme: Programme; facts: ProgrammeFacts }[];
    now: Date;
    timeZone: string;
    csrf: string;
    values?: ObjectionFormValues;
    errors?: readonly FieldError[];
  },
): string {
  const { t } = ctx;
  const errors = data.errors ?? [];
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  const v = data.values ?? {};
  const body = html`<p class="lead">${t.landingIntro}</p>
<h2>${t.programmesHeading}</h2>
${data.programmes.map(({ programme, facts }) => programmeSection(ctx, programme, facts, data.now, data.timeZone))}
<h2 id="form-heading">${t.formHeading}</h2>
${errorSummary(t.errorSummary, errors)}
<form method="post" action="/object" id="objection-form" aria-labelledby="form-heading" novalidate>
${csrfField(data.csrf)}
<input type="hidden" name="lang" value="${ctx.lang}">
${textField({ id: 'account', label: t.accountLabel, hint: t.accountHint, value: v.account ?? '', error: err('account'), required: true, autocomplete: 'username', maxlength: 254 })}
${radioField({
  name: 'programme',
  legend: t.programmeLabel,
  value: v.programme ?? '*',
  error: err('programme-0'),
  options: [
    { value: '*', label: t.allProgrammes },
    ...data.programmes.map(({ programme }) => ({
      value: programme.id,
      label: programmeTitleHtml([programme], programme.id, ctx.lang),
    })),
  ],
})}
${textField({ id: 'reason', label: t.reasonLabel, hint: t.reasonHint, value: v.reason ?? '', error: err('reason'), multiline: true, maxlength: MAX_REASON_CHARS })}
<button type="submit">${t.submitObjection}</button>
</form>`;
  return layout(ctx, t.landingTitle, body, {
    failed: errors.length > 0,
    langForm: 'objection-form',
    langAction: '/object',
  });
}
