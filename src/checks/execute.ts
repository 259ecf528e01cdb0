/**
 * Runs one check once, as the scheduler and `ballast check run` do: the
 * environment references read, the runner for its type, its conditions
 * judged, retries as its policy says, secrets redacted from the result.
 * Never throws: whatever goes wrong becomes a failing result with a reason.
 */
import { missingEnvMessage, redactResult, resolveEnv } from './env.ts';
import { evaluateConditions, judgeObservation } from './judge.ts';
import { BrowserHost } from './runners/browser-host.ts';
import type { RunContext } from './runners/context.ts';
import { runDnsCheck } from './runners/dns.ts';
import { runHttpCheck } from './runners/http.ts';
import { runMultistepCheck } from './runners/multistep.ts';
import { runTcpCheck } from './runners/tcp.ts';
import { runTlsCheck } from './runners/tls.ts';
import { retryDelayMs, shouldRetry } from './schedule/index.ts';
import type { CheckDefinition, CheckResult, CheckTypeSpec, Observation } from './types.ts';

export interface ExecuteOptions {
  /** Where results say they ran; `local` unless an agent runs them. */
  location?: string;
  now?: () => number;
  signal?: AbortSignal;
  /** Where browser checks keep screenshots and traces of failures. */
  artifactsDir: string;
  /** Shared Chromium and worker for browser checks (without one, an execution starts and ends its own). */
  browsers?: BrowserHost;
  /** Where `${env.NAME}` references are read; the process's environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One attempt of one check; `spec` is the check's with its environment references filled in. */
async function attempt(
  spec: CheckTypeSpec,
  env: ReadonlyMap<string, string>,
  ctx: RunContext,
  opts: ExecuteOptions,
): Promise<Observation> {
  switch (spec.type) {
    case 'http':
      return runHttpCheck(spec, ctx);
    case 'multistep':
      return runMultistepCheck(spec, ctx, (conditions, c) => evaluateConditions(conditions, c), { env });
    case 'tcp':
      return runTcpCheck(spec, ctx);
    case 'dns':
      return runDnsCheck(spec, ctx);
    case 'tls':
      return runTlsCheck(spec, ctx);
    case 'browser': {
      if (opts.browsers) return opts.browsers.run(spec, ctx, opts.artifactsDir);
      const own = new BrowserHost();
      try {
        return await own.run(spec, ctx, opts.artifactsDir);
      } finally {
        await own.close();
      }
    }
    case 'heartbeat':
      return {
        error: {
          kind: 'config',
          message: 'a heartbeat check is judged by the server from its pings, not run',
        },
        context: { responseTimeMs: 0 },
        phases: {},
      };
  }
}

/** Runs `check` with its retries and returns the result of the last attempt. */
export async function executeCheck(check: CheckDefinition, opts: ExecuteOptions): Promise<CheckResult> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const env = resolveEnv(check.spec, opts.env ?? process.env);
  if (!env.ok) {
    // Nothing is sent without the variable: a request with a hole in it would only mislead.
    const o: Observation = {
      error: { kind: 'config', message: missingEnvMessage(env.missing) },
      context: { responseTimeMs: 0 },
      phases: {},
    };
    const verdict = judgeObservation(o, [], []);
    return toResult(check, o, verdict, { startedAt, durationMs: 0, attempts: 1, location: opts.location });
  }
  let attempts = 0;
  for (;;) {
    attempts++;
    let o: Observation;
    try {
      o = await attempt(env.spec, env.values, { timeoutMs: check.timeoutMs, signal: opts.signal, now }, opts);
    } catch (err) {
      // A runner must not throw; if one does, that is our bug, reported as the result.
      o = {
        error: { kind: 'internal', message: err instanceof Error ? err.message : String(err) },
        context: { responseTimeMs: now() - startedAt },
        phases: {},
      };
    }
    const verdict = judgeObservation(o, check.conditions, check.degradedConditions);
    const failed = verdict.status === 'fail';
    if (failed && !opts.signal?.aborted && shouldRetry(check.retries, attempts, failed, o.error?.kind)) {
      if (await pause(retryDelayMs(check.retries, attempts), opts.signal)) continue;
    }
    const result = toResult(check, o, verdict, {
      startedAt,
      durationMs: now() - startedAt,
      attempts,
      location: opts.location,
    });
    return redactResult(result, env.values);
  }
}

function toResult(
  check: CheckDefinition,
  o: Observation,
  verdict: ReturnType<typeof judgeObservation>,
  run: { startedAt: number; durationMs: number; attempts: number; location: string | undefined },
): CheckResult {
  const r: CheckResult = {
    check: check.name,
    service: check.service,
    type: check.spec.type,
    location: run.location ?? 'local',
    startedAt: run.startedAt,
    durationMs: Math.round(o.context.responseTimeMs ?? run.durationMs),
    status: verdict.status,
    conditions: verdict.conditions,
    phases: o.phases,
    attempts: run.attempts,
  };
  if (verdict.reason !== undefined) r.reason = verdict.reason;
  if (verdict.error) r.error = verdict.error;
  if (o.context.status !== undefined) r.httpStatus = o.context.status;
  if (o.certificateNotAfter !== undefined) r.certificateNotAfter = o.certificateNotAfter;
  if (o.certificateChain !== undefined) r.certificateChain = o.certificateChain;
  if (o.steps) r.steps = o.steps;
  if (o.artifacts) r.artifacts = o.artifacts;
  return r;
}

/** Waits `ms`; false when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
