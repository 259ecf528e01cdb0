/**
 * The `http` check: one request (redirects followed as configured) on a
 * fresh connection, observed the way blackbox_exporter observes it: phase
 * timings, status, headers, a capped body, the address and the certificate.
 */
import type { ConditionContext, HttpCheckSpec, Observation } from '../types.ts';
import type { RunContext } from './context.ts';
import type { HostLookup } from './http/connector.ts';
import { type Exchange, HttpSession } from './http/session.ts';

/** What a caller may swap in; production uses the defaults. */
export interface HttpRunOptions {
  /** Name resolution; the system resolver by default (tests point it at a resolver on loopback). */
  lookup?: HostLookup;
}

/** Runs one execution of an HTTP check. Never throws: every failure is the observation's `error`. */
export async function runHttpCheck(
  spec: HttpCheckSpec,
  ctx: RunContext,
  options: HttpRunOptions = {},
): Promise<Observation> {
  const now = ctx.now ?? Date.now;
  const started = performance.now();
  let session: HttpSession | undefined;
  try {
    session = openSession(spec, ctx, options);
    const exchange = await session.send(spec.request);
    return observationOf(exchange, performance.now() - started, now());
  } catch (err) {
    return {
      error: { kind: 'internal', message: err instanceof Error ? err.message : String(err) },
      context: { responseTimeMs: performance.now() - started },
      phases: {},
    };
  } finally {
    await session?.close();
  }
}

/** The HTTP session of one execution: the check's TLS, redirect and body rules, the run's timeout and signal. */
export function openSession(
  spec: Pick<HttpCheckSpec, 'tls' | 'followRedirects' | 'maxRedirects' | 'maxBodyBytes'>,
  ctx: RunContext,
  options: HttpRunOptions,
): HttpSession {
  return new HttpSession({
    tls: spec.tls,
    followRedirects: spec.followRedirects,
    maxRedirects: spec.maxRedirects,
    maxBodyBytes: spec.maxBodyBytes,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
    ...(options.lookup !== undefined && { lookup: options.lookup }),
  });
}

/** The conditions' view of an exchange; `responseTimeMs` is given (an execution may span several). */
export function conditionContextOf(
  exchange: Exchange,
  responseTimeMs: number,
  nowMs: number,
): ConditionContext {
  const context: ConditionContext = { responseTimeMs: Math.round(responseTimeMs * 1000) / 1000 };
  if (exchange.status !== undefined) context.status = exchange.status;
  if (exchange.headers !== undefined) context.headers = exchange.headers;
  if (exchange.body !== undefined) context.body = exchange.body;
  context.connected = exchange.connected;
  if (exchange.ip !== undefined) context.ip = exchange.ip;
  if (exchange.certificateNotAfter !== undefined) {
    context.certificateExpirationMs = exchange.certificateNotAfter - nowMs;
  }
  return context;
}

function observationOf(exchange: Exchange, responseTimeMs: number, nowMs: number): Observation {
  const observation: Observation = {
    context: conditionContextOf(exchange, responseTimeMs, nowMs),
    phases: exchange.phases,
  };
  if (exchange.error !== undefined) observation.error = exchange.error;
  if (exchange.certificateNotAfter !== undefined)
    observation.certificateNotAfter = exchange.certificateNotAfter;
  if (exchange.certificateChain !== undefined) observation.certificateChain = exchange.certificateChain;
  return observation;
}
