/**
 * Pure formatting for SLO numbers. The UI and its browser test share these,
 * so the test checks the page against the API through the same rules.
 */

const DASH = '—';

/**
 * An objective as a percentage with only the digits it needs.
 * @example formatObjective(0.999) // '99.9%'
 */
export function formatObjective(ratio: number): string {
  const pct = ratio * 100;
  // Objectives carry at most four decimals (99.9999%); round away float noise first.
  const text = Number(pct.toFixed(4)).toString();
  return `${text}%`;
}

/** A ratio as a percentage with fixed decimals, or a dash when unknown. */
export function formatPercent(ratio: number | null | undefined, decimals = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return `${(ratio * 100).toFixed(decimals)}%`;
}

/** The current SLI: three decimals, because SLOs live in the nines. */
export function formatSli(sli: number | null | undefined): string {
  return formatPercent(sli, 3);
}

/** Remaining error budget (1 = untouched, negative = overspent). */
export function formatBudget(remaining: number | null | undefined): string {
  return formatPercent(remaining, 1);
}

/**
 * A burn rate as a multiple of the sustainable rate.
 * @example formatBurn(14.4) // '14.4×'
 */
export function formatBurn(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  const abs = Math.abs(rate);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${rate.toFixed(decimals)}×`;
}

const UNITS: [label: string, ms: number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A duration in its two largest units.
 * @example formatDuration(93_600_000) // '1d 2h'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [label, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) {
      if (n > 0) parts.push(`${n}${label}`);
      rest -= n * size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Epoch ms as local `YYYY-MM-DD HH:MM:SS`, sortable and unambiguous. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  );
}

/** Visual tone of an alert state, used as a CSS modifier. */
export type Tone = 'ok' | 'ticket' | 'page' | 'nodata' | 'unknown';

/** Maps the API's `alertState` ('ok', 'page', 'ticket', 'no_data', ...) to a tone. */
export function alertTone(state: string): Tone {
  switch (state) {
    case 'ok':
      return 'ok';
    case 'page':
    case 'critical':
      return 'page';
    case 'ticket':
    case 'warning':
      return 'ticket';
    case 'no_data':
    case 'insufficient_data':
      return 'nodata';
    default:
      return 'unknown';
  }
}

/** The label a badge shows for an alert state. */
export function alertLabel(state: string): string {
  if (state === 'no_data') return 'no data';
  if (state === 'insufficient_data') return 'low traffic';
  return state;
}

/** Tone of a remaining budget: healthy, getting thin, or spent. */
export function budgetTone(remaining: number | null | undefined): 'ok' | 'warn' | 'bad' | 'nodata' {
  if (remaining === null || remaining === undefined) return 'nodata';
  if (remaining <= 0) return 'bad';
  if (remaining < 0.25) return 'warn';
  return 'ok';
}
