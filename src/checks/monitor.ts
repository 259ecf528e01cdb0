/**
 * The server's live checks: schedules every stored check, stores each result,
 * keeps the failure/recovery state, raises and resolves alerts on the
 * thresholds, feeds SLOs that take their SLI from a check, judges
 * heartbeats and prunes old results. IO goes through the functions it is given, so the server wires
 * it to its store, SLO runtime, bus and Alertmanager.
 */
import type { AlertTransition } from '../slo/index.ts';
import type { CheckHealthRecord, Store, StoredCheckResult } from '../store/index.ts';
import { executeCheck } from './execute.ts';
import { type HeartbeatState, heartbeatPing, missedHeartbeat } from './heartbeat.ts';
import {
  createResultPruner,
  DEFAULT_RESULT_RETENTION_MS,
  type ResultPruner,
  type RetentionOptions,
} from './retention.ts';
import { BrowserHost } from './runners/browser-host.ts';
import { advanceHealth, CheckScheduler, type HealthState } from './schedule/index.ts';
import type { CheckDefinition, CheckResult } from './types.ts';

export interface MonitorOptions {
  store: Store;
  now: () => number;
  /** Screenshots and traces of failed browser checks. */
  artifactsDir: string;
  /** Executions in flight at most (default 32). */
  concurrency?: number;
  /** How often heartbeats are judged (default 5 s). */
  heartbeatTickMs?: number;
  /** Feeds a result to the SLOs that take their SLI from its check. */
  feedSli?: (result: CheckResult) => Promise<void>;
  /** Stores, publishes and forwards an alert transition (the SLO engine's path). */
  publishAlert?: (t: AlertTransition) => Promise<void>;
  /** Every stored result (for the bus and server-sent events). */
  onResult?: (r: StoredCheckResult, health: CheckHealthRecord) => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
  location?: string;
  /** How long raw results are kept (default 90 days) and how pruning runs. */
  retention?: Partial<RetentionOptions>;
}

