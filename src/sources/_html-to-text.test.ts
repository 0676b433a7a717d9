import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './_html-to-text.ts';

describe('htmlToText', () => {
  it('turns paragraphs into blank lines and <br> into newlines', () => {
    expect(htmlToText('<p>eins</p><p>zwei<br>drei<br/>vier<br />fünf</p>')).toBe('eins\n\nzwei\ndrei\nvier\nfünf');
  });

  it('keeps link and mention text, including the parts Mastodon hides', () => {
    const html =
      '<p><span class="h-card"><a href="https://x.example/@a" class="u-url mention">@<span>a</span></a></span> see ' +
      '<a href="https://example.com/long/path"><span class="invisible">https://</span>' +
      '<span class="ellipsis">example.com/lo</span><span class="invisible">ng/path</span></a></p>';
    expect(htmlToText(html)).toBe('@a see https://example.com/long/path');
  });

  it('decodes named, decimal and hex entities once', () => {
    expect(htmlToText('<p>a &amp; b &lt;c&gt; &quot;d&quot; it&#39;s &#x1F600; &auml; &amp;lt;</p>')).toBe(
      'a & b <c> "d" it\'s 😀 ä &lt;',
    );
    expect(decodeEntities('&#0; &#xD800; &#99999999; &nosuch;')).toBe('\ufffd \ufffd \ufffd &nosuch;');
  });

  it('drops scripts, styles and comments, collapses HTML whitespace, and keeps a lone <', () => {
    expect(htmlToText('<p>a  \n b</p><script>alert(1)</script><style>p{}</style><!-- x --><p>1 < 2</p>')).toBe(
      'a b\n\n1 < 2',
    );
  });

  it('reads tags and hex references in upper case, list items as paragraphs, and text after a stray end tag', () => {
    expect(htmlToText('<P>eins<BR>zwei</P><SCRIPT>alert(1)</SCRIPT><P>&#X1F600;</P>')).toBe('eins\nzwei\n\n😀');
    expect(htmlToText('<ul><li>a</li><li>b</li></ul>')).toBe('a\n\nb');
    expect(htmlToText('</script>kept<script>x</script> too')).toBe('kept too');
  });

  it('handles attributes containing > and unclosed markup without losing text', () => {
    expect(htmlToText('<a title="x > y" href="#">link</a> and <b>bold')).toBe('link and bold');
  });

  // These took minutes when a pattern's work grew with the square of the status's length (a zipped outbox of a few KB
  // could stall a conversion); in linear time they take milliseconds. No time is asserted: a return of the quadratic
  // code would run into the test's timeout, as a hang.
  it('reads hostile statuses of a few hundred KB', { timeout: 60_000 }, () => {
    const hostile = {
      'unclosed tags': '<a'.repeat(360_000),
      'unclosed quotes': '<a "'.repeat(240_000),
      'line breaks': `${'<br>'.repeat(600_000)}x`,
      'spaces and breaks': `x${' <br>'.repeat(360_000)}x`,
    };
    for (const [what, html] of Object.entries(hostile)) {
      expect(htmlToText(html).length, what).toBeGreaterThan(0);
    }
    expect(htmlToText('<a<b>text</b>')).toBe('<atext');
    expect(htmlToText(`a${'<br>'.repeat(3)}b<p> </p>`)).toBe('a\n\n\nb');
    expect(htmlToText(' <br> <p>a</p> <br> ')).toBe('a');
  });
});
