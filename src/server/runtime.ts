import type { SloEngine } from '../slo/index.ts';
import type { AlertTransition, SliBucket, SloDefinition, SloStatus } from '../slo/model.ts';
import type { Store } from '../store/types.ts';
import { AlertStateTracker } from './alert-state.ts';
import type { AlertmanagerNotifier } from './alertmanager.ts';
import type { EventBus } from './bus.ts';
import { MAX_FUTURE_MS } from './ingest-validate.ts';

/** Evaluates an SLO whose numbers live elsewhere (Prometheus). */
export type ExternalEvaluator = (def: SloDefinition, now: number, previous?: SloStatus) => Promise<SloStatus>;

export interface RuntimeOptions {
  store: Store;
  engine: SloEngine;
  bus: EventBus;
  now: () => number;
  notifier?: AlertmanagerNotifier;
  external?: ExternalEvaluator;
  /** Minimum gap between evaluations triggered by ingestion. */
  throttleMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

/** An SLO whose SLI comes from Prometheus rather than from stored buckets. */
export function isExternal(def: SloDefinition): boolean {
  return def.indicator.source.kind === 'prometheus';
}

/**
 * The server's live SLO state: the definitions, the engine fed from the
 * store, the latest status of each SLO and the alert states. Evaluations run
 * one at a time; transitions are stored, published on the bus and sent to
 * Alertmanager in that order.
 */
export class SloRuntime {
  readonly opts: RuntimeOptions;
  readonly alerts = new AlertStateTracker();
  #defs = new Map<string, SloDefinition>();
  #latest = new Map<string, SloStatus>();
  #chain: Promise<unknown> = Promise.resolve();
  #pending: NodeJS.Timeout | undefined;
  #lastEval = 0;
  #failures = new Map<string, string>();
  #closed = false;
  /** Writes between the store and the engine; a warm-up waits for them. */
  #inflightWrites = new Set<Promise<void>>();
  /** A reload in progress; writes wait for it. */
  #warming: Promise<void> | undefined;

  constructor(opts: RuntimeOptions) {
    this.opts = opts;
  }

  /** Seeds alert states from the store, loads the SLOs and warms the engine with their buckets. */
  async start(): Promise<void> {
    // Check alerts are the check monitor's; the tracker follows SLO alerts only.
    this.alerts.seed((await this.opts.store.listAlertEvents({})).filter((e) => e.source !== 'check'));
    await this.reload();
    // Alerts that were firing when the server stopped keep being re-sent to Alertmanager.
    const t = this.opts.now();
    for (const { slo, severity } of this.alerts.firing()) {
      const def = this.#defs.get(slo);
      if (!def) continue;
      this.opts.notifier?.adopt(
        { slo, service: def.service, severity, from: 'ok', to: 'firing', at: t, burnRates: {} },
        def,
        t,
      );
    }
  }

  /** Re-reads the SLO definitions (after an apply) and warms the engine for SLOs it has not seen. */
  reload(): Promise<void> {
    return this.#serial(() => this.#excludingWrites(() => this.#reloadNow()));
  }

