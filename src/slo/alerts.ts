/**
 * Multiwindow, multi-burn-rate alerting (SRE Workbook, ch. 5): a window pair
 * fires when both its long and its short window burn faster than its factor —
 * the long window proves the burn is significant, the short one that it is
 * still happening (so alerts reset soon after recovery).
 *
 * Pure: window sums in, severity states and transitions out.
 */
import { burnRateOf } from './burn.ts';
import type { AlertState, AlertStatus, AlertTransition, BurnRateWindowPair, SloDefinition } from './model.ts';
import { windowLabel } from './windows.ts';

/** Sums over one window ending now. */
export interface WindowSums {
  windowMs: number;
  /** Good units (events, or good slices for the timeslice methods). */
  good: number;
  /** Units with data. */
  total: number;
  /**
   * Raw events in the window, when units are slices. The min-events guard and
   * the no-data check count events; without this field they count `total`.
   */
  events?: number;
}

/** The verdict of one window pair. */
export interface PairVerdict {
  pair: BurnRateWindowPair;
  longBurn: number | null;
  shortBurn: number | null;
  /** The long window holds fewer than `minEvents` events, so the pair may not fire. */
  guarded: boolean;
  fires: boolean;
}

/** A severity's computed state before `since` bookkeeping. */
export interface SeverityVerdict {
  severity: string;
  state: AlertState;
  reason?: string;
}

/** Formats a burn rate with as few decimals as keep it from printing equal to the factor (14.44 vs 14.4). */
function fmt(x: number, factor: number): string {
  for (let digits = 1; digits <= 6; digits++) {
    const s = x.toFixed(digits);
    if (x === factor || Number(s) !== factor) return s;
  }
  return String(x);
}

/** Judges one pair on the window sums (looked up by window length). */
export function judgePair(
  pair: BurnRateWindowPair,
  sums: ReadonlyMap<number, WindowSums>,
  objective: number,
  minEvents: number,
): PairVerdict {
  const long = sums.get(pair.longWindowMs);
  const short = sums.get(pair.shortWindowMs);
  const longBurn = long ? burnRateOf(long.good, long.total, objective) : null;
  const shortBurn = short ? burnRateOf(short.good, short.total, objective) : null;
  const longEvents = long ? (long.events ?? long.total) : 0;
  const guarded = longEvents < minEvents;
  const fires =
    !guarded &&
    longBurn !== null &&
    shortBurn !== null &&
    longBurn > pair.burnRate &&
    shortBurn > pair.burnRate;
  return { pair, longBurn, shortBurn, guarded, fires };
}

/** "1h burn 15.2 > 14.4 and 5m burn 20.1 > 14.4": why a pair fires. */
export function pairReason(v: PairVerdict): string {
  const cmp = (burn: number | null): string =>
    burn === null
      ? 'no data'
      : `${fmt(burn, v.pair.burnRate)} ${burn > v.pair.burnRate ? '>' : '≤'} ${v.pair.burnRate}`;
  return `${windowLabel(v.pair.longWindowMs)} burn ${cmp(v.longBurn)} and ${windowLabel(v.pair.shortWindowMs)} burn ${cmp(v.shortBurn)}`;
}

/** Severities in the order they first appear in the policy. */
export function severitiesOf(def: Pick<SloDefinition, 'alerting'>): string[] {
  return severityPlan(def).map((s) => s.severity);
}

type SeverityPlan = Array<{ severity: string; pairs: BurnRateWindowPair[] }>;

// Definitions are immutable values, so the grouping is computed once per policy, not once per tick.
const plans = new WeakMap<SloDefinition['alerting'], SeverityPlan>();

function severityPlan(def: Pick<SloDefinition, 'alerting'>): SeverityPlan {
  let plan = plans.get(def.alerting);
  if (!plan) {
    const severities = [...new Set(def.alerting.windows.map((w) => w.severity))];
    plan = severities.map((severity) => ({
      severity,
      pairs: def.alerting.windows.filter((p) => p.severity === severity),
    }));
    plans.set(def.alerting, plan);
  }
  return plan;
}

/** Events in the last `noDataAfterMs`: that window if given, else the shortest window given. */
function recentEvents(noDataAfterMs: number, sums: ReadonlyMap<number, WindowSums>): number | null {
  const exact = sums.get(noDataAfterMs);
  if (exact) return exact.events ?? exact.total;
  let shortest: WindowSums | undefined;
  for (const s of sums.values()) if (!shortest || s.windowMs < shortest.windowMs) shortest = s;
  return shortest ? (shortest.events ?? shortest.total) : null;
}

/**
 * The state of every severity: `no_data` when no event arrived in the last
 * `noDataAfterMs`; else `firing` when any of its pairs fires; else
 * `insufficient_data` when every one of its pairs is held by the min-events
 * guard; else `ok`.
 */
export function evaluateSeverities(
  def: Pick<SloDefinition, 'alerting' | 'objective'>,
  sums: ReadonlyMap<number, WindowSums>,
): SeverityVerdict[] {
  const { minEvents, noDataAfterMs } = def.alerting;
  const recent = recentEvents(noDataAfterMs, sums);
  const noData = recent === null || recent <= 0;
  return severityPlan(def).map(({ severity, pairs }): SeverityVerdict => {
    if (noData)
      return { severity, state: 'no_data', reason: `no events in the last ${windowLabel(noDataAfterMs)}` };
    let allGuarded = true;
    for (const pair of pairs) {
      const verdict = judgePair(pair, sums, def.objective, minEvents);
      // The reason string is built only for firing pairs: formatting is the costliest part of a tick.
      if (verdict.fires) return { severity, state: 'firing', reason: pairReason(verdict) };
      allGuarded &&= verdict.guarded;
    }
    if (allGuarded) {
      return {
        severity,
        state: 'insufficient_data',
        reason: `fewer than ${minEvents} events in every long window`,
      };
    }
    return { severity, state: 'ok' };
  });
}

/**
 * Folds fresh verdicts into the previous alert statuses: `since` stays while
 * the state stays and moves to `now` when it changes. Without a previous
 * status a severity starts in `ok` since `now`.
 */
export function nextAlertStatuses(
  slo: string,
  verdicts: SeverityVerdict[],
  now: number,
  previous: readonly AlertStatus[] = [],
): AlertStatus[] {
  return verdicts.map((v) => {
    const prev = previous.find((p) => p.severity === v.severity);
    const since = prev && prev.state === v.state ? prev.since : now;
    const status: AlertStatus = { slo, severity: v.severity, state: v.state, since };
    if (v.reason !== undefined) status.reason = v.reason;
    return status;
  });
}

/**
 * The state changes between two evaluations, one per severity that changed.
 * A severity seen for the first time counts as coming from `ok`, so a first
 * evaluation that fires (or finds no data) is announced.
 */
export function alertTransitions(
  def: Pick<SloDefinition, 'name' | 'service'>,
  previous: readonly AlertStatus[] | undefined,
  next: readonly AlertStatus[],
  now: number,
  burnRates: Record<string, number | null>,
): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const n of next) {
    const from: AlertState = previous?.find((p) => p.severity === n.severity)?.state ?? 'ok';
    if (from === n.state) continue;
    const t: AlertTransition = {
      slo: def.name,
      service: def.service,
      severity: n.severity,
      from,
      to: n.state,
      at: now,
      burnRates: { ...burnRates },
    };
    const reason = n.reason ?? (n.state === 'ok' ? 'no window pair burns faster than its factor' : undefined);
    if (reason !== undefined) t.reason = reason;
    out.push(t);
  }
  return out;
}
