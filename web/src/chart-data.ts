/**
 * Pure shaping of API history into chart columns: no React, no uPlot, so it
 * is tested on its own.
 */
import type { HistoryPoint } from '../../src/server/schemas.ts';
import type { BurnRateWindowPair } from '../../src/slo/model.ts';

/** Units a window label may use, in the order `windowLabel` writes them (as promDuration). */
const UNITS: [suffix: string, ms: number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];
const UNIT_MS: Record<string, number> = { w: 604_800_000, ...Object.fromEntries(UNITS) };

/**
 * Ms of a window label like `5m`, `1h`, `3d` or `4m40s`; NaN when it is not one.
 * @example parseWindowLabel('1h30m') // 5_400_000
 */
export function parseWindowLabel(label: string): number {
  const text = label.trim();
  if (!/^(\d+(\.\d+)?(ms|[smhdw]))+$/.test(text)) return Number.NaN;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|[smhdw])/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  return total;
}

/**
 * The label of a window as the engine keys burn rates: a Prometheus-style
 * duration, largest units first (days at most).
 * @example windowLabel(3_600_000) // '1h'; windowLabel(280_000) // '4m40s'
 */
export function windowLabel(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return String(ms);
  let rest = Math.round(ms);
  let out = '';
  for (const [suffix, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${suffix}`;
      rest -= n * size;
    }
  }
  return out;
}

/** Column-oriented history, ready for uPlot. Ratios become percentages. */
export interface HistoryColumns {
  times: number[];
  sliPct: (number | null)[];
  budgetPct: (number | null)[];
  /** Burn rate per window label, shortest window first. */
  burn: { window: string; values: (number | null)[] }[];
}

const pct = (v: number | null) => (v === null ? null : v * 100);

/** Turns history points into chart columns, ordering burn windows by length. */
export function historyColumns(points: HistoryPoint[]): HistoryColumns {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const windows = new Set<string>();
  for (const p of sorted) for (const w of Object.keys(p.burnRates)) windows.add(w);
  const ordered = [...windows].sort((a, b) => parseWindowLabel(a) - parseWindowLabel(b));
  return {
    times: sorted.map((p) => p.t),
    sliPct: sorted.map((p) => pct(p.sli)),
    budgetPct: sorted.map((p) => pct(p.budgetRemaining)),
    burn: ordered.map((w) => ({ window: w, values: sorted.map((p) => p.burnRates[w] ?? null) })),
  };
}

/** One distinct alert threshold: a severity and a burn-rate factor. */
export interface BurnThreshold {
  severity: string;
  factor: number;
  /** The window pair(s) that use it, e.g. `1h/5m`. */
  windows: string;
}

/** The distinct thresholds of an SLO's alert rules, highest factor first. */
export function burnThresholds(pairs: BurnRateWindowPair[]): BurnThreshold[] {
  const byKey = new Map<string, BurnThreshold>();
  for (const p of pairs) {
    const key = `${p.severity}:${p.burnRate}`;
    const windows = `${windowLabel(p.longWindowMs)}/${windowLabel(p.shortWindowMs)}`;
    const seen = byKey.get(key);
    if (seen) seen.windows += `, ${windows}`;
    else byKey.set(key, { severity: p.severity, factor: p.burnRate, windows });
  }
  return [...byKey.values()].sort((a, b) => b.factor - a.factor);
}

/**
 * A y range for the SLI chart that shows the objective line and the data,
 * with a little headroom, never above 100%.
 */
export function sliRange(values: (number | null)[], objectivePct: number): [number, number] {
  let min = objectivePct;
  for (const v of values) if (v !== null && v < min) min = v;
  const span = Math.max(100 - min, 0.01);
  return [Math.max(0, min - span * 0.1), 100];
}

/** Aim for this many points per chart: enough for shape, cheap to compute. */
const TARGET_POINTS = 240;

/**
 * The history query for a range ending now. The step is whole minutes (the
 * bucket size), `to` is rounded up to the minute so successive polls share
 * cache keys, and `from` sits a whole number of steps before `to` so the last
 * point is the present, not up to a step in the past.
 */
export function historyWindow(rangeMs: number, now: number): { from: number; to: number; step: number } {
  const step = Math.max(60_000, Math.ceil(rangeMs / TARGET_POINTS / 60_000) * 60_000);
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: to - Math.ceil(rangeMs / step) * step, to, step };
}

/** A y range for the budget chart: always 0–100 %, widened for an overspent budget. */
export function budgetRange(values: (number | null)[]): [number, number] {
  let min = 0;
  for (const v of values) if (v !== null && v < min) min = v;
  return [min === 0 ? 0 : Math.floor(min / 25) * 25, 100];
}
