import type { Lang, Messages } from '../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';

/** What every page knows about its request. */
export interface PageContext {
  readonly t: Messages;
  readonly lang: Lang;
  /** The GET path the language switch links to (a POST result links back to its form). */
  readonly path: string;
  readonly verifierKey: string;
}

const NAV = [
  ['/', 'home'],
  ['/verify', 'verify'],
  ['/status', 'status'],
  ['/withdraw', 'withdraw'],
] as const;

/**
 * Wraps a page body in the shared document: language, skip link, navigation, language switch and footer. With
 * `langForm`, the id of a form on the page, the language switch is a button that posts that form to `path` (or
 * `langAction`, with a `switch_lang` field that tells the route to show the form again rather than act on it), so that
 * what the person typed into it comes back in the other language instead of being lost (a link sends nothing). With
 * `failed`, the page shows a form's errors, and its title says so first: it is what a screen reader announces when the
 * page loads, and without JavaScript nothing moves the focus to the errors further down. With `elsewhere`, the page is
 * not the one its path's navigation entry leads to (an error page, a receipt), so no entry is marked as the current page.
 */
export function layout(
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  opts: { scripts?: string[]; langForm?: string; langAction?: string; failed?: boolean; elsewhere?: boolean } = {},
): string {
  const { t, lang, path } = ctx;
  const other = lang === 'de' ? 'en' : 'de';
  const otherName = other === 'de' ? 'Deutsch' : 'English';
  const langSwitch = opts.langForm
    ? html`<button type="submit" class="link" form="${opts.langForm}" formaction="${opts.langAction ?? path}?lang=${other}" name="switch_lang" value="${other}" lang="${other}">${otherName}</button>`
    : html`<a href="${path}?lang=${other}" hreflang="${other}" lang="${other}">${otherName}</a>`;
  // Enter in a text field presses its form's first submit button in document order, which the language switch in the
  // header would be: this hidden one comes first and sends the form as its own button does.
  const defaultButton = opts.langForm
    ? html`<button type="submit" form="${opts.langForm}" hidden tabindex="-1"></button>`
    : '';
  const page = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.failed ? `${t.errorTitlePrefix} ` : ''}${title} · ${t.siteName}</title>
<link rel="stylesheet" href="/static/portal.css">
${(opts.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
</head>
<body>
${defaultButton}<a class="skip" href="#main">${t.skip}</a>
<header>
<p class="site"><a href="/">${t.siteName}</a></p>
<nav aria-label="${t.navLabel}"><ul>
${NAV.map(([href, key]) => html`<li><a href="${href}"${href === path && !opts.elsewhere ? html` aria-current="page"` : ''}>${t.nav[key]}</a></li>`)}
</ul></nav>
<p class="lang">${t.languageLabel}: ${langSwitch}</p>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
<footer>
<p>${t.footerKey}: <code class="vkey">${ctx.verifierKey}</code></p>
<p><a href="/api/v1/openapi.json">${t.footerApi}</a></p>
</footer>
</body>
</html>
`;
  return page.value;
}
