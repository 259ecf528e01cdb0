import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LatencySummary, LoadSummary } from '../types.ts';
import { CHARTS_SCRIPT } from './charts-script.ts';
import { REPORT_CSS } from './report-css.ts';

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's IIFE build and stylesheet, read once from node_modules and inlined (no network at view time). */
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element: no `</script>` or `<!--` can close it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Milliseconds for people: `850 µs`, `12.3 ms`, `1.42 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

function formatRate(r: number): string {
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}/s`;
}

function latencyRow(label: string, l: LatencySummary): string {
  const cells = [l.p50, l.p90, l.p99, l.p999, l.max, l.mean].map((v) => `<td>${formatMs(v)}</td>`);
  return `<tr><th>${label}</th>${cells.join('')}</tr>`;
}

function header(s: LoadSummary): string {
  const badge = s.valid ? '<span class="badge ok">valid</span>' : '<span class="badge bad">NOT VALID</span>';
  const aborted = s.aborted
    ? `<span class="badge warn">aborted${s.abortReason ? `: ${escapeHtml(s.abortReason)}` : ''}</span>`
    : '';
  const reasons = s.valid
    ? ''
    : `<ul class="reasons">${s.invalid_reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
  return `<header>
  <h1>${escapeHtml(s.name)} ${badge} ${aborted}</h1>
  <p class="meta">started ${escapeHtml(s.startedAt)} · ${formatMs(s.durationMs)} · executor <code>${escapeHtml(s.executor)}</code></p>
  ${reasons}
</header>`;
}

function numbers(s: LoadSummary): string {
  const failedPct = s.requests.total > 0 ? (s.requests.failed / s.requests.total) * 100 : 0;
  const tiles: [string, string][] = [
    ['requests', String(s.requests.total)],
    ['ok', String(s.requests.ok)],
    ['failed', `${s.requests.failed} (${failedPct.toFixed(2)}%)`],
    ['target rate', formatRate(s.rate.target)],
    ['achieved rate', formatRate(s.rate.achieved)],
    ['dropped', String(s.dropped)],
    ['p99 latency', formatMs(s.latency_ms.p99)],
  ];
  const errors = Object.entries(s.errors).filter(([, n]) => (n ?? 0) > 0);
  const errorList =
    errors.length === 0
      ? '<p class="muted">no errors</p>'
      : `<table class="errors"><tr><th>error kind</th><th>count</th></tr>${errors
          .map(([k, n]) => `<tr><td><code>${escapeHtml(k)}</code></td><td>${n}</td></tr>`)
          .join('')}</table>`;
  return `<section class="tiles">${tiles
    .map(([k, v]) => `<div class="tile"><div class="k">${k}</div><div class="v">${escapeHtml(v)}</div></div>`)
    .join('')}</section>
<section class="row">
  <div><h2>Latency</h2><table class="lat"><tr><th></th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>
  ${latencyRow('latency', s.latency_ms)}${latencyRow('service time', s.service_time_ms)}</table>
  <p class="muted">Latency is measured from each request's intended start (coordinated omission corrected); service time from the actual send.</p></div>
  <div><h2>Errors</h2>${errorList}</div>
</section>`;
}

function thresholds(s: LoadSummary): string {
  if (s.thresholds.length === 0) return '<section><h2>Thresholds</h2><p class="muted">none</p></section>';
  const rows = s.thresholds.map(
    (t) =>
      `<tr class="${t.ok ? 'pass' : 'fail'}"><td>${t.ok ? '✓ pass' : '✗ fail'}</td><td><code>${escapeHtml(
        t.expr,
      )}</code></td><td>${t.value === undefined ? '' : escapeHtml(String(Number(t.value.toFixed(4))))}</td><td>${
        t.abortedRun ? 'aborted the run' : ''
      }</td></tr>`,
  );
  return `<section><h2>Thresholds</h2><table class="thresholds"><tr><th>result</th><th>expression</th><th>value</th><th></th></tr>${rows.join(
    '',
  )}</table></section>`;
}

function perRequest(s: LoadSummary): string {
  const entries = Object.entries(s.perRequest);
  if (entries.length <= 1) return '';
  const rows = entries.map(
    ([name, r]) =>
      `<tr><td>${escapeHtml(name)}</td><td>${r.total}</td><td>${r.failed}</td><td>${formatMs(
        r.latency_ms.p50,
      )}</td><td>${formatMs(r.latency_ms.p99)}</td><td>${formatMs(r.latency_ms.max)}</td></tr>`,
  );
  return `<section><h2>Requests</h2><table><tr><th>name</th><th>total</th><th>failed</th><th>p50</th><th>p99</th><th>max</th></tr>${rows.join(
    '',
  )}</table></section>`;
}

/**
 * Renders a run's summary as one self-contained HTML page: uPlot, the styles
 * and the data are inlined, so the file opens offline and makes no requests.
 *
 * @example await writeFile('report.html', renderHtmlReport(summary));
 */
export function renderHtmlReport(summary: LoadSummary): string {
  const assets = uplot();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Load test: ${escapeHtml(summary.name)}</title>
<style>${assets.css}</style><style>${REPORT_CSS}</style>
</head><body><main>
${header(summary)}
${numbers(summary)}
${thresholds(summary)}
<section><h2>Latency over time</h2><div class="chart" id="chart-latency"></div></section>
<section><h2>Rate over time</h2><div class="chart" id="chart-rate"></div></section>
<section><h2>Percentile spectrum</h2><div class="chart" id="chart-spectrum"></div>
<p class="muted">x axis: 1/(1−percentile) on a log scale, as HdrHistogram plots it; the tail gets the room.</p></section>
${perRequest(summary)}
<footer>Ballast load report</footer>
</main>
<script id="summary-data" type="application/json">${scriptJson(summary)}</script>
<script>${assets.js}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`;
}
