import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairMojibake } from './_mojibake.ts';

// What Meta writes: every UTF-8 byte of the text as its own code point.
const meta = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
// NKo (U+07C0-U+07FF) is the one script whose mojibake is left alone, so that German ß before », ² or ° survives.
const noNko = (s: string) => !/[\u07c0-\u07ff]/.test(s);

describe('repairMojibake', () => {
  it('repairs German umlauts, the euro sign and emoji (4-byte sequences, skin tones)', () => {
    expect(meta('ä')).toBe('\u00c3\u00a4');
    expect(repairMojibake('Gr\u00c3\u00bc\u00c3\u009fe aus K\u00c3\u00b6ln')).toBe('Grüße aus Köln');
    expect(repairMojibake(meta('5 € 😊 👍🏽 🇩🇪'))).toBe('5 € 😊 👍🏽 🇩🇪');
  });

  it('repairs the broken part of a string that mixes correct text with mojibake', () => {
    expect(repairMojibake(`Grüße 😊 ${meta('aus Köln, Straße 5 €')}`)).toBe('Grüße 😊 aus Köln, Straße 5 €');
    expect(repairMojibake(`${meta('Schöne Grüße')} »Maß«`)).toBe('Schöne Grüße »Maß«');
    expect(repairMojibake(`Ärger ${meta('über 🎉 Süßes')} – bis später`)).toBe('Ärger über 🎉 Süßes – bis später');
  });

  it('leaves correct text untouched', () => {
    expect(repairMojibake('Gräfin')).toBe('Gräfin'); // a real ä on its own is not a UTF-8 sequence
    expect(repairMojibake('SÃO PAULO')).toBe('SÃO PAULO'); // Ã followed by ASCII is not one either
    expect(repairMojibake('Grüße 😊')).toBe('Grüße 😊');
    expect(repairMojibake('Fuß² und Maß°, er sagte »heiß«')).toBe('Fuß² und Maß°, er sagte »heiß«');
    expect(repairMojibake('Straße» und Grüße')).toBe('Straße» und Grüße');
    expect(repairMojibake('Fuß² und Maß°')).toBe('Fuß² und Maß°'); // ß² spells U+07F2 in UTF-8: not repaired into NKo
    expect(repairMojibake('»Heiß»')).toBe('»Heiß»');
    expect(repairMojibake('plain ascii')).toBe('plain ascii');
    expect(repairMojibake('')).toBe('');
  });

  it('leaves half a sequence untouched (a truncated emoji is not repaired into garbage)', () => {
    const cut = meta('😊').slice(0, 3);
    expect(repairMojibake(cut)).toBe(cut);
    expect(repairMojibake(`${cut} ${meta('Köln')}`)).toBe(`${cut} Köln`);
  });

  it('keeps what is no valid UTF-8 as it is: overlong forms, surrogates, code points past U+10FFFF', () => {
    for (const bytes of [
      [0xc1, 0xbf], // overlong "?"
      [0xe0, 0x80, 0xaf], // overlong "/"
      [0xf0, 0x80, 0x80, 0xbc], // overlong "<"
      [0xed, 0xa0, 0x80], // a lone surrogate, U+D800
      [0xf4, 0x90, 0x80, 0x80], // U+110000
    ]) {
      const text = `a${Buffer.from(bytes).toString('latin1')}b`;
      expect(repairMojibake(text), JSON.stringify(bytes)).toBe(text);
    }
  });

  it('round-trips any text through the Meta encoding', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }).filter(noNko), (s) => repairMojibake(meta(s)) === s));
  });

  it('repairs mojibake after correct text of any kind', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }).filter(noNko), (ok, broken) => {
        return repairMojibake(ok + meta(broken)) === repairMojibake(ok) + broken;
      }),
    );
  });

  it('never changes text without a Latin-1 symbol or control (U+0080-U+00BF), which every sequence needs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const t = s.replace(/[\u0080-\u00bf]/g, '');
        return repairMojibake(t) === t;
      }),
    );
  });
});
