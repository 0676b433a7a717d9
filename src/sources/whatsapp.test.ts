import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from './_testkit.ts';
import { convertToJsonl } from './convert.ts';
import { isWhatsAppFileName, looksLikeWhatsApp } from './whatsapp.ts';

describe('WhatsApp recognition', () => {
  it.each(['android-en.txt', 'android-de.txt', 'ios-de.txt', 'ios-en.txt'])('recognises %s', async (name) => {
    expect(looksLikeWhatsApp(await readFile(fixture('whatsapp', name), 'utf8'))).toBe(true);
  });

  it('needs the U+200E/U+202F marks removed to see iOS lines, and does so', async () => {
    const text = await readFile(fixture('whatsapp', 'ios-en.txt'), 'utf8');
    expect(text).toContain('\u202f');
    expect(text).toContain('\u200e');
    expect(looksLikeWhatsApp(text)).toBe(true);
  });

  it('recognises the encryption notice line alone, in English and German', () => {
    expect(
      looksLikeWhatsApp('[01.02.23, 10:00:00] X: \u200eNachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.'),
    ).toBe(true);
    expect(looksLikeWhatsApp('1/2/23, 10:00 AM - Messages and calls are end-to-end encrypted.\nsome text')).toBe(true);
  });

  it('does not take ordinary text for a chat', async () => {
    expect(looksLikeWhatsApp(await readFile(fixture('whatsapp', 'notes.txt'), 'utf8'))).toBe(false);
    expect(looksLikeWhatsApp('Meeting on 12.05.24, 21:41 with the team\nagenda')).toBe(false);
    expect(looksLikeWhatsApp('')).toBe(false);
    // One line in chat form among ordinary ones (a note quoting a message) is not yet a chat.
    expect(looksLikeWhatsApp('Notes from Monday\n12/05/24, 21:41 - Anna: see you there\nbuy milk')).toBe(false);
  });

  it('knows the file names WhatsApp gives its exports', () => {
    expect(isWhatsAppFileName('x/_chat.txt')).toBe(true);
    expect(isWhatsAppFileName('WhatsApp Chat with Anna.txt')).toBe(true);
    expect(isWhatsAppFileName('WhatsApp-Chat mit Anna.txt')).toBe(true);
    expect(isWhatsAppFileName('notes.txt')).toBe(false);
  });
});

describe('converting a refused WhatsApp export', () => {
  it('leaves no file behind, not even one the output stream was still opening when the refusal came', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dissent-wa-'));
    // The refusal can come before the output file is open; the race only shows now and then, hence the repetitions.
    for (let i = 0; i < 100; i++) {
      await expect(
        convertToJsonl({
          format: 'whatsapp',
          path: fixture('whatsapp', 'android-en.txt'),
          account: 'w:a:1',
          outFile: join(dir, `x${i}.jsonl`),
        }),
      ).rejects.toThrow(/end-to-end encrypted, refused/);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
