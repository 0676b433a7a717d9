import { html, type SafeHtml } from './html.ts';

/** A field's validation error, shown next to it and in the summary. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

/** A labelled text input or textarea, with its hint and error tied to it by aria-describedby. */
export function textField(opts: {
  id: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string | undefined;
  multiline?: boolean;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  rows?: number;
}): SafeHtml {
  const by = describedBy(opts.id, opts.hint, opts.error);
  const common = html`id="${opts.id}" name="${opts.id}"${by ? html` aria-describedby="${by}"` : ''}${
    opts.error ? html` aria-invalid="true"` : ''
  }${opts.required ? html` required` : ''}${opts.maxlength ? html` maxlength="${opts.maxlength}"` : ''}`;
  const input = opts.multiline
    ? html`<textarea ${common} rows="${opts.rows ?? 4}">${opts.value ?? ''}</textarea>`
    : html`<input type="text" ${common} value="${opts.value ?? ''}"${
        opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ''
      } spellcheck="false">`;
  return html`<div class="field${opts.error ? ' has-error' : ''}">
<label for="${opts.id}">${opts.label}</label>
${opts.hint ? html`<p class="hint" id="${opts.id}-hint">${opts.hint}</p>` : ''}
${opts.error ? html`<p class="error" id="${opts.id}-error">${opts.error}</p>` : ''}
${input}
</div>`;
}

/** A fieldset of radio buttons with a legend, the first option or `value` checked. */
export function radioField(opts: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string | SafeHtml }[];
  value?: string;
  error?: string | undefined;
}): SafeHtml {
  const checked = opts.options.some((o) => o.value === opts.value) ? opts.value : opts.options[0]?.value;
  return html`<fieldset class="field${opts.error ? ' has-error' : ''}"${
    opts.error ? html` aria-describedby="${opts.name}-error"` : ''
  }>
<legend>${opts.legend}</legend>
${opts.error ? html`<p class="error" id="${opts.name}-error">${opts.error}</p>` : ''}
${opts.options.map(
  (o, i) =>
    html`<div class="radio"><input type="radio" id="${opts.name}-${i}" name="${opts.name}" value="${o.value}"${
      o.value === checked ? html` checked` : ''
    }><label for="${opts.name}-${i}">${o.label}</label></div>`,
)}
</fieldset>`;
}

/** The error summary at the top of a form: a focusable alert whose links jump to the fields. */
export function errorSummary(title: string, errors: readonly FieldError[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1">
<h2>${title}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul>
</div>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
