/**
 * The `multistep` check: HTTP steps in order on one execution's dispatcher
 * (steps may share a connection), each step's variables extracted for the
 * steps after it, each step's own conditions judged as it finishes. The first
 * step that errors, fails a condition or cannot extract what it should ends
 * the sequence; the observation describes the last step run.
 */
import type {
  CheckError,
  ConditionContext,
  ConditionOutcome,
  MultistepCheckSpec,
  MultistepStep,
  Observation,
  PhaseTimings,
  StepObservation,
} from '../types.ts';
import type { RunContext } from './context.ts';
import { extractValue, shortenForDisplay } from './http/extract.ts';
import { addPhases, type Exchange, type HttpSession } from './http/session.ts';
import { fillRequest } from './http/template.ts';
import { conditionContextOf, type HttpRunOptions, openSession } from './http.ts';

/** Judges condition texts against a context (the conditions module's evaluator in production). */
export type Evaluate = (conditions: string[], context: ConditionContext) => ConditionOutcome[];

export interface MultistepRunOptions extends HttpRunOptions {
  /** Values of the `${env.NAME}` references, read by the caller for this run. */
  env?: ReadonlyMap<string, string>;
}

/** Runs one execution of a multistep check. Never throws: every failure is in the observation. */
export async function runMultistepCheck(
  spec: MultistepCheckSpec,
  ctx: RunContext,
  evaluate: Evaluate,
  options: MultistepRunOptions = {},
): Promise<Observation> {
  const now = ctx.now ?? Date.now;
  const started = performance.now();
  const steps: StepObservation[] = [];
  let phases: PhaseTimings = {};
  let last: Exchange | undefined;
  let error: CheckError | undefined;
  let session: HttpSession | undefined;
  try {
    session = openSession(spec, ctx, options);
    const variables = new Map<string, string>();
    for (const step of spec.steps) {
      const filled = fillRequest(step.request, variables, options.env);
      if ('missing' in filled) {
        const stepError: CheckError = {
          kind: 'config',
          message: filled.missing.startsWith('env.')
            ? `environment variable ${filled.missing.slice(4)} is not set`
            : `variable ${filled.missing} is not defined (no earlier step extracts it; for an environment variable write \${env.${filled.missing}})`,
        };
        steps.push({ name: step.name, durationMs: 0, error: stepError });
        error = inStep(step, stepError);
        break;
      }
      const exchange = await session.send(filled.value);
      last = exchange;
      phases = addPhases(phases, exchange.phases);
      const outcome = judgeStep(step, exchange, variables, evaluate, now());
      steps.push(outcome);
      if (outcome.error !== undefined) {
        error = inStep(step, outcome.error);
        break;
      }
      if (outcome.failed !== undefined) break;
    }
  } catch (err) {
    error = { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
  } finally {
    await session?.close();
  }

  const responseTimeMs = performance.now() - started;
  const observation: Observation = {
    context: last
      ? conditionContextOf(last, responseTimeMs, now())
      : { responseTimeMs: Math.round(responseTimeMs * 1000) / 1000 },
    phases,
    steps,
  };
  if (error !== undefined) observation.error = error;
  if (last?.certificateNotAfter !== undefined) observation.certificateNotAfter = last.certificateNotAfter;
  if (last?.certificateChain !== undefined) observation.certificateChain = last.certificateChain;
  return observation;
}

/**
 * What one step came to: its exchange's error, or the variables it extracted
 * (into `variables`) and the conditions or extractions that failed. Its
 * conditions see the step's own response and duration.
 */
function judgeStep(
  step: MultistepStep,
  exchange: Exchange,
  variables: Map<string, string>,
  evaluate: Evaluate,
  nowMs: number,
): StepObservation {
  const outcome: StepObservation = { name: step.name, durationMs: exchange.durationMs };
  if (exchange.status !== undefined) outcome.status = exchange.status;
  if (exchange.error !== undefined) {
    outcome.error = exchange.error;
    return outcome;
  }
  const failed: ConditionOutcome[] = [];
  const extracted: Record<string, string> = {};
  const source = { headers: exchange.headers ?? {}, body: exchange.body ?? '' };
  for (const [name, extraction] of Object.entries(step.extract)) {
    const result = extractValue(extraction, source);
    if ('error' in result) {
      // Shown as a failed condition: the response lacked what the sequence needs, much like a failed check of it.
      failed.push({ condition: `extract ${name}`, ok: false, shown: `extract ${name}: ${result.error}` });
      continue;
    }
    variables.set(name, result.value);
    extracted[name] = shortenForDisplay(result.value);
  }
  if (Object.keys(extracted).length > 0) outcome.extracted = extracted;
  if (step.conditions.length > 0) {
    const context = conditionContextOf(exchange, exchange.durationMs, nowMs);
    failed.unshift(...evaluate(step.conditions, context).filter((c) => !c.ok));
  }
  if (failed.length > 0) outcome.failed = failed;
  return outcome;
}

/** The observation's error names the step, since the sequence has several. */
function inStep(step: MultistepStep, error: CheckError): CheckError {
  return { kind: error.kind, message: `step ${step.name}: ${error.message}` };
}
