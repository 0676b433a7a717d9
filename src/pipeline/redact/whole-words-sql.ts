import { sqlString } from '../../policy/compile-sql.ts';
import { WORD } from './patterns.ts';

/**
 * An SQL expression: `acc` with every occurrence of `alt` that stands as whole words replaced by `placeholder`; `acc`
 * and `alt` are SQL expressions (lambda parameters, say). An occurrence is whole where neither neighbour is a token
 * character (TOKEN_SOURCE); after a handle (`alt` starting with `@`), a dot followed by a token character counts as
 * one too, as Instagram's `anna.ig` is another handle than `@anna`. Literal splitting, no regexp built per row: the
 * text is split once at every occurrence (a lambda over [split] binds the parts), and each occurrence is seen as
 * x = (part before, part after, 2 for the first occurrence, 2 for the last), zipped lists rather than indexing into
 * the parts, which a lambda would copy once per occurrence. The character before an occurrence is the end of the part
 * before it, or, when that part is empty, the end of the previous occurrence (none at the start of the text); the
 * character after it likewise.
 *
 * The split takes the leftmost of two occurrences that overlap: for an `alt` that begins with its own end (`Anna Ann`
 * in `Anna Anna Ann`), a whole-word occurrence right after one that is none is missed. Callers send such names
 * another way.
 */
export function replaceWholeWordsSql(acc: string, alt: string, placeholder: string): string {
  const token = (ch: string) => `regexp_matches(${ch}, ${sqlString(`[${WORD}_]`)})`;
  const leftOk = `CASE WHEN x[1] = '' THEN x[3] = 2 OR NOT ${token(`right(${alt}, 1)`)} ELSE NOT ${token('right(x[1], 1)')} END`;
  const handleGoesOn = `(starts_with(${alt}, '@') AND left(x[2], 1) = '.' AND ${token('substr(x[2], 2, 1)')})`;
  const rightOk = `CASE WHEN x[2] = '' THEN x[4] = 2 OR NOT ${token(`left(${alt}, 1)`)} ELSE NOT ${token('left(x[2], 1)')} AND NOT ${handleGoesOn} END`;
  const occurrences = `list_zip(list_slice(parts, 1, len(parts) - 1), list_slice(parts, 2, len(parts)),
    range(2, len(parts) + 1), list_reverse(range(2, len(parts) + 1)))`;
  return `CASE WHEN NOT contains(${acc}, ${alt}) THEN ${acc} ELSE list_transform([string_split(${acc}, ${alt})],
    parts -> parts[1] || array_to_string(list_transform(${occurrences},
      x -> CASE WHEN (${leftOk}) AND (${rightOk}) THEN ${sqlString(placeholder)} ELSE ${alt} END || x[2]), ''))[1] END`;
}

/**
 * An SQL condition: whether the string `s` begins with its own end (`Anna Ann`, `Xa B X`), so that two of its
 * occurrences can overlap and replaceWholeWordsSql may miss one.
 */
export function beginsWithItsEndSql(s: string): string {
  return `coalesce(list_bool_or(list_transform(range(1, length(${s})), n -> left(${s}, n) = right(${s}, n))), false)`;
}
