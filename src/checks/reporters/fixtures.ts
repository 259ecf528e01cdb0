/**
 * Hand-built check results for the reporters' tests: one of each kind a run
 * reports. Statuses, reasons and condition texts come from the real judge
 * (`judgeObservation`), so the fixtures read exactly as real results do.
 */
import { evaluateConditions, judgeObservation } from '../judge.ts';
import type { CheckResult, CheckType, Observation, StepObservation } from '../types.ts';
import type { RunReport, SkippedCheck } from './report.ts';

export const RUN_STARTED_AT = Date.UTC(2025, 4, 1, 12, 0, 0);

interface Shape {
  check: string;
  service: string;
  type: CheckType;
  durationMs: number;
  attempts?: number;
  /** Offset from the run's start. */
  afterMs?: number;
  conditions: string[];
  degradedConditions?: string[];
  artifacts?: CheckResult['artifacts'];
}

/** A result as `executeCheck` would make it from this observation. */
export function judged(shape: Shape, observation: Observation): CheckResult {
  const verdict = judgeObservation(observation, shape.conditions, shape.degradedConditions ?? []);
  return {
    check: shape.check,
    service: shape.service,
    type: shape.type,
    location: 'local',
    startedAt: RUN_STARTED_AT + (shape.afterMs ?? 0),
    durationMs: shape.durationMs,
    status: verdict.status,
    ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
    ...(observation.error ? { error: observation.error } : {}),
    conditions: verdict.conditions,
    phases: observation.phases,
    ...(observation.context.status === undefined ? {} : { httpStatus: observation.context.status }),
    attempts: shape.attempts ?? 1,
    ...(observation.steps ? { steps: observation.steps } : {}),
    ...(shape.artifacts ? { artifacts: shape.artifacts } : {}),
  };
}

export const passing = judged(
  {
    check: 'api-health',
    service: 'payments',
    type: 'http',
    durationMs: 123,
    conditions: ['[STATUS] == 200'],
  },
  { context: { status: 200, responseTimeMs: 123 }, phases: { connect: 1, processing: 120, transfer: 2 } },
);

export const passingAfterRetries = judged(
  {
    check: 'api-search',
    service: 'payments',
    type: 'http',
    durationMs: 2400,
    attempts: 3,
    afterMs: 5,
    conditions: ['[STATUS] == 200'],
  },
  { context: { status: 200, responseTimeMs: 40 }, phases: {} },
);

export const degraded = judged(
  {
    check: 'api-latency',
    service: 'payments',
    type: 'http',
    durationMs: 812,
    afterMs: 10,
    conditions: ['[STATUS] == 200'],
    degradedConditions: ['[RESPONSE_TIME] < 500'],
  },
  { context: { status: 200, responseTimeMs: 812 }, phases: {} },
);

export const failingConditions = judged(
  {
    check: 'orders-api',
    service: 'rides',
    type: 'http',
    durationMs: 40,
    attempts: 3,
    afterMs: 20,
    conditions: ['[STATUS] == 200', '[BODY].ok == true', '[RESPONSE_TIME] < 1000'],
  },
  { context: { status: 503, responseTimeMs: 40, body: '{"ok":false}' }, phases: {} },
);

export const failingError = judged(
  {
    check: 'db-port',
    service: 'rides',
    type: 'tcp',
    durationMs: 3,
    afterMs: 30,
    conditions: ['[CONNECTED] == true'],
  },
  {
    error: { kind: 'connect', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
    context: { responseTimeMs: 3, connected: false },
    phases: {},
  },
);

const homeStep: StepObservation = { name: 'home', status: 200, durationMs: 12 };
const loginStep: StepObservation = {
  name: 'login',
  status: 401,
  durationMs: 30,
  failed: evaluateConditions(['[STATUS] == 200'], { status: 401, responseTimeMs: 30 }),
};

export const multistepFailing = judged(
  {
    check: 'checkout',
    service: 'payments',
    type: 'multistep',
    durationMs: 2100,
    afterMs: 40,
    conditions: [],
  },
  { context: { status: 401, responseTimeMs: 42 }, phases: {}, steps: [homeStep, loginStep] },
);

export const skippedHeartbeat: SkippedCheck = {
  check: 'nightly-backup',
  service: 'rides',
  reason: 'a heartbeat check is judged by the server from its pings, not run',
};

/** Everything a report must not pass through raw: markup, percent signs, separators, control characters, a lone surrogate. */
export const HOSTILE_BODY = '<b>50% off: a,b & "c" \'d\'</b>]]>\x1b[2J\u0000';
export const HOSTILE_MESSAGE = `Error: boom <div> & "x"\r\nCall log:\n  - 100% waiting, still: \ud800\u0007\n::set-output name=x::y`;

export const hostile = judged(
  {
    check: 'promo: 50%, <now>',
    service: 'shop & "co"',
    type: 'browser',
    durationMs: 5000,
    afterMs: 50,
    conditions: ['[BODY] == ok'],
    artifacts: { screenshot: 'promo/shot <1>.png' },
  },
  {
    error: { kind: 'script', message: HOSTILE_MESSAGE },
    context: { responseTimeMs: 5000, body: HOSTILE_BODY },
    phases: {},
  },
);

/** A run of the given results and skipped checks. */
export function runOf(results: CheckResult[], skipped: SkippedCheck[] = [], durationMs = 2100): RunReport {
  return { results, skipped, startedAt: RUN_STARTED_AT, durationMs };
}

/** One of each: pass, degraded, fail by conditions, fail by error, multistep failing a step, skipped heartbeat. */
export const mixedRun = runOf(
  [passing, degraded, failingConditions, failingError, multistepFailing],
  [skippedHeartbeat],
);
