/**
 * Where a worker's iterations come from: the scenario's iteration source
 * (weighted pick, variables) and its judge (status and checks), bundled so
 * the generator depends on one small interface.
 */
import type { RequestOutcome } from '../http/index.ts';
// The scenario's runtime parts only: its index also registers the spec kind, which pulls in the
// spec loader (yaml, zod), and every worker would pay for loading it.
import { judge, needsBody, needsHeaders } from '../scenario/judge.ts';
import { createIterationSource, type Iteration } from '../scenario/source.ts';
import type { ErrorKind, LoadPlan, RequestTemplate } from '../types.ts';

export type { Iteration };

/** A worker's supply of iterations and the verdict on their outcomes. */
export interface WorkerSource {
  /** The returned record may be reused by the next call: read it at once. */
  next(): Iteration;
  judge(template: RequestTemplate, outcome: RequestOutcome): ErrorKind | undefined;
  /** Response bodies must be kept (some request has a body check). */
  keepBody: boolean;
  /** Response header records must be built (some request has a header check). */
  keepHeaders: boolean;
}

/** Creates the iteration source for worker `index` of `count`. */
export async function createWorkerSource(
  plan: LoadPlan,
  worker: { index: number; count: number },
  baseDir: string,
): Promise<WorkerSource> {
  if (plan.requests.length === 0) throw new Error(`load test ${plan.name} has no requests`);
  const source = await createIterationSource(plan, worker, baseDir);
  return { next: () => source.next(), judge, keepBody: needsBody(plan), keepHeaders: needsHeaders(plan) };
}
