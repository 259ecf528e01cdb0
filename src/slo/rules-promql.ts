/**
 * PromQL text helpers shared by the rule generator and the Prometheus source:
 * Prometheus duration formatting, window substitution in user queries, and
 * turning an SLI query into "events in the window" or "events per second".
 * Pure string work, no IO.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, type PrometheusSliQuery, type TimeWindow } from './model.ts';
import { nominalPeriodMs } from './windows.ts';

const UNITS: [suffix: string, ms: number][] = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', 1000],
  ['ms', 1],
];

/**
 * Formats milliseconds as a Prometheus duration, largest units first.
 * @example promDuration(30 * DAY_MS) // '30d'; promDuration(280_000) // '4m40s'
 */
export function promDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`not a positive duration: ${ms}`);
  let rest = Math.round(ms);
  let out = '';
  for (const [suffix, unit] of UNITS) {
    const n = Math.floor(rest / unit);
    if (n > 0) {
      out += `${n}${suffix}`;
      rest -= n * unit;
    }
  }
  return out;
}

/** Placeholders users write for the window: Sloth's `{{.window}}`, Grafana's `$__window`, `$window`. */
const PLACEHOLDER = /\{\{\s*\.window\s*\}\}|\$__window|\$\{window\}|\$window\b/g;

/** True when the query names the window through a placeholder. */
export function hasWindowPlaceholder(query: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(query);
}

/** Replaces every window placeholder with the Prometheus duration of `windowMs`. */
export function substituteWindow(query: string, windowMs: number): string {
  return query.replace(PLACEHOLDER, promDuration(windowMs));
}

const SELECTOR = /^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{[^{}]*\})?\s*$/;

/**
 * The user's counter query as "how many events in the window".
 * - With a placeholder: substituted; a query built on `rate()` is per second,
 *   so it is scaled by the window length (PromQL defines increase = rate × range,
 *   so this is exact, not an approximation).
 * - A bare counter selector (OpenSLO style): `sum(increase(sel[w]))`.
 * - Any other expression without a window: a subquery over it.
 */
export function eventsQuery(query: string, windowMs: number): string {
  const w = promDuration(windowMs);
  if (hasWindowPlaceholder(query)) {
    const q = substituteWindow(query, windowMs).trim();
    return usesRate(q) ? `(${q}) * ${windowMs / 1000}` : q;
  }
  if (SELECTOR.test(query)) return `sum(increase(${query.trim()}[${w}]))`;
  return `sum(increase((${query.trim()})[${w}:]))`;
}

/** The user's counter query as events per second over the window. */
export function perSecondQuery(query: string, windowMs: number): string {
  const w = promDuration(windowMs);
  if (hasWindowPlaceholder(query)) {
    const q = substituteWindow(query, windowMs).trim();
    return usesRate(q) ? q : `(${q}) / ${windowMs / 1000}`;
  }
  if (SELECTOR.test(query)) return `sum(rate(${query.trim()}[${w}]))`;
  return `sum(rate((${query.trim()})[${w}:]))`;
}

/** `rate(` but not `irate(`: irate has no increase counterpart, so it is treated as a count query. */
function usesRate(q: string): boolean {
  return /(^|[^a-zA-Z_])rate\s*\(/.test(q);
}

/** Bad events in the window for a ratio SLI: `bad`, or `total − good`. */
export function badEventsQuery(q: Extract<PrometheusSliQuery, { type: 'ratio' }>, windowMs: number): string {
  if (q.bad !== undefined) return eventsQuery(q.bad, windowMs);
  if (q.good === undefined) throw new Error('a ratio SLI needs a good or a bad query');
  return `(${eventsQuery(q.total, windowMs)}) - (${eventsQuery(q.good, windowMs)})`;
}

/**
 * The error ratio over one window, as a PromQL expression, for every query type
 * except threshold (which has no ratio form).
 */
export function errorRatioQuery(q: PrometheusSliQuery, windowMs: number): string {
  switch (q.type) {
    case 'ratio': {
      // Same-form queries (both rate(), or both increase()) divide as written; the
      // scaling to events would cancel and only make the rule harder to read.
      const parts = [q.bad ?? q.good ?? '', q.total];
      const sameForm = parts.every(hasWindowPlaceholder) && new Set(parts.map(usesRate)).size === 1;
      const count = sameForm
        ? (x: string) => substituteWindow(x, windowMs).trim()
        : (x: string) => eventsQuery(x, windowMs);
      const bad = q.bad !== undefined ? count(q.bad) : `(${count(q.total)}) - (${count(q.good ?? '')})`;
      return `(${bad}) / (${count(q.total)})`;
    }
    case 'rawErrorRatio':
      return `(${rawWindowed(q.errorRatio, windowMs)})`;
    case 'rawSuccessRatio':
      return `1 - (${rawWindowed(q.successRatio, windowMs)})`;
    case 'threshold':
      throw new Error('threshold SLIs have no error-ratio query');
  }
}

/** A raw ratio query: substituted, or averaged over the window when it names none. */
function rawWindowed(query: string, windowMs: number): string {
  if (hasWindowPlaceholder(query)) return substituteWindow(query, windowMs).trim();
  return `avg_over_time((${query.trim()})[${promDuration(windowMs)}:])`;
}

/**
 * The rolling length Prometheus uses for an SLO window. Prometheus has no
 * calendar ranges, so a calendar window becomes its nominal length (a month is 30d).
 */
export function periodMs(window: TimeWindow): number {
  return nominalPeriodMs(window);
}
