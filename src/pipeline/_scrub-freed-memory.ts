// Imported for its effect, before @duckdb/node-api, by _duckdb.ts: the one module of dissent that loads DuckDB.
//
// The read stage parses every input line, end-to-end-encrypted ones included, before their text is dropped. DuckDB
// then writes table blocks whose unused bytes come from recycled memory (seen with 1.5.6: the gap between a string
// segment's offsets and its strings), so a block of the build's work database or of a spill file could hold a
// fragment of an e2ee line that no table holds. jemalloc, which DuckDB bundles as duckdb_je_*, overwrites memory as
// it is freed when its `junk` option says so: recycled memory then holds 0x5a bytes instead of someone's message.
// jemalloc reads the option once, when the library starts, so it has to be in the environment before DuckDB loads.
const VAR = 'DUCKDB_JE_MALLOC_CONF';
const current = process.env[VAR];
// Appended last, so that it wins over a `junk` the environment may already set.
process.env[VAR] = current ? `${current},junk:free` : 'junk:free';
