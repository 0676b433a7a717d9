// Files objections for subjects p:FROM..p:TO with CONCURRENCY requests in flight, printing each receipt as one JSON
// line as soon as the registry acknowledges it (durable and signed). With "forever", it then keeps appending
// (withdraw, object again) until it is killed, so that a kill -9 always lands in the middle of writes.
import { openHome } from '../../src/config/home.ts';

const [home, from, to, mode = 'once', concurrency = '32'] = process.argv.slice(2);
const h = await openHome(home as string);
const first = Number(from);
const last = Number(to);
let next = first;
const print = (r: { receipt: unknown }) => process.stdout.write(`${JSON.stringify(r.receipt)}\n`);

async function worker(): Promise<void> {
  while (next <= last || mode === 'forever') {
    const n = next++;
    if (n <= last) {
      print(await h.registry.object({ subject: `p:${n}`, channel: 'api' }));
    } else {
      const subject = `p:${first + ((n - last) % (last - first + 1))}`;
      print(await h.registry.withdraw({ subject, channel: 'api' }));
      print(await h.registry.object({ subject, channel: 'api' }));
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
await h.close();
