/**
 * Pure data shaping for the chaos pages: run badges, merging journal batches
 * from the event stream, rows of the journal table, probe series and fault
 * marks for the chart, and a tolerant reading of guards and reports (the
 * server stores whatever a controller sent, so every field may be missing).
 */
import type { GuardDecision } from '../../src/chaos/experiment/guards.ts';
import type {
  BudgetUse,
  ExperimentReport,
  JournalEntry,
  Phase,
  ProbeSeries,
} from '../../src/chaos/experiment/journal.ts';
import type { ChaosRun } from '../../src/server/schemas-chaos.ts';

// ── status ────────────────────────────────────────────────────────────────

/** Tone of a run's badge (a CSS modifier `badge-<tone>`; `running` is the chaos pages' own). */
export type ChaosTone = 'ok' | 'ticket' | 'page' | 'nodata' | 'running';

/** What a run's badge says and how it is coloured. */
export interface ChaosBadge {
  label: string;
  tone: ChaosTone;
}

/**
 * Every status a run can have. Red where the service or the run broke (the
 * hypothesis failed, the run failed or its controller vanished), amber where
 * the run stopped short, green when the steady state held, grey when nothing
 * ran.
 */
export const STATUS_BADGES: Readonly<Record<string, ChaosBadge>> = {
  running: { label: 'running', tone: 'running' },
  held: { label: 'held', tone: 'ok' },
  deviated: { label: 'deviated', tone: 'page' },
  failed: { label: 'failed', tone: 'page' },
  lost: { label: 'lost', tone: 'page' },
  aborted: { label: 'aborted', tone: 'ticket' },
  precondition_failed: { label: 'precondition failed', tone: 'ticket' },
  refused: { label: 'refused', tone: 'nodata' },
};

/** The badge of a run; a running run someone asked to halt reads `halting`. */
export function statusBadge(run: Pick<ChaosRun, 'status' | 'haltRequested'>): ChaosBadge {
  if (run.status === 'running' && run.haltRequested) return { label: 'halting', tone: 'ticket' };
  return STATUS_BADGES[run.status] ?? { label: run.status.replaceAll('_', ' '), tone: 'nodata' };
}

/** True while any of the runs is running (the Halt all button shows). */
export function anyRunning(runs: readonly Pick<ChaosRun, 'status'>[]): boolean {
  return runs.some((r) => r.status === 'running');
}

/** How long a run took, or has taken so far. */
export function runDurationMs(run: Pick<ChaosRun, 'startedAt' | 'finishedAt'>, now: number): number {
  return Math.max(0, (run.finishedAt ?? now) - run.startedAt);
}

/** How a hypothesis part reads: held, deviated, or not judged (the run never got there). */
export function hypothesisBadge(value: boolean | null | undefined): ChaosBadge {
  if (value === true) return { label: 'held', tone: 'ok' };
  if (value === false) return { label: 'deviated', tone: 'page' };
  return { label: 'not judged', tone: 'nodata' };
}

// ── the runs list ─────────────────────────────────────────────────────────

/**
 * Puts a changed run into a list kept newest first (replacing the old copy of
 * the same id), keeping at most `limit` runs.
 */
export function upsertRun<R extends Pick<ChaosRun, 'id' | 'startedAt'>>(
  runs: readonly R[],
  run: R,
  limit = Number.POSITIVE_INFINITY,
): R[] {
  const rest = runs.filter((r) => r.id !== run.id);
  return [...rest, run].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
}

// ── the journal ───────────────────────────────────────────────────────────

/** A journal merged with a batch; `gap` when the batch starts past the end (an earlier batch is missing). */
export interface MergedJournal<E> {
  journal: E[];
  gap: boolean;
}

/**
 * Merges a batch (`from` = sequence number of its first entry) into a journal
 * whose index is the sequence number. A resent entry keeps the copy already
 * there, as the server keeps the first; a batch past the end leaves the
 * journal as it is and reports the gap, so the caller refetches the whole.
 * Returns the same array when nothing is new.
 * @example mergeJournal([a, b], 1, [b, c]) // { journal: [a, b, c], gap: false }
 */
export function mergeJournal<E>(journal: E[], from: number, entries: readonly E[]): MergedJournal<E> {
  if (from > journal.length) return { journal, gap: true };
  const fresh = entries.slice(journal.length - from);
  return { journal: fresh.length === 0 ? journal : [...journal, ...fresh], gap: false };
}

/**
 * A refetched journal against the cached one: the fetch may have left before
 * the latest batch arrived over the event stream, so entries the cache has
 * past the fetched end are kept.
 */
export function reconcileJournal<E>(fetched: E[], cached: readonly E[]): E[] {
  return cached.length > fetched.length ? [...fetched, ...cached.slice(fetched.length)] : fetched;
}

/** The phase the run is in: the last one it entered, or null before the first. */
export function currentPhase(journal: readonly JournalEntry[]): Phase | null {
  for (let i = journal.length - 1; i >= 0; i--) {
    const e = journal[i];
    if (e?.type === 'phase') return e.phase;
  }
  return null;
}

