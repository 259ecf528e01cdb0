/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`,
 * `/api/v1/query_range`) over undici. Queries are POSTed as forms so long
 * PromQL never hits URL limits; every call has a timeout.
 */
import { request } from 'undici';

export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';

/** One labelled value of an instant vector. */
export interface PromSample {
  labels: Record<string, string>;
  /** Epoch ms. */
  timestamp: number;
  value: number;
}

/** One labelled series of a range (matrix) result; timestamps in epoch ms. */
export interface PromSeries {
  labels: Record<string, string>;
  points: { timestamp: number; value: number }[];
}

export type PromResult =
  | { resultType: 'vector'; samples: PromSample[] }
  | { resultType: 'scalar'; timestamp: number; value: number }
  | { resultType: 'matrix'; series: PromSeries[] }
  | { resultType: 'string'; timestamp: number; value: string };

/** Prometheus answered with an error, an unexpected body, or not at all. */
export class PrometheusError extends Error {
  /** Prometheus' `errorType` (`bad_data`, `timeout`, …), or `http`/`network`/`timeout` for transport problems. */
  readonly errorType: string;
  readonly statusCode: number | null;
  constructor(message: string, errorType: string, statusCode: number | null) {
    super(message);
    this.name = 'PrometheusError';
    this.errorType = errorType;
    this.statusCode = statusCode;
  }
}

export interface PrometheusClientOptions {
  /** Base URL, default http://127.0.0.1:9090 (a path prefix such as /prometheus is kept). */
  url?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

type RawSample = [number, string];
interface ApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Client for one Prometheus server. */
export class PrometheusClient {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: PrometheusClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_PROMETHEUS_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.headers = options.headers ?? {};
  }

  /** Instant query at `time` (epoch ms; default: Prometheus' now). */
  async query(expr: string, time?: number): Promise<PromResult> {
    const form: Record<string, string> = { query: expr };
    if (time !== undefined) form.time = String(time / 1000);
    return this.call('/api/v1/query', form);
  }

  /** Range query over `[start, end]` (epoch ms) every `stepMs`. */
  async queryRange(expr: string, start: number, end: number, stepMs: number): Promise<PromResult> {
    return this.call('/api/v1/query_range', {
      query: expr,
      start: String(start / 1000),
      end: String(end / 1000),
      step: String(stepMs / 1000),
    });
  }

  /**
   * An instant query reduced to one number: the sum of a vector's finite
   * values, or a scalar. `null` when the vector is empty (no data).
   */
  async sum(expr: string, time?: number): Promise<number | null> {
    return sumOf(await this.query(expr, time));
  }

  private async call(path: string, form: Record<string, string>): Promise<PromResult> {
    let statusCode: number;
    let text: string;
    try {
      const res = await request(`${this.url}${path}`, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const why = timedOut ? `timed out after ${this.timeoutMs} ms` : (err as Error).message;
      throw new PrometheusError(`Prometheus at ${this.url} ${why}`, timedOut ? 'timeout' : 'network', null);
    }
    return parseApiBody(text, statusCode, `${this.url}${path}`);
  }
}

/** Parses an API answer; error bodies (4xx/5xx with `status: error`) become {@link PrometheusError}. */
export function parseApiBody(text: string, statusCode: number, where: string): PromResult {
  let body: ApiBody;
  try {
    body = JSON.parse(text) as ApiBody;
  } catch {
    throw new PrometheusError(
      `${where} answered ${statusCode} with a non-JSON body: ${text.slice(0, 200)}`,
      'http',
      statusCode,
    );
  }
  if (body.status !== 'success' || !body.data) {
    const kind = body.errorType ?? 'http';
    throw new PrometheusError(
      `Prometheus ${kind} (${statusCode}): ${body.error ?? text.slice(0, 200)}`,
      kind,
      statusCode,
    );
  }
  return toResult(body.data.resultType, body.data.result);
}

const num = (v: string): number => Number.parseFloat(v);
const point = ([t, v]: RawSample) => ({ timestamp: Math.round(t * 1000), value: num(v) });

function toResult(resultType: string | undefined, result: unknown): PromResult {
  switch (resultType) {
    case 'vector':
      return {
        resultType,
        samples: (result as { metric: Record<string, string>; value: RawSample }[]).map((r) => ({
          labels: r.metric,
          ...point(r.value),
        })),
      };
    case 'matrix':
      return {
        resultType,
        series: (result as { metric: Record<string, string>; values: RawSample[] }[]).map((r) => ({
          labels: r.metric,
          points: r.values.map(point),
        })),
      };
    case 'scalar':
      return { resultType, ...point(result as RawSample) };
    case 'string': {
      const [t, v] = result as RawSample;
      return { resultType, timestamp: Math.round(t * 1000), value: v };
    }
    default:
      throw new PrometheusError(`unexpected resultType ${String(resultType)}`, 'bad_response', null);
  }
}

/** Sum of a result's finite values; null for an empty vector. */
export function sumOf(result: PromResult): number | null {
  if (result.resultType === 'scalar') return Number.isFinite(result.value) ? result.value : null;
  if (result.resultType !== 'vector') {
    throw new PrometheusError(
      `expected a vector or scalar, got a ${result.resultType}`,
      'bad_response',
      null,
    );
  }
  const finite = result.samples.filter((s) => Number.isFinite(s.value));
  if (finite.length === 0) return null;
  return finite.reduce((acc, s) => acc + s.value, 0);
}
