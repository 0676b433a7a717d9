// Imported for its effect, before @duckdb/node-api, by _duckdb.ts: the one module of dissent that loads DuckDB. It
// sets options of jemalloc, which DuckDB bundles as duckdb_je_* and which reads them once, when the library starts:
// they have to be in the environment before DuckDB loads.
//
// `junk:free`: the read stage parses every input line, end-to-end-encrypted ones included, before their text is
// dropped. DuckDB then writes table blocks whose unused bytes come from recycled memory (seen with 1.5.6: the gap
// between a string segment's offsets and its strings), so a block of the build's work database or of a spill file
// could hold a fragment of an e2ee line that no table holds. jemalloc overwrites memory as it is freed when its `junk`
// option says so: recycled memory then holds 0x5a bytes instead of someone's message.
//
// `narenas:1`: one arena instead of jemalloc's four per core, so that what one engine thread freed is what the next
// takes, rather than pages kept resident in another arena. The build's peak resident memory came out about 9% lower
// (2M records: 904 against 988 MiB on average of five builds each; 10M: 1,122 against 1,240 MiB, of two and four),
// in the same time.
const VAR = 'DUCKDB_JE_MALLOC_CONF';
const current = process.env[VAR];
// narenas first, so that the environment may set another; junk last, so that it wins over a `junk` set there.
process.env[VAR] = ['narenas:1', current, 'junk:free'].filter(Boolean).join(',');