/** One line of the journal table. */
export interface JournalRow {
  seq: number;
  t: number;
  /** The entry's own phase, or the one in effect when it was written. */
  phase: Phase | null;
  /** phase, probe, apply, revert, load-start, …, deviation, abort, note. */
  type: string;
  /** The probe or step it concerns. */
  subject: string;
  /** The probe's or action's verdict; null for entries without one. */
  ok: boolean | null;
  value: number | null;
  detail: string;
  /** Row highlight: deviations and aborts stand out, failed probes and actions less so. */
  tone: 'deviation' | 'abort' | 'fail' | '';
}

/** The journal as table rows, in order, each with the phase in effect. */
export function journalRows(journal: readonly JournalEntry[]): JournalRow[] {
  let phase: Phase | null = null;
  return journal.map((e, seq) => {
    const row: JournalRow = {
      seq,
      t: e.t,
      phase,
      type: String(e.type),
      subject: '',
      ok: null,
      value: null,
      detail: '',
      tone: '',
    };
    switch (e.type) {
      case 'phase':
        phase = e.phase;
        return { ...row, phase: e.phase, detail: `entered ${e.phase}` };
      case 'probe':
        return {
          ...row,
          phase: e.phase ?? phase,
          subject: e.probe,
          ok: e.ok,
          value: typeof e.value === 'number' ? e.value : null,
          detail: e.detail ?? '',
          tone: e.ok ? '' : 'fail',
        };
      case 'action':
        return {
          ...row,
          type: e.action,
          subject: e.step,
          ok: e.ok,
          detail: e.detail ?? '',
          tone: e.ok ? '' : 'fail',
        };
      case 'deviation':
        return {
          ...row,
          phase: e.phase ?? phase,
          subject: e.probe,
          detail: e.detail ?? '',
          tone: 'deviation',
        };
      case 'abort':
        return { ...row, detail: e.reason ?? '', tone: 'abort' };
      case 'note':
        return { ...row, detail: e.message ?? '' };
      default: {
        // An entry type this UI does not know yet: show what it carries.
        const { t: _t, type: _type, ...rest } = e as { t: number; type: string };
        return { ...row, detail: JSON.stringify(rest) };
      }
    }
  });
}

