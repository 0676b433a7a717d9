import type { Programme } from '../../config/config.ts';
import { csrfField, errorSummary, type FieldError, radioField, textField } from './fields.ts';
import { html } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { programmeTitleHtml } from './programme-title.ts';

/** The form that asks for a withdrawal link. */
export function withdrawPage(
  ctx: PageContext,
  data: {
    programmes: readonly Programme[];
    csrf: string;
    values?: { account?: string; programme?: string };
    errors?: readonly FieldError[];
  },
): string {
  const { t } = ctx;
  const errors = data.errors ?? [];
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  const body = html`<p>${t.withdrawFormIntro}</p>
${errorSummary(t.errorSummary, errors)}
<form method="post" action="/withdraw" id="withdraw-form" novalidate>
${csrfField(data.csrf)}
<input type="hidden" name="lang" value="${ctx.lang}">
${textField({ id: 'account', label: t.accountLabel, value: data.values?.account ?? '', error: err('account'), required: true, autocomplete: 'username', maxlength: 254 })}
${radioField({
  name: 'programme',
  legend: t.programmeLabel,
  value: data.values?.programme ?? '*',
  error: err('programme-0'),
  options: [
    { value: '*', label: t.allProgrammes },
    ...data.programmes.map((p) => ({ value: p.id, label: programmeTitleHtml([p], p.id, ctx.lang) })),
  ],
})}
<button type="submit">${t.withdrawButton}</button>
</form>`;
  return layout(ctx, t.withdrawTitle, body, {
    failed: errors.length > 0,
    langForm: 'withdraw-form',
    langAction: '/withdraw',
  });
}
