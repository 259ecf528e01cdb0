import type { AlertState, AlertTransition, SloStatus } from '../slo/model.ts';

const key = (slo: string, severity: string) => `${slo}\u0000${severity}`;

/**
 * The last known state of every (SLO, severity) alert, seeded from the stored
 * alert events so a restart neither re-fires nor forgets a firing alert.
 * Transitions are derived by diffing each evaluation against it, the same way
 * for engine-evaluated and Prometheus-evaluated SLOs.
 */
export class AlertStateTracker {
  readonly #states = new Map<string, AlertState>();

  /** Seeds from stored events (any order); the highest id per alert wins. */
  seed(events: readonly { id: number; slo: string; severity: string; to: AlertState }[]): void {
    const best = new Map<string, { id: number; to: AlertState }>();
    for (const e of events) {
      const k = key(e.slo, e.severity);
      const prev = best.get(k);
      if (!prev || e.id > prev.id) best.set(k, { id: e.id, to: e.to });
    }
    for (const [k, v] of best) this.#states.set(k, v.to);
  }

  state(slo: string, severity: string): AlertState | undefined {
    return this.#states.get(key(slo, severity));
  }

  /** Every alert currently firing, as [slo, severity] pairs. */
  firing(): { slo: string; severity: string }[] {
    const out: { slo: string; severity: string }[] = [];
    for (const [k, s] of this.#states) {
      if (s !== 'firing') continue;
      const [slo = '', severity = ''] = k.split('\u0000');
      out.push({ slo, severity });
    }
    return out;
  }

  /** Forgets SLOs no longer defined. */
  retain(slos: ReadonlySet<string>): void {
    for (const k of this.#states.keys()) {
      if (!slos.has(k.split('\u0000')[0] ?? '')) this.#states.delete(k);
    }
  }

  /**
   * Compares one evaluation with the known states and returns the changes
   * (an alert never seen before counts as coming from `ok`), updating the states.
   */
  diff(status: SloStatus): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const alert of status.alerts) {
      const k = key(status.slo, alert.severity);
      const from = this.#states.get(k) ?? 'ok';
      if (from === alert.state) {
        this.#states.set(k, from);
        continue;
      }
      this.#states.set(k, alert.state);
      const t: AlertTransition = {
        slo: status.slo,
        service: status.service,
        severity: alert.severity,
        from,
        to: alert.state,
        at: status.evaluatedAt,
        burnRates: { ...status.burnRates },
      };
      if (alert.reason !== undefined) t.reason = alert.reason;
      out.push(t);
    }
    return out;
  }
}
