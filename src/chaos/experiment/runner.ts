/**
 * Runs one experiment: steady state before; the method while probing
 * continuously; abort at the first breach of an abort rule, a halt or a lost
 * lease; revert every fault; rollbacks; steady state after, timing the
 * recovery. Faults, probes and load come in through ports, so the same loop
 * runs in the CLI, in tests and (later) on agents.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BudgetUse, ExperimentReport, JournalEntry, Outcome, Phase, ProbeSeries } from './journal.ts';
import type { ExperimentDefinition, Probe, Step } from './model.ts';
import { describeFault, planMethod } from './plan.ts';

export interface ProbeResult {
  ok: boolean;
  value: number | null;
  detail: string;
}

export interface ProbePort {
  run(probe: Probe, signal: AbortSignal): Promise<ProbeResult>;
}

export interface FaultHandle {
  revert(): Promise<void>;
}

export type FaultStep = Extract<Step, { kind: 'fault' }>;

export interface FaultPort {
  /** Applies one fault under the controller's lease; throws with the daemon's message when it is refused. */
  apply(step: FaultStep): Promise<FaultHandle>;
  /** Called when a lease could not be renewed: the daemon has reverted (or will revert) its faults. */
  onLeaseLost(listener: (reason: string) => void): void;
}

export interface LoadPort {
  start(loadTest: string, signal: AbortSignal): Promise<{ stop(): Promise<string> }>;
}

export interface RollbackPort {
  run(rollback: ExperimentDefinition['rollbacks'][number]): Promise<string>;
}

export interface RunPorts {
  probes: ProbePort;
  faults: FaultPort;
  load?: LoadPort;
  rollbacks?: RollbackPort;
  /** Remaining budget share per SLO of the service, for the report's budget use. */
  budgets?: () => Promise<{ slo: string; remaining: number | null }[]>;
  now?: () => number;
  onEntry?: (entry: JournalEntry) => void;
}

export interface RunOptions {
  /** Aborting it halts the run (`ballast chaos halt`, Ctrl-C, the web UI's Halt button). */
  signal?: AbortSignal;
  /** The recovery probes' cadence; default the probe interval, at most 1 s. */
  recoveryPollMs?: number;
}

interface Held {
  step: FaultStep;
  handle: FaultHandle;
  reverted: boolean;
}

/** Runs the experiment to its end and returns its report with the whole journal. */
export async function runExperiment(
  def: ExperimentDefinition,
  ports: RunPorts,
  opts: RunOptions = {},
): Promise<{ report: ExperimentReport; journal: JournalEntry[] }> {
  const run = new ExperimentRun(def, ports, opts);
  return run.execute();
}

class ExperimentRun {
  readonly #def: ExperimentDefinition;
  readonly #ports: RunPorts;
  readonly #opts: RunOptions;
  readonly #now: () => number;
  readonly #journal: JournalEntry[] = [];
  readonly #held: Held[] = [];
  readonly #abort = new AbortController();
  #abortReason: string | undefined;
  #phase: Phase = 'before';
  #deviated = false;
  #firstApply: number | undefined;
  #lastRevert: number | undefined;
  readonly #reverts = { ok: 0, failed: 0 };
  readonly #errors: string[] = [];
  readonly #series = new Map<string, ProbeSeries['during']>();

  constructor(def: ExperimentDefinition, ports: RunPorts, opts: RunOptions) {
    this.#def = def;
    this.#ports = ports;
    this.#opts = opts;
    this.#now = ports.now ?? Date.now;
    const halt = () => this.#stop(`halted: ${String(opts.signal?.reason ?? 'halt requested')}`);
    if (opts.signal?.aborted) halt();
    else opts.signal?.addEventListener('abort', halt, { once: true });
    ports.faults.onLeaseLost((reason) => this.#stop(`lease lost: ${reason}`));
  }

  #log(entry: JournalEntry): void {
    this.#journal.push(entry);
    this.#ports.onEntry?.(entry);
  }

