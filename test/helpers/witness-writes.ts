// Writes the home's log witness MS milliseconds long, as fast as it can, the way a server and a CLI process of one home
// both do (each from its own process), and reads it back after each write. Prints the number of reads that found no
// valid checkpoint in the file; any warning goes to stderr.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHome } from '../../src/config/home.ts';
import { LogWitness, WITNESS_FILE } from '../../src/config/log-witness.ts';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { parseVerifierKey, verifierKeyOf } from '../../src/log/note.ts';

const [home = '', ms = '1000'] = process.argv.slice(2);
const h = await openHome(home);
const note = (await h.registry.latestCheckpoint()).note;
const witness = new LogWitness(home, h.signer, h.registry.origin, h.config.log.key_file);
await witness.check(h.store, home);
const verifier = parseVerifierKey(verifierKeyOf(h.signer));
let unreadable = 0;
for (const end = Date.now() + Number(ms); Date.now() < end; ) {
  witness.saw(note);
  witness.flush();
  try {
    openCheckpoint(readFileSync(join(home, WITNESS_FILE), 'utf8'), verifier, h.registry.origin);
  } catch {
    unreadable++;
  }
}
await h.close();
process.stdout.write(`${unreadable}\n`);
