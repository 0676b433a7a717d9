import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  equalBytes,
  fromBase64,
  hashLeaf,
  hashNode,
  sha256,
  sha256Base64,
  sha256Hex,
  toBase64,
  toHex,
} from './hash.ts';

describe('RFC 6962 hashes', () => {
  it('prefixes leaves with 0x00 and interior nodes with 0x01 (domain separation)', () => {
    const leaf = Buffer.from('dissent');
    const want = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), leaf]))
      .digest('hex');
    expect(toHex(hashLeaf(leaf))).toBe(want);
    expect(toHex(hashLeaf('dissent'))).toBe(want);
    // Strings are hashed as their UTF-8 bytes, a lone surrogate as U+FFFD, the same as Buffer.from would encode them.
    for (const text of ['Widerspruch ä 🙂', 'x\ud800y']) expect(hashLeaf(text)).toEqual(hashLeaf(Buffer.from(text)));
    const a = hashLeaf('a');
    const b = hashLeaf('b');
    const node = createHash('sha256')
      .update(Buffer.concat([Buffer.of(1), a, b]))
      .digest('hex');
    expect(toHex(hashNode(a, b))).toBe(node);
    expect(toHex(hashNode(b, a))).not.toBe(node);
    // A leaf whose bytes spell out two children does not collide with their parent.
    expect(toHex(hashLeaf(Buffer.concat([a, b])))).not.toBe(node);
  });

  it('hashes strings as UTF-8', () => {
    expect(toHex(sha256('Widerspruch ä'))).toBe(createHash('sha256').update('Widerspruch ä', 'utf8').digest('hex'));
    expect(toHex(sha256('Widerspruch ä'))).toBe(sha256Hex('Widerspruch ä'));
    expect(sha256Base64('Widerspruch ä')).toBe(createHash('sha256').update('Widerspruch ä', 'utf8').digest('base64'));
  });
});

describe('base64', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(toHex(fromBase64(toBase64(bytes)))).toBe(toHex(bytes));
      }),
    );
  });

  it('encodes a view, not the whole buffer behind it', () => {
    const whole = Uint8Array.from([1, 2, 3, 4, 5]);
    expect(toBase64(whole.subarray(1, 3))).toBe(Buffer.from([2, 3]).toString('base64'));
  });

  it('refuses anything but canonical standard base64, so a tampered hash is never read as the original', () => {
    const h = toBase64(hashLeaf('x')); // 32 bytes: one "=" of padding, 2 unused bits in the last digit
    const last = h[h.length - 2] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string; // same decoded bytes, other unused bits
    for (const bad of [
      h.replace('=', ''),
      `${h.slice(0, -2)}${sibling}=`,
      '-_8=', // base64url of 0xfb 0xff, which is "+/8=" in standard base64
      ` ${h}`,
      `${h}\n`,
      '***',
    ]) {
      expect(() => fromBase64(bad), bad).toThrow(TypeError);
    }
  });
});

describe('equalBytes', () => {
  it('is true exactly for equal bytes of equal length', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(equalBytes(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});
