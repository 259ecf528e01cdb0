import type { LatencySummary, LoadSummary } from '../types.ts';
import { formatMs } from './html.ts';

/** Left-aligned columns, two spaces apart. */
function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function latencyCells(l: LatencySummary): string[] {
  return [l.p50, l.p90, l.p99, l.p999, l.max, l.mean].map(formatMs);
}

/**
 * The end-of-run summary for a terminal: requests, rates, latency and
 * service-time percentiles, errors by kind, thresholds (✓/✗) and validity.
 */
export function renderTextSummary(s: LoadSummary): string {
  const failedPct = s.requests.total > 0 ? ((s.requests.failed / s.requests.total) * 100).toFixed(2) : '0.00';
  const lines = [
    `${s.name}: ${s.executor}, ${(s.durationMs / 1000).toFixed(1)} s${s.aborted ? `, aborted (${s.abortReason ?? 'stopped'})` : ''}`,
    '',
    ...columns([
      [
        'requests',
        String(s.requests.total),
        `ok ${s.requests.ok}`,
        `failed ${s.requests.failed} (${failedPct}%)`,
      ],
      [
        'rate',
        `target ${s.rate.target.toFixed(1)}/s`,
        `achieved ${s.rate.achieved.toFixed(1)}/s`,
        `dropped ${s.dropped}`,
      ],
    ]),
    '',
    ...columns([
      ['', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
      ['latency', ...latencyCells(s.latency_ms)],
      ['service time', ...latencyCells(s.service_time_ms)],
    ]),
  ];
  const errors = Object.entries(s.errors).filter(([, n]) => (n ?? 0) > 0);
  if (errors.length > 0) {
    lines.push('', 'errors:', ...columns(errors.map(([k, n]) => [`  ${k}`, String(n)])));
  }
  if (s.thresholds.length > 0) {
    lines.push(
      '',
      'thresholds:',
      ...s.thresholds.map(
        (t) =>
          `  ${t.ok ? '✓' : '✗'} ${t.expr}${t.value === undefined ? '' : `  (${Number(t.value.toFixed(4))})`}${t.abortedRun ? '  aborted the run' : ''}`,
      ),
    );
  }
  lines.push('');
  if (s.valid) lines.push('run: valid');
  else lines.push('run: NOT VALID (the load generator fell behind; the numbers understate latency)');
  for (const r of s.invalid_reasons) lines.push(`  - ${r}`);
  return `${lines.join('\n')}\n`;
}
