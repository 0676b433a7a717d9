import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useDuckDB, viaDuckDB as viaDuckDBOn } from './_test-duckdb.ts';
import { readKnownNames } from './accounts.ts';
import { loadTexts, redactInDuckDB } from './duckdb.ts';
import { createRedactor } from './redactor.ts';
import { ALL_PII_TYPES, type PiiType } from './types.ts';

const FIXTURES = new URL('../../../test/fixtures/pii/', import.meta.url);

const db = useDuckDB();
const viaDuckDB = (texts: readonly string[], types: readonly PiiType[], names: readonly string[]) =>
  viaDuckDBOn(db.conn, texts, types, names);

describe('redactInDuckDB', () => {
  it('gives the same output as the JS redactor on every labelled snippet', async () => {
    const texts = readFileSync(new URL('labelled.jsonl', FIXTURES), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const names = await readKnownNames(new URL('accounts.jsonl', FIXTURES).pathname);
    const js = createRedactor({ types: ALL_PII_TYPES, knownNames: names });
    const sql = await viaDuckDB(texts, ALL_PII_TYPES, names);
    expect(sql.texts).toEqual(texts.map((t) => js.redact(t)));
    expect(sql.texts.filter((t, i) => t !== texts[i]).length).toBeGreaterThan(250);
    expect(sql.candidatesChecked).toBeGreaterThan(0);
  });

  it('replaces known names as whole words whatever borders them, as the JS redactor does', async () => {
    const texts = ['Gruß →Anna Schmidt, §Anna×2, 中文Zoë Martin!', 'Anna_Schmidt, 2Anna, Annaberg', 'Anna Anna'];
    const names = ['Anna Schmidt', 'Anna', 'Zoë Martin'];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual(['Gruß →[name], §[name]×2, 中文[name]!', 'Anna_Schmidt, 2Anna, Annaberg', '[name] [name]']);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('takes a display name without its decorations or bracketed suffix, and polytonic Greek as letters, as JS does', async () => {
    const names = [
      'Lena Vogel 🌸',
      'Tom Berger (Berlin)',
      '✨ Mia Kurz',
      'Ἀλέξανδρος Παπαδόπουλος',
      'Anna & Tom',
      '🌸',
      'Ole Falk (Kiel) 🌊',
      'Kai Wolf (a) (b)',
      // Stored with decomposed accents: found in composed and decomposed text alike.
      'Ju\u0308rgen O\u0308z',
    ];
    const texts = [
      'Lena Vogel war da, Tom Berger auch, und Mia Kurz.',
      'Ἀλέξανδρος Παπαδόπουλος schreibt; Berlin bleibt, Anna und Tom auch.',
      'Ole Falk und Kai Wolf; Jürgen Öz und Ju\u0308rgen O\u0308z.',
    ];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual([
      '[name] war da, [name] auch, und [name].',
      '[name] schreibt; Berlin bleibt, Anna und Tom auch.',
      '[name] und [name]; [name] und [name].',
    ]);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('finds names of more words in upper case (not lower) and in the genitive, as the JS redactor does', async () => {
    const names = ['Anna Schmidt', 'Jan Weiß', 'Οδυσσέας Ελύτης', 'Kathi', 'Олег Петров'];
    const texts = [
      'ANNA SCHMIDT und anna schmidt, Anna Schmidts Hund, Kathis Rad, KATHI',
      'Jan Weiß, JAN WEISS, jan weiß, ΟΔΥΣΣΈΑΣ ΕΛΎΤΗΣ, Οδυσσέας Ελύτης, ОЛЕГ ПЕТРОВ, олег петров',
    ];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
    expect(out).toEqual([
      '[name] und anna schmidt, [name] Hund, Kathis Rad, KATHI',
      '[name], JAN WEISS, jan weiß, ΟΔΥΣΣΈΑΣ ΕΛΎΤΗΣ, [name], [name], олег петров',
    ]);
  });

  it('finds a name with each apostrophe it may be written with, as the JS redactor does', async () => {
    const names = ["Sarah O'Connor", 'Liam O’Brien', "D'Angelo"];
    const texts = [
      "Sarah O’Connor, Sarah O´Connor, SARAH O'CONNOR, Sarah O'Connor",
      "Liam O'Brien und Liam O´Brien; D’Angelo, D´Angelo, D'Angelo",
    ];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual(['[name], [name], [name], [name]', '[name] und [name]; [name], [name], [name]']);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('finds a name whose words a double space, a tab or a no-break space splits, as the JS redactor does', async () => {
    // One display name stored with a no-break space, as a phone's keyboard may save it.
    const names = ['Anna Schmidt', 'Maximilian von Stein', 'Lea\u00A0Hoffmann'];
    const texts = [
      'Anna\u00A0Schmidt, Anna  Schmidt, Anna\tSchmidt, ANNA\u202FSCHMIDT, Anna \u00A0Schmidts Hund',
      'Maximilian  von\u00A0Stein und Lea Hoffmann, Lea\u00A0Hoffmann',
      'Anna und Frau Schmidt, Anna\nSchmidt, AnnaSchmidt',
    ];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual([
      '[name], [name], [name], [name], [name] Hund',
      '[name] und [name], [name]',
      'Anna und Frau Schmidt, Anna\nSchmidt, AnnaSchmidt',
    ]);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('finds a name right after another name whole, though a shorter name stands inside it, as JS does', async () => {
    const names = ['Anna', 'Ben Carl Dorn', 'Carl', 'Zoë-Max d’Nuñez', 'd’Nuñez'];
    const texts = ['Anna Ben Carl Dorn, Anna und Carl', 'Anna…Zoë-Max\td’Nuñezs Hund', 'Anna\u00A0Ben  Carl Dorn'];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual(['[name] [name], [name] und [name]', '[name]…[name] Hund', '[name]\u00A0[name]']);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('replaces the name that starts first where a genitive overlaps another name or the same one, as JS does', async () => {
    // The genitive's last word is a word of another name (Schmidts) or of the name itself (Bens Ben): the names share
    // no word as stored, yet two of their finds overlap, and which is replaced depends on which comes first.
    const names = ['Anna Schmidt', 'Schmidts Hund', 'Bens Ben'];
    const texts = ['Anna Schmidts Hund', 'Schmidts Hund, Anna Schmidts Hund', 'Bens Bens Ben'];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual(['[name] Hund', '[name], [name] Hund', '[name] Ben']);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('replaces a name that begins with its own end where two of its finds overlap, the whole-word one', async () => {
    // "Anna Anna Ann" holds "Anna Ann" twice, one over the other: the first is no whole word (an "a" follows), the
    // second is; a split at the first find (or a search that goes on after it) misses the second, and the name stays.
    const names = ['Anna Ann', 'Xa B X'];
    const texts = ['Anna Anna Ann', 'Xa B Xa B X', 'Anna Anna Anns Hund'];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out).toEqual(['Anna [name]', 'Xa B [name]', 'Anna [name] Hund']);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('finds a name in a text whose only odd space stood in a longer name, with over 2,000 names found', async () => {
    // When the build went over the names in patterns of 2,000, `Kai Ohm` fell to the second one, which went only over
    // the texts that still had an odd space after the first pattern had replaced the long name holding the no-break
    // space.
    const long = Array.from({ length: 2000 }, (_, i) => `Langername${String(i).padStart(4, '0')} Nachnamelang`);
    const names = [...long, 'Kai Ohm'];
    const texts = [long.join(', '), 'Langername0001\u00A0Nachnamelang und Kai Ohm'];
    const { texts: out } = await viaDuckDB(texts, ['known_name'], names);
    expect(out[1]).toBe('[name] und [name]');
  });

  it('redacts only the types asked for', async () => {
    const { texts } = await viaDuckDB(['a@b.de 0170 1234567 @x'], ['phone'], []);
    expect(texts).toEqual(['a@b.de [phone] @x']);
  });

  it('keeps a 19-digit number that fails Luhn and redacts one that passes', async () => {
    const { texts } = await viaDuckDB(['1234 5678 9012 3456 789', '4214 4507 6798 1534 243'], ALL_PII_TYPES, []);
    expect(texts).toEqual(['1234 5678 9012 3456 789', '[credit_card]']);
  });

  it('agrees with the JS redactor on random text built from PII-like pieces', async () => {
    const names = ['Anna Schmidt', 'Anna', 'Zoë', 'Hans-Peter Krause', "O'Connor Liam", 'Dr. Müller', 'Jan Weiß'];
    const piece = fc.oneof(
      fc.constantFrom(
        ' ',
        '  ',
        '\t',
        '\n',
        '.',
        ',',
        ':',
        '::',
        '/',
        '-',
        '(',
        ')',
        '(0)',
        '+',
        '+49',
        '0049',
        '@',
        '[at]',
        '[dot]',
        '(at)',
        '<at>',
        ' at ',
        ' dot ',
        'gmail',
        ' @ ',
        'gmx.de',
        'k.w',
        'a',
        'Z',
        'ü',
        'ß',
        'é',
        '\u0301',
        '🌸',
        '_',
        '#',
        '#tbt',
        'de',
        'DE89',
        'DE89 3704 0044\n0532',
        'de89',
        '\u00A0',
        '\u202F',
        '-3704',
        '415.555.',
        '3704',
        '0044',
        '4111',
        '1111',
        'GB82',
        'WEST',
        '192.168.0.1',
        'fe80',
        'ff',
        '255',
        '0170',
        '1234567',
        '030',
        'Version ',
        'Update ',
        'PLZ ',
        ' - ',
        '01067',
        'anna',
        '@x.de',
        'x.com/',
        'wa.me/',
        'instagram.com/',
        'profile.php?id=',
        'send?phone=',
        'unpkg.com/',
        '.png',
        'Anna',
        'Schmidt',
        'Anna Schmidt',
        'ANNA SCHMIDT',
        'anna schmidt',
        's',
        'ß',
        'Zoë',
        'Hans-Peter',
        'Krause',
        "O'Connor",
        'Liam',
        'Dr.',
        'Müller',
        'Weiß',
        'WEISS',
        'Jan ',
        'JAN ',
        '[email]',
        '中文',
        '\uE000',
        '\uE001',
      ),
      fc.string({ maxLength: 4 }),
      fc.integer({ min: 0, max: 99999 }).map(String),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    );
    const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
    const typeSets = fc.subarray([...ALL_PII_TYPES], { minLength: 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 60 }), typeSets, async (texts, types) => {
        const js = createRedactor({ types, knownNames: names });
        const sql = await viaDuckDB(texts, types, names);
        expect(sql.texts).toEqual(texts.map((t) => js.redact(t)));
      }),
      { numRuns: 60 },
    );
  });
});

describe('redactInDuckDB with a changes table', () => {
  it('leaves the table as it is and writes exactly the rows that change, with the JS output', async () => {
    const texts = [
      ...readFileSync(new URL('labelled.jsonl', FIXTURES), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { text: string }).text),
      '\uE000 a@b.de \uE001 0170 1234567',
    ];
    await loadTexts(db.conn, 't', texts, 'body');
    const types = ALL_PII_TYPES.filter((t) => t !== 'known_name');
    await redactInDuckDB(db.conn, { table: 't', keyColumn: 'id', textColumn: 'body', types, changesTable: 'changed' });
    const unchanged = (await db.conn.runAndReadAll('SELECT body FROM t ORDER BY id')).getColumns()[0]!.map(String);
    expect(unchanged).toEqual(texts);
    const rows = (await db.conn.runAndReadAll('SELECT k, t FROM changed ORDER BY k')).getRowObjects();
    const js = createRedactor({ types });
    const expected = texts.map((t, i) => [i, js.redact(t)] as const).filter(([i, r]) => r !== texts[i]);
    expect(rows.map((r) => [Number(r.k), String(r.t)])).toEqual(expected);
    expect(expected.length).toBeGreaterThan(200);
  });
});

describe('redactInDuckDB with sentinel characters in the input', () => {
  it('gives the JS output for rows that contain the private-use marks it uses internally', async () => {
    const texts = ['\uE000 a@b.de \uE001 0170 1234567', 'x\uE001@anna y', 'plain 0170 1234567'];
    const js = createRedactor({ types: ALL_PII_TYPES });
    const sql = await viaDuckDB(texts, ALL_PII_TYPES, []);
    expect(sql.texts).toEqual(texts.map((t) => js.redact(t)));
    expect(sql.texts[0]).toBe('\uE000 [email] \uE001 [phone]');
  });

  it('gives the JS output for rows with private-use characters (which it once used as marks) next to names', async () => {
    const names = ['Anna', 'Ben Carl', 'Carl'];
    const texts = ['Anna\uE002Ben Carl\uE003 Carl', '\uE003Anna\uE002', 'Ben\uE002Carl und Anna Ben Carl'];
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    const sql = await viaDuckDB(texts, ['known_name'], names);
    expect(sql.texts).toEqual(texts.map((t) => js.redact(t)));
    expect(sql.texts[0]).toBe('[name]\uE002[name]\uE003 [name]');
  });
});

describe('redactInDuckDB over a table keyed by text or by large BIGINTs', () => {
  it.each([
    ['VARCHAR', (i: number) => `'post-${i}'`],
    ['BIGINT', (i: number) => `${2n ** 40n + BigInt(i)}`],
  ])('gives the JS output with %s keys, on rows only KnownNames and the JS reference redact', async (type, key) => {
    const names = ['Anna Schmidt', 'Schmidts Hund', 'Ben'];
    const texts = [
      // An odd space in a name, and names that overlap through a genitive: KnownNames in JS.
      'Anna\u00A0Schmidt traf Ben.',
      'Anna Schmidts Hund und Ben',
      // Plain substring replacement.
      'Hallo Ben!',
      // A private-use mark: the JS reference of the candidate types.
      '\uE000 a@b.de Ben',
    ];
    await db.conn.run(`CREATE OR REPLACE TABLE tk (id ${type}, body VARCHAR)`);
    for (const [i, text] of texts.entries()) {
      await db.conn.run(`INSERT INTO tk VALUES (${key(i)}, '${text.replaceAll("'", "''")}')`);
    }
    await db.conn.run(`CREATE OR REPLACE TABLE nk AS SELECT unnest(['${names.join("', '")}']) AS name`);
    const types: PiiType[] = ['email', 'known_name'];
    await redactInDuckDB(db.conn, { table: 'tk', keyColumn: 'id', textColumn: 'body', types, knownNamesTable: 'nk' });
    const out = (await db.conn.runAndReadAll('SELECT body FROM tk ORDER BY id')).getColumns()[0]!.map(String);
    const js = createRedactor({ types, knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
    expect(out[0]).toBe('[name] traf [name].');
  });
});
