import { describe, expect, it } from 'vitest';
import type { ExperimentDefinition, Probe } from './model.ts';
import { type FaultPort, type ProbeResult, runExperiment } from './runner.ts';

/** A fault port over an in-memory set of held faults: what a daemon holds, without the network. */
function memoryFaults(opts: { failApply?: string } = {}) {
  const held = new Set<string>();
  const events: string[] = [];
  let lost: ((reason: string) => void) | undefined;
  const port: FaultPort = {
    async apply(step) {
      if (step.name === opts.failApply) throw new Error('unknown toxic type "lantency"');
      held.add(step.name);
      events.push(`apply ${step.name}`);
      return {
        async revert() {
          held.delete(step.name);
          events.push(`revert ${step.name}`);
        },
      };
    },
    onLeaseLost(listener) {
      lost = listener;
    },
  };
  return { port, held, events, loseLease: (r: string) => lost?.(r) };
}

/** A probe whose result follows whether a fault is held: the service degrades while `slow` is applied. */
function probesFollowing(held: Set<string>, fails: (probe: Probe) => boolean) {
  return {
    async run(probe: Probe): Promise<ProbeResult> {
      const ok = !fails(probe) || held.size === 0;
      return { ok, value: held.size > 0 ? 250 : 5, detail: ok ? 'fine' : 'too slow' };
    },
  };
}

const probe = (name: string): Probe => ({
  kind: 'http',
  name,
  request: { url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, timeoutMs: 1000 },
  conditions: ['[STATUS] == 200'],
  whenNoData: 'fail',
});

function experiment(over: Partial<ExperimentDefinition> = {}): ExperimentDefinition {
  return {
    name: 'exp',
    service: 'svc',
    daemon: 'http://127.0.0.1:8474',
    leaseTtlMs: 15_000,
    probeIntervalMs: 20,
    recoveryTimeoutMs: 500,
    steadyState: [probe('latency')],
    method: [
      {
        kind: 'fault',
        name: 'slow',
        fault: 'toxic',
        body: { proxy: 'pg', type: 'latency' },
        daemon: 'http://127.0.0.1:8474',
        durationMs: 150,
        background: false,
      },
    ],
    rollbacks: [],
    abort: [],
    blastRadius: {},
    ...over,
  };
}

describe('runExperiment', () => {
  it('holds when steady state holds before, during and after the fault, and reverts it', async () => {
    const f = memoryFaults();
    const { report, journal } = await runExperiment(experiment(), {
      faults: f.port,
      probes: probesFollowing(f.held, () => false),
    });
    expect(report.outcome).toBe('held');
    expect(report.hypothesis).toEqual({ before: true, during: true, after: true });
    expect(f.events).toEqual(['apply slow', 'revert slow']);
    expect(f.held.size).toBe(0);
    expect(report.recoveryMs).not.toBeNull();
    expect(report.probes[0]?.during.max).toBe(250);
    expect(journal.filter((e) => e.type === 'phase').map((e) => (e.type === 'phase' ? e.phase : ''))).toEqual(
      ['before', 'method', 'recovery', 'after', 'done'],
    );
  });

  it('deviates when a steady-state probe fails while the fault is held, and records the deviation', async () => {
    const f = memoryFaults();
    const { report, journal } = await runExperiment(experiment(), {
      faults: f.port,
      probes: probesFollowing(f.held, () => true),
    });
    expect(report.outcome).toBe('deviated');
    expect(report.hypothesis.during).toBe(false);
    expect(report.hypothesis.after).toBe(true);
    expect(journal.some((e) => e.type === 'deviation' && e.probe === 'latency')).toBe(true);
    expect(f.held.size).toBe(0);
  });

  it('aborts at the first breach of an abort rule and reverts before the planned end', async () => {
    const f = memoryFaults();
    const def = experiment({ abort: [probe('errors')] });
    def.method[0] = {
      ...(def.method[0] as Extract<ExperimentDefinition['method'][number], { kind: 'fault' }>),
      durationMs: 10_000,
    };
    const started = Date.now();
    const { report } = await runExperiment(def, {
      faults: f.port,
      probes: probesFollowing(f.held, (p) => p.name === 'errors'),
    });
    expect(report.outcome).toBe('aborted');
    expect(report.abortReason).toContain('abort rule errors breached');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(f.events).toEqual(['apply slow', 'revert slow']);
  });

  it('injects nothing when steady state does not hold before', async () => {
    const f = memoryFaults();
    const { report } = await runExperiment(experiment(), {
      faults: f.port,
      probes: { run: async () => ({ ok: false, value: null, detail: 'down' }) },
    });
    expect(report.outcome).toBe('precondition_failed');
    expect(f.events).toEqual([]);
  });

  it('stops at a halt and reverts what it holds', async () => {
    const f = memoryFaults();
    const def = experiment();
    def.method[0] = {
      ...(def.method[0] as Extract<ExperimentDefinition['method'][number], { kind: 'fault' }>),
      durationMs: 10_000,
    };
    const halt = new AbortController();
    setTimeout(() => halt.abort('ballast chaos halt'), 100);
    const { report } = await runExperiment(
      def,
      { faults: f.port, probes: probesFollowing(f.held, () => false) },
      { signal: halt.signal },
    );
    expect(report.outcome).toBe('aborted');
    expect(report.abortReason).toBe('halted: ballast chaos halt');
    expect(f.held.size).toBe(0);
  });

  it('a fault the daemon refuses fails the run and applies nothing after it', async () => {
    const f = memoryFaults({ failApply: 'slow' });
    const def = experiment();
    def.method.push({
      kind: 'fault',
      name: 'later',
      fault: 'toxic',
      body: {},
      daemon: 'x',
      durationMs: 10,
      background: false,
    });
    const { report } = await runExperiment(def, {
      faults: f.port,
      probes: probesFollowing(f.held, () => false),
    });
    expect(report.outcome).toBe('failed');
    expect(report.errors[0]).toContain('unknown toxic type');
    expect(f.events).toEqual([]);
  });

  it('a lost lease aborts the run', async () => {
    const f = memoryFaults();
    const def = experiment();
    def.method[0] = {
      ...(def.method[0] as Extract<ExperimentDefinition['method'][number], { kind: 'fault' }>),
      durationMs: 10_000,
    };
    setTimeout(() => f.loseLease('daemon answered 404 for lease abc'), 100);
    const { report } = await runExperiment(def, {
      faults: f.port,
      probes: probesFollowing(f.held, () => false),
    });
    expect(report.outcome).toBe('aborted');
    expect(report.abortReason).toContain('lease lost');
  });

  it('reports the budget spent while it ran', async () => {
    const f = memoryFaults();
    let remaining = 0.8;
    const { report } = await runExperiment(experiment(), {
      faults: f.port,
      probes: probesFollowing(f.held, () => false),
      budgets: async () => {
        const r = [{ slo: 'avail', remaining }];
        remaining -= 0.05;
        return r;
      },
    });
    expect(report.budget[0]?.slo).toBe('avail');
    expect(report.budget[0]?.consumed).toBeCloseTo(0.05, 10);
  });
});