export class CheckMonitor {
  readonly #opts: MonitorOptions;
  readonly #scheduler: CheckScheduler;
  readonly #browsers = new BrowserHost();
  #checks = new Map<string, CheckDefinition>();
  readonly #health = new Map<string, CheckHealthRecord>();
  readonly #latest = new Map<string, StoredCheckResult>();
  readonly #heartbeats = new Map<string, HeartbeatState>();
  #heartbeatTimer: NodeJS.Timeout | undefined;
  readonly #pruner: ResultPruner;
  /** What each result the scheduler reported was stored as (runNow answers with the stored result). */
  readonly #stored = new WeakMap<CheckResult, StoredCheckResult>();
  /** Result handling is serial per check so health and alerts see results in order. */
  readonly #chains = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(opts: MonitorOptions) {
    this.#opts = opts;
    this.#scheduler = new CheckScheduler({
      execute: (check, signal) =>
        executeCheck(check, {
          now: opts.now,
          signal,
          artifactsDir: opts.artifactsDir,
          browsers: this.#browsers,
          location: opts.location,
        }),
      // The monitor keeps the thresholds itself (restored from the store), so the scheduler's are not used.
      onResult: async (result) => {
        this.#stored.set(result, await this.record(result));
      },
      concurrency: opts.concurrency ?? 32,
      now: opts.now,
      onError: (err) => opts.log?.('error', 'check scheduler', err),
    });
    this.#pruner = createResultPruner(
      { keepMs: DEFAULT_RESULT_RETENTION_MS, ...opts.retention },
      {
        prune: (before, limit) => opts.store.pruneCheckResults(before, limit),
        artifactsDir: opts.artifactsDir,
        now: opts.now,
        ...(opts.log ? { log: opts.log } : {}),
      },
    );
  }

  /** Restores state from the store and starts scheduling. */
  async start(): Promise<void> {
    const { store } = this.#opts;
    for (const h of await store.listCheckHealth()) this.#health.set(h.check, h);
    for (const r of await store.latestCheckResults()) this.#latest.set(r.check, r);
    await this.reload();
    this.#scheduler.start();
    const tick = this.#opts.heartbeatTickMs ?? 5_000;
    this.#heartbeatTimer = setInterval(() => {
      this.#judgeHeartbeats().catch((err) => this.#opts.log?.('error', 'heartbeat judgement failed', err));
    }, tick);
    this.#heartbeatTimer.unref?.();
    this.#pruner.start();
  }

  /** Prunes old results now (one bounded run, as the timer does); resolves with the rows deleted. */
  pruneResults(): Promise<number> {
    return this.#pruner.runOnce();
  }

  /** Re-reads the checks (after an apply). */
  async reload(): Promise<void> {
    const checks = await this.#opts.store.listChecks();
    this.#checks = new Map(checks.map((c) => [c.name, c]));
    const now = this.#opts.now();
    // A failing check that was paused no longer runs, so nothing would resolve its alert: resolve it now.
    for (const c of checks) {
      const h = this.#health.get(c.name);
      if (c.enabled || h?.state !== 'failing') continue;
      const passing: CheckHealthRecord = {
        ...h,
        state: 'passing',
        consecutiveFailures: 0,
        consecutivePasses: 0,
        since: now,
      };
      this.#health.set(c.name, passing);
      await this.#opts.store.saveCheckHealth(passing).catch(() => {});
      if (c.alertSeverity)
        await this.#opts.publishAlert?.({
          source: 'check',
          slo: c.name,
          service: c.service,
          severity: c.alertSeverity,
          from: 'firing',
          to: 'ok',
          at: now,
          reason: 'check paused',
          burnRates: {},
        });
    }
    const pings = new Map((await this.#opts.store.listHeartbeats()).map((h) => [h.check, h.lastPingAt]));
    for (const c of checks) {
      if (c.spec.type !== 'heartbeat' || this.#heartbeats.has(c.name)) continue;
      const state: HeartbeatState = { watchingSince: now };
      const last = pings.get(c.name);
      if (last !== undefined) state.lastPingAt = last;
      this.#heartbeats.set(c.name, state);
    }
    for (const name of this.#heartbeats.keys()) if (!this.#checks.has(name)) this.#heartbeats.delete(name);
    this.#scheduler.setChecks(checks.filter((c) => c.spec.type !== 'heartbeat'));
  }

  /** Where failed browser checks keep their screenshots and traces. */
  get artifactsDir(): string {
    return this.#opts.artifactsDir;
  }

  get checks(): CheckDefinition[] {
    return [...this.#checks.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  check(name: string): CheckDefinition | undefined {
    return this.#checks.get(name);
  }

  latest(name: string): StoredCheckResult | undefined {
    return this.#latest.get(name);
  }

  health(name: string): CheckHealthRecord | undefined {
    return this.#health.get(name);
  }

  get schedulerStats(): ReturnType<CheckScheduler['stats']> {
    return this.#scheduler.stats();
  }

  /**
   * Runs a check now, outside its schedule but inside the concurrency cap
   * (ahead of scheduled runs; a run already queued or going is joined); the
   * result is recorded like any other. Undefined for unknown and heartbeat
   * checks, and when no result was stored (the run was dropped, storing failed).
   */
  async runNow(name: string): Promise<StoredCheckResult | undefined> {
    const check = this.#checks.get(name);
    if (!check || check.spec.type === 'heartbeat') return undefined;
    const result = await this.#scheduler.runNow(name);
    return result && this.#stored.get(result);
  }

  /** A ping of a heartbeat check arrived. */
  async ping(name: string, at: number): Promise<StoredCheckResult | undefined> {
    const check = this.#checks.get(name);
    if (check?.spec.type !== 'heartbeat') return undefined;
    await this.#opts.store.recordHeartbeat(name, at);
    const state = this.#heartbeats.get(name) ?? { watchingSince: at };
    state.lastPingAt = at;
    this.#heartbeats.set(name, state);
    return this.record(heartbeatPing(check, at, this.#opts.location));
  }

  /**
   * Stores a result, moves the check's threshold state, raises or resolves its
   * alert, feeds its SLOs. Results of one check are handled in arrival order.
   */
  record(result: CheckResult): Promise<StoredCheckResult> {
    const prev = this.#chains.get(result.check) ?? Promise.resolve();
    const run = prev.then(() => this.#recordNow(result));
    this.#chains.set(
      result.check,
      run.then(
        () => {},
        () => {},
      ),
    );
    return run;
  }

  async #recordNow(result: CheckResult): Promise<StoredCheckResult> {
    const { store, log } = this.#opts;
    const stored = await store.addCheckResult(result);
    this.#latest.set(result.check, stored);
    const check = this.#checks.get(result.check);
    const prev = this.#health.get(result.check);
    const prevState: HealthState = prev
      ? {
          state: prev.state,
          consecutiveFailures: prev.consecutiveFailures,
          consecutivePasses: prev.consecutivePasses,
        }
      : { state: 'passing', consecutiveFailures: 0, consecutivePasses: 0 };
    const { next, transition } = advanceHealth(prevState, result.status, {
      failAfter: check?.failAfter ?? 1,
      recoverAfter: check?.recoverAfter ?? 1,
    });
    const health: CheckHealthRecord = {
      check: result.check,
      ...next,
      since: transition || !prev ? result.startedAt : prev.since,
      lastResultAt: result.startedAt,
    };
    this.#health.set(result.check, health);
    try {
      await store.saveCheckHealth(health);
    } catch (err) {
      log?.('error', `could not save the state of check ${result.check}`, err);
    }
    if (transition && check?.alertSeverity) {
      const t: AlertTransition = {
        source: 'check',
        slo: check.name,
        service: check.service,
        severity: check.alertSeverity,
        from: transition === 'failing' ? 'ok' : 'firing',
        to: transition === 'failing' ? 'firing' : 'ok',
        at: result.startedAt,
        burnRates: {},
      };
      if (result.reason !== undefined) t.reason = result.reason;
      await this.#opts
        .publishAlert?.(t)
        .catch((err) => log?.('error', `could not publish the alert of check ${check.name}`, err));
    }
    await this.#opts
      .feedSli?.(result)
      .catch((err) => log?.('warn', `could not feed check ${result.check} to its SLOs`, err));
    this.#opts.onResult?.(stored, health);
    return stored;
  }

  async #judgeHeartbeats(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#opts.now();
    for (const [name, state] of this.#heartbeats) {
      const check = this.#checks.get(name);
      if (!check?.enabled) continue;
      const missed = missedHeartbeat(check, state, now, this.#opts.location);
      if (!missed) continue;
      state.missedUntil = missed.missedUntil;
      await this.record(missed.result);
    }
  }

  /** Stops scheduling, waits for executions and result handling in flight, closes the browser. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    await this.#pruner.stop();
    await this.#scheduler.stop();
    await Promise.allSettled(this.#chains.values());
    await this.#browsers.close();
  }
}
