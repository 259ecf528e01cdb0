/**
 * The method as a timeline: when each step starts and ends if nothing aborts.
 * Steps run in order; a fault holds the method for its duration unless it is
 * `background`; a load test runs from its step to the end of the method. Pure:
 * the runner follows it, `--dry-run` prints it, blast-radius limits judge it.
 */
import type { Step } from './model.ts';

export interface PlannedStep {
  step: Step;
  startMs: number;
  /** When the step is over: a fault is reverted, a pause ends, a load test is stopped. */
  endMs: number;
}

export interface MethodPlan {
  steps: PlannedStep[];
  totalMs: number;
  /** The most faults held at the same instant. */
  maxConcurrentFaults: number;
}

/** The timeline of a method, in milliseconds from its start. */
export function planMethod(method: Step[]): MethodPlan {
  let cursor = 0;
  const placed: { step: Step; startMs: number; endMs?: number }[] = [];
  for (const step of method) {
    if (step.kind === 'pause') {
      placed.push({ step, startMs: cursor, endMs: cursor + step.durationMs });
      cursor += step.durationMs;
    } else if (step.kind === 'fault') {
      const endMs = cursor + step.durationMs;
      placed.push({ step, startMs: cursor, endMs });
      if (!step.background) cursor = endMs;
    } else placed.push({ step, startMs: cursor });
  }
  const totalMs = Math.max(cursor, ...placed.map((p) => p.endMs ?? 0));
  const steps = placed.map((p) => ({ step: p.step, startMs: p.startMs, endMs: p.endMs ?? totalMs }));
  return { steps, totalMs, maxConcurrentFaults: maxOverlap(steps.filter((s) => s.step.kind === 'fault')) };
}

/** Intervals are half-open: a fault reverted at t and one applied at t never overlap. */
function maxOverlap(intervals: { startMs: number; endMs: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { t: i.startMs, d: 1 },
    { t: i.endMs, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const e of edges) {
    open += e.d;
    max = Math.max(max, open);
  }
  return max;
}

/** The plan as lines for `--dry-run`. */
export function formatPlan(plan: MethodPlan): string[] {
  const at = (t: number) => `${(t / 1000).toFixed(1).padStart(6)}s`;
  return plan.steps.map(({ step, startMs, endMs }) => {
    if (step.kind === 'pause') return `${at(startMs)}  pause ${step.name} until ${at(endMs).trim()}`;
    if (step.kind === 'load')
      return `${at(startMs)}  load test ${step.loadTest} in the background until ${at(endMs).trim()}`;
    const what = describeFault(step.fault, step.body);
    return `${at(startMs)}  fault ${step.name}: ${what} via ${step.daemon}, reverted at ${at(endMs).trim()}${step.background ? ' (background)' : ''}`;
  });
}

/** One line saying what a fault body does, for plans and journals. */
export function describeFault(kind: string, body: Record<string, unknown>): string {
  if (kind === 'toxic') {
    const attrs =
      body.attributes && typeof body.attributes === 'object' ? JSON.stringify(body.attributes) : '';
    return `toxic ${String(body.type)} on proxy ${String(body.proxy)} ${String(body.stream ?? 'downstream')}${attrs ? ` ${attrs}` : ''}${body.toxicity !== undefined ? ` toxicity ${String(body.toxicity)}` : ''}`;
  }
  if (kind === 'http') return `http fault on proxy ${String(body.proxy)} ${JSON.stringify(body.rule ?? {})}`;
  return `host fault ${String(body.kind ?? body.type)} ${JSON.stringify(body)}`;
}