  async #reloadNow(): Promise<void> {
    const { store, engine, now } = this.opts;
    const defs = await store.listSlos();
    this.#defs = new Map(defs.map((d) => [d.name, d]));
    engine.setSlos(defs.filter((d) => !isExternal(d)));
    this.alerts.retain(new Set(this.#defs.keys()));
    for (const name of this.#latest.keys()) if (!this.#defs.has(name)) this.#latest.delete(name);
    // New SLOs, and SLOs whose indicator changed (their data was reset), are loaded from the store.
    const fresh = engine.warmUpNeeded();
    if (fresh.length === 0) return;
    const t = now();
    const all = await store.readAllBuckets(t - engine.neededHistoryMs(), t + MAX_FUTURE_MS + 60_000);
    for (const name of fresh) {
      const buckets = all.get(name);
      if (buckets && buckets.length > 0) engine.addBuckets(name, buckets);
    }
  }

  /**
   * Runs `task` with no write between the store and the engine in flight.
   * A reload empties changed SLOs and reads them back from the store: a write
   * that reached the engine after the reset and the store before the read
   * would be counted twice. So the reload waits for writes in flight and holds
   * new ones back until it is done.
   */
  async #excludingWrites(task: () => Promise<void>): Promise<void> {
    const run = (async () => {
      await Promise.allSettled(this.#inflightWrites);
      await task();
    })();
    this.#warming = run;
    try {
      await run;
    } finally {
      if (this.#warming === run) this.#warming = undefined;
    }
  }

  get definitions(): SloDefinition[] {
    return [...this.#defs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  definition(name: string): SloDefinition | undefined {
    return this.#defs.get(name);
  }

  /** Writes buckets to the store, then to the engine, and asks for an evaluation soon. */
  async addBuckets(slo: string, buckets: SliBucket[]): Promise<void> {
    if (buckets.length === 0) return;
    while (this.#warming) await this.#warming.catch(() => {});
    const write = (async () => {
      await this.opts.store.addBuckets(slo, buckets);
      this.opts.engine.addBuckets(slo, buckets);
    })();
    this.#inflightWrites.add(write);
    try {
      await write;
    } finally {
      this.#inflightWrites.delete(write);
    }
    this.requestEvaluation();
  }

  /**
   * The freshest status: engine SLOs are computed on the spot (so a read right
   * after an ingestion sees it); Prometheus SLOs return the last evaluation.
   */
  status(name: string): SloStatus | undefined {
    const def = this.#defs.get(name);
    if (!def) return undefined;
    if (isExternal(def)) return this.#latest.get(name);
    return this.opts.engine.status(name, this.opts.now()) ?? this.#latest.get(name);
  }

  /** Last evaluated status of every SLO (what /metrics exports). */
  latest(): SloStatus[] {
    return [...this.#latest.values()];
  }

  /** Schedules an evaluation after the throttle gap (at most one pending). */
  requestEvaluation(): void {
    if (this.#pending || this.#closed) return;
    const gap = this.opts.throttleMs ?? 500;
    const wait = Math.max(0, this.#lastEval + gap - Date.now());
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.evaluate({ external: false }).catch((err) => this.opts.log?.('error', 'evaluation failed', err));
    }, wait);
    this.#pending.unref();
  }

  /**
   * Evaluates every SLO now; resolves with the transitions it produced.
   * `external: false` skips the Prometheus SLOs (ingestion-triggered runs: their data did not change).
   */
  evaluate(options: { external?: boolean } = {}): Promise<AlertTransition[]> {
    return this.#serial(() => this.#evaluate(options.external ?? true));
  }

  async #evaluate(withExternal: boolean): Promise<AlertTransition[]> {
    const { engine, now, external, bus } = this.opts;
    this.#lastEval = Date.now();
    const t = now();
    const statuses = [...engine.evaluate(t).statuses];
    if (external && withExternal) statuses.push(...(await this.#evaluateExternal(external, t)));
    const transitions: AlertTransition[] = [];
    for (const status of statuses) {
      if (!this.#defs.has(status.slo)) continue;
      this.#latest.set(status.slo, status);
      bus.emit('slo-status', status);
      transitions.push(...this.alerts.diff(status));
    }
    for (const tr of transitions) await this.#publish(tr, t);
    await this.opts.notifier?.resendDue(t);
    return transitions;
  }

  async #evaluateExternal(external: ExternalEvaluator, t: number): Promise<SloStatus[]> {
    const ext = [...this.#defs.values()].filter(isExternal);
    const results = await Promise.allSettled(ext.map((d) => external(d, t, this.#latest.get(d.name))));
    const out: SloStatus[] = [];
    results.forEach((r, i) => {
      const name = ext[i]?.name ?? '';
      if (r.status === 'fulfilled') {
        out.push(r.value);
        this.#failures.delete(name);
        return;
      }
      // A Prometheus that is down fails every tick: say so once per distinct error, not every 10 s.
      const message = r.reason instanceof Error ? r.reason.message : String(r.reason);
      if (this.#failures.get(name) !== message)
        this.opts.log?.('warn', `Prometheus evaluation of ${name} failed`, r.reason);
      this.#failures.set(name, message);
    });
    return out;
  }

  async #publish(tr: AlertTransition, now: number): Promise<void> {
    try {
      await this.opts.store.recordAlertTransition(tr);
    } catch (err) {
      this.opts.log?.('error', `could not store the alert transition of ${tr.slo}`, err);
    }
    this.opts.bus.emit('alert', tr);
    await this.opts.notifier?.notify(tr, tr.source === 'check' ? undefined : this.#defs.get(tr.slo), now);
  }

  /**
   * Publishes an alert raised outside the SLO engine (a check crossing its
   * threshold) along the same path: stored, on the bus, to Alertmanager.
   */
  publishAlert(tr: AlertTransition): Promise<void> {
    return this.#publish(tr, this.opts.now());
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Stops pending evaluations and waits for the running one. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pending) clearTimeout(this.#pending);
    await this.#chain;
  }
}
