import { describe, expect, it } from 'vitest';
import { useDuckDB, viaDuckDB } from './_test-duckdb.ts';
import { createRedactor } from './redactor.ts';

const db = useDuckDB();

/** A letters-only name of its own for each i: `Filabc Lerabc`. */
const filler = (i: number) => {
  const code = [0, 1, 2].map((d) => String.fromCharCode(97 + (Math.floor(i / 26 ** d) % 26))).join('');
  return `Fil${code} Ler${code}`;
};

describe('redactInDuckDB with more names found than one pattern holds', () => {
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
});
