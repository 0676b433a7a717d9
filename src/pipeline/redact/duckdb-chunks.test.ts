import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { useDuckDB, viaDuckDB } from './_test-duckdb.ts';
import { createRedactor } from './redactor.ts';

const db = useDuckDB();

/** A letters-only name of its own for each i: `Filabc Lerabc`. */
const filler = (i: number) => {
  const code = [0, 1, 2].map((d) => String.fromCharCode(97 + (Math.floor(i / 26 ** d) % 26))).join('');
  return `Fil${code} Ler${code}`;
};

describe('redactInDuckDB with thousands of names found', () => {
  it("redacts a later pattern's name in a text whose only odd space an earlier pattern's name took away", async () => {
    // 2,001 names found: the first pattern holds the longest 2,000 (Anna Schmidtberger and the fillers), the second
    // Bob Smith alone. The no-break space inside Anna Schmidtberger is the text's only odd space, and goes with it.
    const fillers = Array.from({ length: 1999 }, (_, i) => filler(i));
    const names = ['Anna Schmidtberger', 'Bob Smith', ...fillers];
    const texts = ['Anna\u00A0Schmidtberger traf Bob Smith.', ...fillers.map((f) => `Hallo ${f}!`)];
    const { texts: out } = await viaDuckDB(db.conn, texts, ['known_name'], names);
    expect(out[0]).toBe('[name] traf [name].');
    expect(out[1]).toBe('Hallo [name]!');
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });

  it('replaces the name that starts first where two overlap, as the JS redactor does, however many names are found', async () => {
    // Over 2,000 names found: the build once went over them in patterns of 2,000, longest first, and replaced the
    // longer of two overlapping names where they fell in different patterns (Anna [name]).
    const fillers = Array.from({ length: 2100 }, (_, i) => filler(i));
    const names = ['Anna Ben', 'Ben Carl Dorn Erik', ...fillers];
    const texts = ['Anna Ben Carl Dorn Erik', 'Ben Carl Dorn Erik und Anna Ben', ...fillers.map((f) => `Hallo ${f}!`)];
    const { texts: out } = await viaDuckDB(db.conn, texts, ['known_name'], names);
    expect(out.slice(0, 2)).toEqual(['[name] Carl Dorn Erik', '[name] und [name]']);
    expect(out[2]).toBe('Hallo [name]!');
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
  });
});

describe('redactInDuckDB over long texts under a memory limit', () => {
  it('finds names in texts on either side of the size up to which a text rides along with its words (4 KB)', async () => {
    const names = ['Anna Schmidt', 'Ben'];
    // Each exactly `bytes` long in UTF-8, with a name at either end: one text per size around the 4,096-byte limit.
    const texts = [4094, 4095, 4096, 4097, 4098].map((bytes) => {
      const ends = 'Anna Schmidt: ü Ben';
      return `Anna Schmidt: ü${'x'.repeat(bytes - Buffer.byteLength(ends))} Ben`;
    });
    expect(texts.map((t) => Buffer.byteLength(t))).toEqual([4094, 4095, 4096, 4097, 4098]);
    const { texts: out } = await viaDuckDB(db.conn, texts, ['known_name'], names);
    const js = createRedactor({ types: ['known_name'], knownNames: names });
    expect(out).toEqual(texts.map((t) => js.redact(t)));
    expect(out.every((t) => t.startsWith('[name]: ü') && t.endsWith(' [name]'))).toBe(true);
  });

  it('finds the names in a thousand long texts (chats of 50 KB) without running out of memory', async () => {
    // The engine splits the texts of one vector (2,048 rows) into words at once: a thousand texts of 9,000 words each
    // took more than a build's memory for their pairs of words, and the build stopped with "out of memory".
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '512MB', threads: '2' });
    const conn = await instance.connect();
    try {
      const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit'.split(' ');
      const body = Array.from({ length: 9000 }, (_, i) => words[i % words.length]).join(' ');
      const texts = Array.from({ length: 1000 }, (_, i) => `Anna Schmidt und Anna schreiben: ${body} ${i}`);
      const names = ['Anna', 'Anna Schmidt'];
      const { texts: out } = await viaDuckDB(conn, texts, ['known_name'], names);
      expect(out[0]?.startsWith('[name] und [name] schreiben: lorem')).toBe(true);
      const js = createRedactor({ types: ['known_name'], knownNames: names });
      expect(out.every((t, i) => t === js.redact(texts[i] as string))).toBe(true);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }, 60_000);
});