/** Time since the run started, as the journal table's second column shows it. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(1)}s`;
  const m = Math.floor(abs / 60_000);
  const s = Math.floor((abs % 60_000) / 1_000);
  return `${sign}${m}m${String(s).padStart(2, '0')}s`;
}

/** Local time of day with milliseconds: journal entries come fractions of a second apart. */
export function formatClock(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

// ── the chart ─────────────────────────────────────────────────────────────

/** Probe values over time, as chart columns: `values[i]` aligns with `times[i]`, null where a probe was not read. */
export interface ProbeColumns {
  times: number[];
  series: { probe: string; values: (number | null)[] }[];
}

/**
 * The numbers probes judged, one series per probe in order of first reading.
 * Readings without a number (a probe that only says ok or not) are left out.
 */
export function probeColumns(journal: readonly JournalEntry[]): ProbeColumns {
  const readings = new Map<string, Map<number, number>>();
  const times = new Set<number>();
  for (const e of journal) {
    if (e.type !== 'probe' || typeof e.value !== 'number' || !Number.isFinite(e.value)) continue;
    let byT = readings.get(e.probe);
    if (!byT) {
      byT = new Map();
      readings.set(e.probe, byT);
    }
    byT.set(e.t, e.value);
    times.add(e.t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    times: sorted,
    series: [...readings].map(([probe, byT]) => ({ probe, values: sorted.map((t) => byT.get(t) ?? null) })),
  };
}

/** Colours of the probe lines, in order (none of them red: red marks deviations). */
export const PROBE_COLORS: readonly string[] = [
  '#60a5fa',
  '#4ade80',
  '#facc15',
  '#c084fc',
  '#22d3ee',
  '#f472b6',
  '#a3e635',
  '#fb923c',
];

/** From the first fault applied to the last reverted; `end` null while a fault is still held. */
export interface FaultWindow {
  start: number;
  end: number | null;
}

/**
 * The fault window: the report's when the run has one, else worked out from
 * the journal (first successful apply; the last revert once every applied
 * fault has one).
 */
export function faultWindow(
  journal: readonly JournalEntry[],
  report?: { faultWindow?: { start: number; end: number } | null } | null,
): FaultWindow | null {
  if (report?.faultWindow) return report.faultWindow;
  let start: number | undefined;
  let applied = 0;
  let reverted = 0;
  let lastRevert: number | null = null;
  for (const e of journal) {
    if (e.type !== 'action') continue;
    if (e.action === 'apply' && e.ok) {
      start ??= e.t;
      applied++;
    } else if (e.action === 'revert' && start !== undefined) {
      reverted++;
      lastRevert = e.t;
    }
  }
  if (start === undefined) return null;
  return { start, end: reverted >= applied ? lastRevert : null };
}

/** A moment worth a vertical line on the chart. */
export interface RunMark {
  at: number;
  label: string;
  kind: 'apply' | 'revert' | 'deviation' | 'abort';
}

/** Colours of the marks, and of the fault window's shade. */
export const MARK_COLORS: Readonly<Record<RunMark['kind'] | 'window', string>> = {
  apply: '#fb923c',
  revert: '#4ade80',
  deviation: '#f87171',
  abort: '#ef4444',
  window: 'rgba(251, 146, 60, 0.12)',
};

/** Faults applied and reverted, deviations and aborts, in journal order. */
export function runMarks(journal: readonly JournalEntry[]): RunMark[] {
  const marks: RunMark[] = [];
  for (const e of journal) {
    if (e.type === 'action' && (e.action === 'apply' || e.action === 'revert'))
      marks.push({ at: e.t, label: `${e.action} ${e.step}`, kind: e.action });
    else if (e.type === 'deviation')
      marks.push({ at: e.t, label: `deviation ${e.probe}`, kind: 'deviation' });
    else if (e.type === 'abort') marks.push({ at: e.t, label: 'abort', kind: 'abort' });
  }
  return marks;
}

// ── guards and report ─────────────────────────────────────────────────────

/** The run's guard decision, or null when what was stored does not look like one. */
export function guardsOf(raw: Record<string, unknown> | null | undefined): GuardDecision | null {
  if (!raw || !Array.isArray(raw.reasons)) return null;
  return {
    service: String(raw.service ?? ''),
    pass: raw.pass === true,
    overridden: raw.overridden === true,
    reasons: (raw.reasons as GuardDecision['reasons']).filter((r) => r && typeof r.message === 'string'),
  };
}

/** A report with every part present (defaults for what the controller left out). */
export interface ReportView {
  outcome: string;
  headline: string;
  hypothesis: ExperimentReport['hypothesis'];
  faultWindow: { start: number; end: number } | null;
  recoveryMs: number | null;
  abortReason: string | null;
  probes: ProbeSeries[];
  budget: BudgetUse[];
  reverts: { ok: number; failed: number } | null;
  errors: string[];
}

const arrayOr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const numberOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const judged = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/**
 * A stored report as the page shows it. The server checks only the outcome
 * and the headline, so the rest is read with care: a missing part shows as
 * not judged or empty, never as a crash.
 */
export function reportOf(raw: Record<string, unknown> | null | undefined): ReportView | null {
  if (!raw) return null;
  const r = raw as Partial<Record<keyof ExperimentReport, unknown>>;
  const h = (r.hypothesis ?? {}) as Record<string, unknown>;
  const w = r.faultWindow as { start?: unknown; end?: unknown } | null | undefined;
  const start = numberOr(w?.start);
  const end = numberOr(w?.end);
  const rv = r.reverts as { ok?: unknown; failed?: unknown } | undefined;
  return {
    outcome: String(r.outcome ?? ''),
    headline: String(r.headline ?? ''),
    hypothesis: { before: judged(h.before), during: judged(h.during), after: judged(h.after) },
    faultWindow: start !== null && end !== null ? { start, end } : null,
    recoveryMs: numberOr(r.recoveryMs),
    abortReason: typeof r.abortReason === 'string' ? r.abortReason : null,
    probes: arrayOr<ProbeSeries>(r.probes).filter((p) => p && typeof p.probe === 'string' && p.during),
    budget: arrayOr<BudgetUse>(r.budget).filter((b) => b && typeof b.slo === 'string'),
    reverts: rv ? { ok: numberOr(rv.ok) ?? 0, failed: numberOr(rv.failed) ?? 0 } : null,
    errors: arrayOr<unknown>(r.errors).map(String),
  };
}

/** What the halt answer says, in a sentence. */
export function haltSummary(answer: { runs: string[]; leasesReleased: number; errors: string[] }): string {
  if (answer.runs.length === 0) return 'Nothing was running.';
  const runs = `${answer.runs.length} run${answer.runs.length === 1 ? '' : 's'}`;
  const leases = `${answer.leasesReleased} lease${answer.leasesReleased === 1 ? '' : 's'} released`;
  const errors =
    answer.errors.length > 0
      ? `, ${answer.errors.length} release${answer.errors.length === 1 ? '' : 's'} failed`
      : '';
  return `Halt requested for ${runs}; ${leases}${errors}.`;
}

/** A share of the error budget (0.012 = 1.2% of it) with enough digits to tell small spends from none. */
export function formatBudgetShare(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  if (share === 0) return '0%';
  const pct = share * 100;
  return Math.abs(pct) >= 1 ? `${pct.toFixed(1)}%` : `${pct.toPrecision(2)}%`;
}

/** A probe's value: whole numbers as they are, others to four significant digits. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(4)));
}