  #enter(phase: Phase): void {
    this.#phase = phase;
    this.#log({ t: this.#now(), type: 'phase', phase });
  }

  #stop(reason: string): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#log({ t: this.#now(), type: 'abort', reason });
    this.#abort.abort(reason);
  }

  async execute(): Promise<{ report: ExperimentReport; journal: JournalEntry[] }> {
    const startedAt = this.#now();
    const budgetBefore = await this.#budgets();
    this.#enter('before');
    const before = await this.#probeRound(this.#def.steadyState, null);
    let hypothesis: ExperimentReport['hypothesis'] = {
      before: before.every((r) => r.ok),
      during: null,
      after: null,
    };
    let recoveryMs: number | null = null;
    if (hypothesis.before && this.#abortReason === undefined) {
      this.#enter('method');
      await this.#method();
      await this.#revertAll();
      await this.#rollbacks();
      this.#enter('recovery');
      recoveryMs = await this.#recover();
      hypothesis = { ...hypothesis, during: !this.#deviated, after: recoveryMs !== null };
    } else if (!hypothesis.before) {
      this.#log({
        t: this.#now(),
        type: 'note',
        message: 'steady state did not hold before the method: no fault was injected',
      });
    }
    this.#enter('done');
    const outcome = this.#outcome(hypothesis);
    const endedAt = this.#now();
    const report: ExperimentReport = {
      experiment: this.#def.name,
      service: this.#def.service,
      outcome,
      headline: headline(outcome, this.#def.name, this.#abortReason, recoveryMs),
      startedAt,
      endedAt,
      hypothesis,
      faultWindow:
        this.#firstApply !== undefined ? { start: this.#firstApply, end: this.#lastRevert ?? endedAt } : null,
      recoveryMs,
      ...(this.#abortReason !== undefined ? { abortReason: this.#abortReason } : {}),
      probes: [...this.#series].map(([probe, during]) => ({ probe, during })),
      budget: budgetUse(budgetBefore, await this.#budgets()),
      reverts: { ...this.#reverts },
      errors: this.#errors,
    };
    return { report, journal: this.#journal };
  }

  #outcome(h: ExperimentReport['hypothesis']): Outcome {
    if (this.#abortReason !== undefined && this.#firstApply === undefined && h.before === true)
      return this.#errors.length > 0 ? 'failed' : 'aborted';
    if (this.#abortReason !== undefined) return 'aborted';
    if (h.before === false) return 'precondition_failed';
    return h.during && h.after ? 'held' : 'deviated';
  }

  async #budgets(): Promise<{ slo: string; remaining: number | null }[]> {
    if (!this.#ports.budgets) return [];
    try {
      return await this.#ports.budgets();
    } catch (err) {
      this.#errors.push(`budget read failed: ${message(err)}`);
      return [];
    }
  }

  /** Runs probes side by side; `abortOnFail` names the probes whose failure stops the run. */
  async #probeRound(
    probes: Probe[],
    abortOnFail: Set<string> | null,
    signal: AbortSignal = this.#abort.signal,
  ): Promise<ProbeResult[]> {
    const results = await Promise.all(
      probes.map(async (probe) => {
        let r: ProbeResult;
        try {
          r = await this.#ports.probes.run(probe, signal);
        } catch (err) {
          r = { ok: false, value: null, detail: `probe error: ${message(err)}` };
        }
        this.#log({
          t: this.#now(),
          type: 'probe',
          phase: this.#phase,
          probe: probe.name,
          ok: r.ok,
          value: r.value,
          detail: r.detail,
        });
        return { probe, r };
      }),
    );
    for (const { probe, r } of results) {
      if (this.#phase === 'method' && this.#held.some((h) => !h.reverted)) this.#record(probe.name, r);
      if (r.ok || this.#phase !== 'method') continue;
      if (this.#def.steadyState.includes(probe)) {
        this.#deviated = true;
        this.#log({
          t: this.#now(),
          type: 'deviation',
          phase: 'method',
          probe: probe.name,
          detail: r.detail,
        });
      }
      if (abortOnFail?.has(probe.name)) this.#stop(`abort rule ${probe.name} breached: ${r.detail}`);
    }
    return results.map((x) => x.r);
  }

  #record(probe: string, r: ProbeResult): void {
    const s = this.#series.get(probe) ?? { min: null, max: null, last: null, failures: 0, samples: 0 };
    s.samples += 1;
    if (!r.ok) s.failures += 1;
    if (r.value !== null) {
      s.min = s.min === null ? r.value : Math.min(s.min, r.value);
      s.max = s.max === null ? r.value : Math.max(s.max, r.value);
      s.last = r.value;
    }
    this.#series.set(probe, s);
  }

  /** The method's steps on their planned times, with the probe loop beside them. */
  async #method(): Promise<void> {
    const abortNames = new Set(this.#def.abort.map((p) => p.name));
    const probes = [
      ...this.#def.steadyState,
      ...this.#def.abort.filter((p) => !this.#def.steadyState.includes(p)),
    ];
    const methodDone = new AbortController();
    const both = AbortSignal.any([methodDone.signal, this.#abort.signal]);
    const loop = (async () => {
      while (!both.aborted) {
        const round = this.#now();
        await this.#probeRound(probes, abortNames);
        const wait = this.#def.probeIntervalMs - (this.#now() - round);
        await sleep(Math.max(0, wait), undefined, { signal: both }).catch(() => {});
      }
    })();
    const loads: { name: string; stop(): Promise<string> }[] = [];
    const timers: Promise<void>[] = [];
    const t0 = this.#now();
    const plan = planMethod(this.#def.method);
    for (const planned of plan.steps) {
      if (this.#abort.signal.aborted) break;
      const wait = planned.startMs - (this.#now() - t0);
      if (wait > 0) await sleep(wait, undefined, { signal: this.#abort.signal }).catch(() => {});
      if (this.#abort.signal.aborted) break;
      const step = planned.step;
      if (step.kind === 'pause') {
        this.#log({
          t: this.#now(),
          type: 'action',
          action: 'pause',
          step: step.name,
          ok: true,
          detail: `pause ${step.durationMs / 1000}s`,
        });
      } else if (step.kind === 'load') {
        await this.#startLoad(step.name, step.loadTest, loads);
      } else {
        const held = await this.#apply(step);
        if (!held) break;
        const until = planned.endMs - (this.#now() - t0);
        timers.push(
          sleep(Math.max(0, until), undefined, { signal: this.#abort.signal })
            .catch(() => {})
            .then(() => this.#revert(held)),
        );
      }
    }
    // Wait for the planned end (the last fault's revert, a trailing pause), or the abort.
    const rest = plan.totalMs - (this.#now() - t0);
    if (rest > 0 && !this.#abort.signal.aborted)
      await sleep(rest, undefined, { signal: this.#abort.signal }).catch(() => {});
    await Promise.all(timers);
    methodDone.abort();
    await loop;
    for (const l of loads) {
      try {
        const summary = await l.stop();
        this.#log({
          t: this.#now(),
          type: 'action',
          action: 'load-stop',
          step: l.name,
          ok: true,
          detail: summary,
        });
      } catch (err) {
        this.#log({
          t: this.#now(),
          type: 'action',
          action: 'load-stop',
          step: l.name,
          ok: false,
          detail: message(err),
        });
      }
    }
  }

  async #startLoad(
    step: string,
    loadTest: string,
    loads: { name: string; stop(): Promise<string> }[],
  ): Promise<void> {
    if (!this.#ports.load) {
      this.#errors.push(`step ${step}: no load runner here`);
      this.#stop(`step ${step} needs a load runner`);
      return;
    }
    try {
      const handle = await this.#ports.load.start(loadTest, this.#abort.signal);
      loads.push({ name: step, stop: () => handle.stop() });
      this.#log({
        t: this.#now(),
        type: 'action',
        action: 'load-start',
        step,
        ok: true,
        detail: `load test ${loadTest} started`,
      });
    } catch (err) {
      this.#errors.push(`step ${step}: load test ${loadTest}: ${message(err)}`);
      this.#log({
        t: this.#now(),
        type: 'action',
        action: 'load-start',
        step,
        ok: false,
        detail: message(err),
      });
      this.#stop(`load test ${loadTest} did not start: ${message(err)}`);
    }
  }

  async #apply(step: FaultStep): Promise<Held | undefined> {
    const what = describeFault(step.fault, step.body);
    try {
      const handle = await this.#ports.faults.apply(step);
      const held: Held = { step, handle, reverted: false };
      this.#held.push(held);
      this.#firstApply ??= this.#now();
      this.#log({ t: this.#now(), type: 'action', action: 'apply', step: step.name, ok: true, detail: what });
      // A halt that arrived while the fault was being applied must still see it reverted.
      if (this.#abort.signal.aborted) await this.#revert(held);
      return held;
    } catch (err) {
      this.#errors.push(`fault ${step.name}: ${message(err)}`);
      this.#log({
        t: this.#now(),
        type: 'action',
        action: 'apply',
        step: step.name,
        ok: false,
        detail: `${what}: ${message(err)}`,
      });
      this.#stop(`fault ${step.name} could not be applied: ${message(err)}`);
      return undefined;
    }
  }

  async #revert(held: Held): Promise<void> {
    if (held.reverted) return;
    held.reverted = true;
    try {
      await held.handle.revert();
      this.#reverts.ok += 1;
      this.#log({
        t: this.#now(),
        type: 'action',
        action: 'revert',
        step: held.step.name,
        ok: true,
        detail: 'reverted',
      });
    } catch (err) {
      // The lease still lapses at the daemon, so the fault goes within the TTL even when this call failed.
      this.#reverts.failed += 1;
      this.#errors.push(`revert ${held.step.name}: ${message(err)}`);
      this.#log({
        t: this.#now(),
        type: 'action',
        action: 'revert',
        step: held.step.name,
        ok: false,
        detail: `${message(err)}; the daemon reverts it when the lease lapses (${this.#def.leaseTtlMs / 1000}s)`,
      });
    }
    this.#lastRevert = this.#now();
  }

  /** Newest first, as undoing a stack of changes. */
  async #revertAll(): Promise<void> {
    for (const held of [...this.#held].reverse()) await this.#revert(held);
  }

  async #rollbacks(): Promise<void> {
    if (this.#def.rollbacks.length === 0) return;
    this.#enter('rollback');
    for (const rb of this.#def.rollbacks) {
      try {
        const detail = this.#ports.rollbacks ? await this.#ports.rollbacks.run(rb) : 'no rollback runner';
        this.#log({ t: this.#now(), type: 'action', action: 'rollback', step: rb.name, ok: true, detail });
      } catch (err) {
        this.#errors.push(`rollback ${rb.name}: ${message(err)}`);
        this.#log({
          t: this.#now(),
          type: 'action',
          action: 'rollback',
          step: rb.name,
          ok: false,
          detail: message(err),
        });
      }
    }
  }

  /** Probes until every steady-state probe passes in one round; the time from the last revert to that round. */
  async #recover(): Promise<number | null> {
    const from = this.#lastRevert ?? this.#now();
    const poll = this.#opts.recoveryPollMs ?? Math.min(this.#def.probeIntervalMs, 1000);
    const deadline = from + this.#def.recoveryTimeoutMs;
    // Recovery probes run even after an abort: the report must say whether the service came back.
    const recoverySignal = new AbortController();
    for (;;) {
      const round = this.#now();
      const results = await this.#probeRound(this.#def.steadyState, null, recoverySignal.signal);
      if (results.every((r) => r.ok)) {
        this.#enter('after');
        return Math.max(0, round - from);
      }
      if (this.#now() >= deadline) {
        this.#log({
          t: this.#now(),
          type: 'note',
          message: `steady state did not come back within ${this.#def.recoveryTimeoutMs / 1000}s`,
        });
        return null;
      }
      await sleep(Math.max(0, poll - (this.#now() - round)));
    }
  }
}

