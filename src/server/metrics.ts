import type { Programme } from '../config/config.ts';
import type { Store } from '../registry/store.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  counts: number[];
  sum: number;
  n: number;
}

function labels(obj: Record<string, string>): string {
  const parts = Object.entries(obj).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** In-process metrics rendered as Prometheus text; labels hold route patterns and codes, never personal data. */
export class Metrics {
  readonly #latency = new Map<string, { labels: Record<string, string>; h: Histogram }>();
  readonly #counters = new Map<string, { name: string; labels: Record<string, string>; value: number }>();

  /** Records one HTTP request by method, route pattern and status code. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const l = { method, route, status: String(status) };
    const key = labels(l);
    let e = this.#latency.get(key);
    if (!e) {
      e = { labels: l, h: { counts: BUCKETS.map(() => 0), sum: 0, n: 0 } };
      this.#latency.set(key, e);
    }
    e.h.n++;
    e.h.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) (e.h.counts[i] as number)++;
  }

  /** Adds to a counter such as `dissent_objections_filed_total`. */
  inc(name: string, l: Record<string, string>, by = 1): void {
    const key = name + labels(l);
    const c = this.#counters.get(key);
    if (c) c.value += by;
    else this.#counters.set(key, { name, labels: l, value: by });
  }

  /** The Prometheus text exposition (format 0.0.4), with store-backed gauges read now. */
  async render(store: Store, logSize: number, programmes: readonly Programme[]): Promise<string> {
    const out: string[] = [];
    out.push('# HELP dissent_objections Objections in the registry by state, channel and programme.');
    out.push('# TYPE dissent_objections gauge');
    for (const r of await store.countObjections()) {
      out.push(`dissent_objections${labels({ state: r.state, channel: r.channel, programme: r.programme })} ${r.n}`);
    }
    out.push(
      '# HELP dissent_objections_covering Objections in the registry covering each configured programme (to it, or to *), by state, channel and whether submitted after its deadline; a subject with an objection to the programme and one to * counts twice.',
    );
    out.push('# TYPE dissent_objections_covering gauge');
    for (const p of programmes) {
      for (const r of await store.countObjectionsCovering(p.id, p.deadline.toISOString())) {
        const l = { programme: p.id, state: r.state, channel: r.channel, late: String(r.late) };
        out.push(`dissent_objections_covering${labels(l)} ${r.n}`);
      }
    }
    out.push('# HELP dissent_log_size Entries in the transparency log.');
    out.push('# TYPE dissent_log_size gauge');
    out.push(`dissent_log_size ${logSize}`);
    const byName = new Map<string, { labels: Record<string, string>; value: number }[]>();
    for (const c of this.#counters.values()) {
      const list = byName.get(c.name) ?? [];
      list.push(c);
      byName.set(c.name, list);
    }
    for (const [name, help] of Object.entries(COUNTERS)) {
      out.push(`# HELP ${name} ${help}`);
      out.push(`# TYPE ${name} counter`);
      const samples = byName.get(name) ?? [];
      for (const c of samples) out.push(`${name}${labels(c.labels)} ${c.value}`);
      // A counter without labels is 0 until it first moves: a missing series reads as "not collected" to an alert.
      if (samples.length === 0 && UNLABELLED.has(name)) out.push(`${name} 0`);
    }
    const h = 'dissent_http_request_duration_seconds';
    out.push(`# HELP ${h} HTTP request latency by method, route pattern and status.`);
    out.push(`# TYPE ${h} histogram`);
    for (const { labels: l, h: hist } of this.#latency.values()) {
      BUCKETS.forEach((b, i) => {
        out.push(`${h}_bucket${labels({ ...l, le: String(b) })} ${hist.counts[i]}`);
      });
      out.push(`${h}_bucket${labels({ ...l, le: '+Inf' })} ${hist.n}`);
      out.push(`${h}_sum${labels(l)} ${hist.sum}`);
      out.push(`${h}_count${labels(l)} ${hist.n}`);
    }
    return `${out.join('\n')}\n`;
  }
}

/** The counters kept without labels, which have a sample from the start. */
const UNLABELLED = new Set<string>([
  'dissent_unconfirmed_purged_total',
  'dissent_mail_retries_total',
  'dissent_mail_spool_errors_total',
]);

/** Counters this server keeps, with their help text. */
export const COUNTERS = {
  dissent_objections_filed_total:
    'Objections made effective by this process since it started, by channel, programme covered and lateness.',
  dissent_withdrawals_total: 'Withdrawals logged by this process since it started, by channel.',
  dissent_mail_total: 'Mails handed to the outbox or SMTP server, by kind and result.',
  dissent_mail_retries_total:
    'SMTP attempts that failed for a passing reason (no connection, a timeout, a 4xx answer) and are made again later.',
  dissent_mail_spool_errors_total:
    'Link mails the mail spool could not keep (a full disk, a read-only or missing folder): sent all the same, but not kept over a restart.',
  dissent_link_tokens_total: 'Confirmation and withdrawal links used, by purpose and result.',
  dissent_unconfirmed_purged_total:
    'Pending objections deleted, with their tokens, because none of their confirmation links can be used any more.',
} as const;
