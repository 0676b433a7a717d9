import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairMojibake } from './_mojibake.ts';

// What Meta writes: every UTF-8 byte of the text as its own code point.
const meta = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('repairMojibake', () => {
  it('repairs German umlauts, the euro sign and emoji (4-byte sequences, skin tones)', () => {
    expect(meta('ä')).toBe('\u00c3\u00a4');
    expect(repairMojibake('Gr\u00c3\u00bc\u00c3\u009fe aus K\u00c3\u00b6ln')).toBe('Grüße aus Köln');
    expect(repairMojibake(meta('5 € 😊 👍🏽 🇩🇪'))).toBe('5 € 😊 👍🏽 🇩🇪');
  });

  it('leaves correct text untouched', () => {
    expect(repairMojibake('Gräfin')).toBe('Gräfin'); // a real ä on its own is not a UTF-8 sequence
    expect(repairMojibake('SÃO PAULO')).toBe('SÃO PAULO'); // Ã followed by ASCII is not one either
    expect(repairMojibake('Grüße 😊')).toBe('Grüße 😊'); // code points above 0xFF: already decoded
    expect(repairMojibake('plain ascii')).toBe('plain ascii');
    expect(repairMojibake('')).toBe('');
  });

  it('leaves half a sequence untouched (a truncated emoji is not repaired into garbage)', () => {
    const cut = meta('😊').slice(0, 3);
    expect(repairMojibake(cut)).toBe(cut);
  });

  it('round-trips any text through the Meta encoding', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => repairMojibake(meta(s)) === s));
  });

  it('never changes a string that holds a code point above 0xFF', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const t = `${s}€`;
        return repairMojibake(t) === t;
      }),
    );
  });
});