function budgetUse(
  before: { slo: string; remaining: number | null }[],
  after: { slo: string; remaining: number | null }[],
): BudgetUse[] {
  const later = new Map(after.map((b) => [b.slo, b.remaining]));
  return before.map((b) => {
    const a = later.get(b.slo) ?? null;
    return {
      slo: b.slo,
      before: b.remaining,
      after: a,
      consumed: b.remaining !== null && a !== null ? Math.max(0, b.remaining - a) : null,
    };
  });
}

function headline(
  outcome: Outcome,
  name: string,
  abort: string | undefined,
  recoveryMs: number | null,
): string {
  const rec =
    recoveryMs !== null ? `; steady state back ${(recoveryMs / 1000).toFixed(1)}s after the faults` : '';
  switch (outcome) {
    case 'held':
      return `${name}: the hypothesis held${rec}`;
    case 'deviated':
      return recoveryMs === null
        ? `${name}: steady state deviated and did not recover in time`
        : `${name}: steady state deviated during the faults${rec}`;
    case 'precondition_failed':
      return `${name}: steady state did not hold before the method; nothing was injected`;
    case 'aborted':
      return `${name}: aborted (${abort ?? 'abort'})${rec}`;
    case 'failed':
      return `${name}: failed (${abort ?? 'error'})`;
    case 'refused':
      return `${name}: refused by the guards`;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
