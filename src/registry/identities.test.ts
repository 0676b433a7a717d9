import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importAccounts, MAX_ACCOUNT_LINE_BYTES } from './identities.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'dissent-identities-'));
let n = 0;

function file(content: string | Buffer): string {
  const path = join(dir, `accounts-${++n}.jsonl`);
  writeFileSync(path, content);
  return path;
}

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ account: 'fb:a:1', person: 'p:1', source: 'facebook', ...fields });

async function load(content: string | Buffer) {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const summary = await importAccounts(store, file(content));
  return { summary, store, reasons: summary.bad.map((b) => `${b.line}: ${b.reason}`) };
}

describe('importAccounts', () => {
  it('refuses a misspelt field and names the field meant, instead of importing the account without it', async () => {
    const { summary, store, reasons } = await load(
      [
        line({ birthdate: '1990-01-01' }),
        line({ account: 'fb:a:2', Birth_Date: '1990-01-01' }),
        line({ account: 'fb:a:3', mail: 'a@example.org' }),
        line({ account: 'fb:a:4', displayName: 'Anna Muster' }),
        line({ account: 'fb:a:5', 'Anna Muster': true }),
        line({ account: 'fb:a:6', birth_date: '1990-01-01' }),
        line({ account: 'fb:a:7', 'DOB 1980-05-02': true }),
      ].join('\n'),
    );
    expect(reasons).toEqual([
      '1: an unknown field (did you mean birth_date?)',
      '2: an unknown field (did you mean birth_date?)',
      '3: an unknown field (did you mean email?)',
      '4: an unknown field (did you mean display_name?)',
      '5: an unknown field (the fields are account, person, source, handle, display_name, email, birth_date, country)',
      // A key is never repeated: it could be data.
      '7: an unknown field (did you mean birth_date?)',
    ]);
    expect(summary.imported).toBe(1);
    expect((await store.getAccount('fb:a:6'))?.birth_date).toBe('1990-01-01');
  });

  it('takes one e-mail address only, and only real dates', async () => {
    const { reasons } = await load(
      [
        line({ account: 'fb:a:1', email: 'anna@example.org, someone@evil.example' }),
        line({ account: 'fb:a:2', email: 'not-an-email' }),
        line({ account: 'fb:a:3', email: 'anna@example.org' }),
        line({ account: 'fb:a:4', birth_date: '2023-02-29' }),
        line({ account: 'fb:a:5', birth_date: '2000-02-30' }),
        line({ account: 'fb:a:6', birth_date: '2024-02-29' }),
        // An empty e-mail is no e-mail.
        line({ account: 'fb:a:7', email: '' }),
      ].join('\n'),
    );
    expect(reasons).toEqual([
      '1: field email: is not one e-mail address',
      '2: field email: is not one e-mail address',
      '4: field birth_date: is not a real date',
      '5: field birth_date: is not a real date',
    ]);
    // No value is repeated in a reason.
    expect(reasons.join(' ')).not.toMatch(/example|2023|2000/);
  });

  it("refuses the EU's abbreviations for Greece and the United Kingdom, which no policy jurisdiction matches", async () => {
    const { summary, store, reasons } = await load(
      [
        line({ account: 'fb:a:1', country: 'EL' }),
        line({ account: 'fb:a:2', country: 'UK' }),
        line({ account: 'fb:a:3', country: 'EU' }),
        line({ account: 'fb:a:4', country: 'GR' }),
      ].join('\n'),
    );
    expect(reasons).toEqual([
      '1: field country: EL is the EU abbreviation for Greece; its ISO 3166-1 code is GR',
      '2: field country: UK is not an ISO 3166-1 code; the United Kingdom is GB',
      '3: field country: must be a country, not the EU',
    ]);
    expect(summary.imported).toBe(1);
    expect((await store.getAccount('fb:a:4'))?.country).toBe('GR');
  });

  it('refuses a second line for one account, which would silently replace the first', async () => {
    const { summary, store, reasons } = await load(
      [line({ person: 'p:10' }), line({ account: 'fb:a:2' }), line({ person: 'p:11' })].join('\n'),
    );
    expect(reasons).toEqual(['3: the account id of line 1 again (one line per account)']);
    expect(summary.imported).toBe(2);
    expect((await store.getAccount('fb:a:1'))?.person).toBe('p:10');
  });

  it('reports a line that is not UTF-8, instead of storing a name that redaction would then miss', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${line({ account: 'fb:a:9' })}\n`),
      Buffer.from('{"account":"fb:a:4","person":"p:4","source":"facebook","display_name":"J'),
      Buffer.from([0xf6]),
      Buffer.from('rg"}\n'),
    ]);
    const { summary, store, reasons } = await load(latin1);
    expect(reasons).toEqual(['2: invalid UTF-8']);
    expect(summary.imported).toBe(1);
    expect(await store.getAccount('fb:a:4')).toBeUndefined();
  });

  it('refuses an over-long line by its number without holding it, and reads CR LF, a BOM and blank lines', async () => {
    const long = line({ account: 'fb:a:2', display_name: 'x'.repeat(MAX_ACCOUNT_LINE_BYTES) });
    const { summary, reasons } = await load(`\uFEFF${line({})}\r\n\r\n${long}\r\n${line({ account: 'fb:a:3' })}`);
    expect(reasons).toEqual(['3: line over 65,536 bytes']);
    expect(summary).toMatchObject({ read: 3, imported: 2 });
  });

  it('reads lines ended by a lone CR, and a line of exactly the limit whatever its line end', async () => {
    const lines = [line({}), line({ account: 'fb:a:2' }), line({ account: 'fb:a:3' })];
    expect((await load(lines.join('\r'))).summary).toMatchObject({ read: 3, imported: 3 });
    const plain = line({ account: 'fb:a:4' });
    const atLimit = `{${' '.repeat(MAX_ACCOUNT_LINE_BYTES - plain.length)}${plain.slice(1)}`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_ACCOUNT_LINE_BYTES);
    for (const end of ['\n', '\r\n', '\r']) {
      expect((await load(`${atLimit}${end}${line({})}${end}`)).summary, JSON.stringify(end)).toMatchObject({
        read: 2,
        imported: 2,
        bad: [],
      });
    }
    // A first line of only a byte order mark is blank.
    expect((await load(`\uFEFF\n${line({})}\n`)).summary).toMatchObject({ read: 1, imported: 1 });
  });

  it('finds a repeated account id among many without keeping the ids', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => line({ account: `fb:a:${i}`, person: `p:${i}` }));
    many.push(line({ account: 'fb:a:77777', person: 'p:x' }));
    const { summary, reasons } = await load(many.join('\n'));
    expect(reasons).toEqual(['100001: the account id of line 77778 again (one line per account)']);
    expect(summary.imported).toBe(100_000);
  });

  it('refuses, with what to do, a file that is gzip, UTF-16, a JSON array or empty', async () => {
    const one = `${line({})}\n`;
    await expect(load(gzipSync(one))).rejects.toThrow(/is gzip-compressed; unpack it first/);
    await expect(load(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(one, 'utf16le')]))).rejects.toThrow(
      /is UTF-16; save it as UTF-8/,
    );
    await expect(load(`[\n  ${line({})},\n  ${line({ account: 'fb:a:2' })}\n]\n`)).rejects.toThrow(
      /holds a JSON array; it must be JSON Lines/,
    );
    await expect(load('\n\n')).rejects.toThrow(/holds no accounts/);
  });
});
