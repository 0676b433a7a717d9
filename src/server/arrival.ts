import type { FastifyRequest } from 'fastify';

const arrivals = new WeakMap<FastifyRequest, Date>();

/** Notes the server's time as a request arrives; call it from the first onRequest hook, before anything waits. */
export function noteArrival(req: FastifyRequest, clock: () => Date): void {
  arrivals.set(req, clock());
}

/**
 * The server's time when a request arrived: what an objection it files is submitted at, and so what the deadline is
 * judged by. Stamped later (after a lookup, behind a deadline-night queue), an objection sent in time could be late.
 */
export function arrivedAt(req: FastifyRequest, clock: () => Date): Date {
  return arrivals.get(req) ?? clock();
}
