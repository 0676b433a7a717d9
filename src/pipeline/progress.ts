import type { BuildProgress, BuildSummary } from './build.ts';

/** A sink for progress lines, normally process.stderr. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const STAGE_TEXT: Record<string, string> = {
  plan: 'pinning the cut and the identity graph',
  read: 'reading',
  classify: 'applying the policy',
  transform: 'redacting and deduplicating',
  write: 'writing shards',
  manifest: 'signing the manifest',
  finish: 'recording the snapshot',
};

/**
 * A progress bar for a TTY: stage, a bar, records, MB/s and an ETA while reading, shards while writing. On anything that is
 * not a TTY it stays silent, so that piped output holds only the final summary.
 */
export function createProgressBar(
  stream: ProgressStream,
  now: () => number = Date.now,
): {
  update(p: BuildProgress): void;
  done(): void;
} {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let readStart = 0;
  let last = 0;
  let shown = false;
  // A terminal that reports no width (0, as some do) gets the usual 80 columns.
  const width = () => Math.max(40, (stream.columns || 80) - 1);
  const render = (line: string) => {
    stream.write(`\r${line.slice(0, width()).padEnd(width())}`);
    shown = true;
  };
  /** `stage`, a bar and `text`: the bar narrows (to 8 cells) before the text is cut. */
  const withBar = (stage: string, frac: number, text: string) => {
    const cells = Math.max(8, Math.min(24, width() - stage.length - text.length - 2));
    const full = Math.round(frac * cells);
    return `${stage} ${'█'.repeat(full)}${'░'.repeat(cells - full)} ${text}`;
  };
  return {
    update(p) {
      const t = now();
      if (p.done === undefined) {
        // The rate counts from the start of the read, not from its first figure (which may come only at its end).
        if (p.stage === 'read' && readStart === 0) readStart = t;
        render(`${p.stage}: ${p.message ?? STAGE_TEXT[p.stage] ?? ''}`);
        return;
      }
      if (t - last < 100 && p.done !== p.total) return;
      last = t;
      const total = p.total ?? 0;
      const frac = total > 0 ? Math.min(1, p.done / total) : 0;
      if (p.unit === 'bytes') {
        if (readStart === 0) readStart = t;
        const secs = Math.max(0.001, (t - readStart) / 1000);
        const rate = p.done / secs;
        const eta = rate > 0 ? (total - p.done) / rate : 0;
        const records = p.records === undefined ? '' : `  ${p.records.toLocaleString('en-US')} records`;
        render(
          // Records, MB/s and the ETA first: a terminal too narrow even for the shortest bar cuts the sizes at the end.
          withBar(
            p.stage,
            frac,
            `${(frac * 100).toFixed(0).padStart(3)}%${records}  ${mb(rate)} MB/s  ETA ${rate > 0 ? `${eta.toFixed(0)} s` : '--'}  ${mb(p.done)}/${mb(total)} MB`,
          ),
        );
      } else {
        render(withBar(p.stage, frac, `${p.done}/${total} ${p.unit ?? ''}`));
      }
    },
    done() {
      if (shown) stream.write(`\r${' '.repeat(width())}\r`);
    },
  };
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** The final summary as a plain-text table: read, kept, each exclusion reason, quarantined, shards, time, MB/s. */
export function formatSummary(s: BuildSummary): string {
  const rows: [string, string][] = [
    ['read', fmt(s.read)],
    ['kept', fmt(s.kept)],
  ];
  for (const [reason, n] of Object.entries(s.excluded)) rows.push([`excluded: ${reason}`, fmt(n)]);
  rows.push(['quarantined', fmt(s.quarantined)]);
  rows.push(['shards', fmt(s.shards)]);
  rows.push(['time', `${s.seconds.toFixed(1)} s`]);
  rows.push(['throughput', `${(s.inputBytes / 1e6 / Math.max(s.seconds, 0.001)).toFixed(1)} MB/s`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  const head = s.alreadyBuilt
    ? `snapshot ${s.snapshot} was already built (nothing to do)`
    : `snapshot ${s.snapshot}${s.resumed ? ' (resumed)' : ''}`;
  const lines = rows.map(([k, x]) => `  ${k.padEnd(w)}  ${x.padStart(v)}`);
  return [
    head,
    ...lines,
    `  cut: log size ${s.cutSize}; merkle root ${s.root}`,
    `  written to ${s.out} (manifest.json, manifest.sig, data/, lineage/, quarantine/)`,
  ].join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
