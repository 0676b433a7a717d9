import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/** A page with a title, some paragraphs and a link back to the start (errors, notices); no navigation entry is current. */
export function messagePage(ctx: PageContext, title: string, paragraphs: readonly (string | SafeHtml)[]): string {
  return layout(
    ctx,
    title,
    html`${paragraphs.map((p) => html`<p>${p}</p>`)}
<p><a href="/">${ctx.t.back}</a></p>`,
    { elsewhere: true },
  );
}
