/**
 * `SloEngine`: the incremental evaluator the server runs every tick. It keeps
 * per-SLO rings and running sums (state.ts) so one tick over 10,000 SLOs costs
 * O(SLOs × windows), not O(SLOs × 30 days); see
 * docs/adr/0001-incremental-slo-evaluation.md.
 */
import { alertTransitions } from './alerts.ts';
import { isTimeslice } from './budgeting.ts';
import { layoutOf, type StateLayout } from './layout.ts';
import {
  type AlertTransition,
  MINUTE_MS,
  type SliBucket,
  type SloDefinition,
  type SloStatus,
} from './model.ts';
import { SloState } from './state.ts';
import { buildStatus } from './status.ts';
import { maxPeriodMs } from './windows.ts';

export type { WindowSums } from './alerts.ts';
export { eventsToBuckets, type SliInputEvent } from './events.ts';
export { computeHistory, type HistoryPoint } from './history.ts';
export { lateDataLimitMs } from './layout.ts';
export { alertWindowsMs, buildStatus, exhaustionWindowMs } from './status.ts';
export { describeWindow, windowLabel } from './windows.ts';

/** The parts of a definition that decide what a stored count means: change them and the data is void. */
function dataKey(def: SloDefinition): string {
  const slices = isTimeslice(def);
  return JSON.stringify([
    def.indicator,
    def.budgetingMethod,
    slices ? (def.timesliceMs ?? null) : null,
    slices ? (def.timesliceTarget ?? def.objective) : null,
  ]);
}

function sameLayout(a: StateLayout, b: StateLayout): boolean {
  return (
    a.ringMinutes === b.ringMinutes &&
    a.ringHours === b.ringHours &&
    a.windowsMs.length === b.windowsMs.length &&
    a.windowsMs.every((ms, i) => ms === b.windowsMs[i])
  );
}

/** Incremental SLO evaluator for the SLOs whose data Ballast holds (every source but Prometheus). */
export class SloEngine {
  private readonly retainMs: number;
  private readonly states = new Map<string, SloState>();
  private readonly keys = new Map<string, string>();
  private readonly fresh = new Set<string>();
  private created = 0;

  /** @param options.retainMs keep hourly data at least this long, even past the SLO window. */
  constructor(options?: { retainMs?: number }) {
    this.retainMs = options?.retainMs ?? 0;
  }

  /**
   * Adds, updates and removes SLOs. An SLO whose data-relevant definition
   * (indicator, budgeting method, slice length and target) did not change keeps
   * its data, migrated when its windows changed; one whose did starts empty and
   * is listed by `warmUpNeeded()` so the server reloads its buckets.
   */
  setSlos(defs: SloDefinition[]): void {
    const wanted = new Map(
      defs.filter((d) => d.indicator.source.kind !== 'prometheus').map((d) => [d.name, d]),
    );
    for (const name of this.states.keys()) {
      if (!wanted.has(name)) {
        this.states.delete(name);
        this.keys.delete(name);
        this.fresh.delete(name);
      }
    }
    for (const [name, def] of wanted) {
      const layout = layoutOf(def, this.retainMs);
      const key = dataKey(def);
      const old = this.states.get(name);
      if (old && this.keys.get(name) === key) {
        if (sameLayout(old.layout, layout)) {
          old.def = def;
          continue;
        }
        const next = new SloState(def, layout, this.created++);
        next.copyFrom(old);
        this.states.set(name, next);
        continue;
      }
      this.states.set(name, new SloState(def, layout, this.created++));
      this.keys.set(name, key);
      this.fresh.add(name);
    }
  }

  /** Names of SLOs created or reset since the last call: the server loads their buckets. */
  warmUpNeeded(): string[] {
    const names = [...this.fresh];
    this.fresh.clear();
    return names;
  }

  /**
   * Adds counts to an SLO's minute buckets, in any order and late (within the
   * retained range). Unknown SLOs are ignored. Returns how many buckets were
   * dropped (older than the hour ring, or, for timeslice methods, minutes of a
   * slice already judged for good).
   *
   * Timeslice methods re-judge a slice from its raw minutes while its first
   * minute is in the minute ring (`lateDataLimitMs`). A slice older than that
   * is judged once, from its minutes in one call: the warm-up passes every
   * stored bucket of the SLO in one call, so its old slices are complete;
   * later minutes of such a slice are refused and counted as dropped.
   */
  addBuckets(slo: string, buckets: SliBucket[]): number {
    const state = this.states.get(slo);
    if (!state) return 0;
    return state.addBatch(buckets);
  }

  /** Evaluates every non-Prometheus SLO at `now`, committing alert states. */
  evaluate(now: number): { statuses: SloStatus[]; transitions: AlertTransition[] } {
    const c = Math.floor(now / MINUTE_MS);
    const statuses: SloStatus[] = [];
    const transitions: AlertTransition[] = [];
    for (const state of this.states.values()) {
      const status = this.compute(state, c, now);
      for (const t of alertTransitions(state.def, state.alerts, status.alerts, now, status.burnRates)) {
        transitions.push(t);
      }
      state.alerts = status.alerts;
      statuses.push(status);
    }
    return { statuses, transitions };
  }

  /** One SLO's status at `now` without committing alert states; undefined for unknown SLOs. */
  status(slo: string, now: number): SloStatus | undefined {
    const state = this.states.get(slo);
    return state ? this.compute(state, Math.floor(now / MINUTE_MS), now) : undefined;
  }

  private compute(state: SloState, c: number, now: number): SloStatus {
    state.advance(c);
    return buildStatus(state.def, now, state.windowSums(), state.periodSums(now), state.alerts);
  }

  /** How far back the server must load buckets at start-up: the longest SLO window or alert window. */
  neededHistoryMs(): number {
    let ms = this.retainMs;
    for (const state of this.states.values()) {
      ms = Math.max(ms, maxPeriodMs(state.def.timeWindow) + 60 * MINUTE_MS, ...state.layout.windowsMs);
    }
    return ms;
  }
}
