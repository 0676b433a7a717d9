import { type Programme, programmeTitle } from '../../config/config.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The title of a programme for a page in `lang`: marked as English where the config gives titles by language but none
 * in this one, so that a screen reader reading a German page says it in English. The id itself when no such
 * programme is configured.
 */
export function programmeTitleHtml(programmes: readonly Programme[], id: string, lang: string): SafeHtml | string {
  const p = programmes.find((x) => x.id === id);
  if (!p) return id;
  const text = programmeTitle(p, lang);
  return p.titles !== undefined && lang !== 'en' && p.titles[lang as 'de'] === undefined
    ? html`<span lang="en">${text}</span>`
    : text;
}
