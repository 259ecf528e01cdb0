/**
 * The UI's HTTP client for the Ballast API (same origin). Response types come
 * from the server's schemas, never hand-copied.
 */
import type {
  AlertEventDto,
  ApiError,
  HistoryPoint,
  ServiceSummary,
  SloSummary,
} from '../../src/server/schemas.ts';
import type { SloDefinition } from '../../src/slo/model.ts';

const TOKEN_KEY = 'ballast.token';

/** The bearer token the user entered, if any. */
export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Stores (or, with an empty string, forgets) the bearer token. */
export function setToken(token: string): void {
  if (token.trim() === '') localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token.trim());
}

/** Headers every API request carries. */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A non-2xx answer from the API, with the server's message when it sent one. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: ApiError | undefined;
  constructor(status: number, message: string, body?: ApiError) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

/** True when the request failed for want of a (valid) token. */
export function isAuthError(err: unknown): boolean {
  return err instanceof HttpError && (err.status === 401 || err.status === 403);
}

/** GET a JSON document from the API, throwing `HttpError` on a non-2xx answer. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json', ...authHeaders() }, signal });
  if (!res.ok) {
    let body: ApiError | undefined;
    try {
      body = (await res.json()) as ApiError;
    } catch {
      // Not JSON (a proxy error page, say): the status line is all we have.
    }
    throw new HttpError(res.status, body?.message ?? `${res.status} ${res.statusText}`, body);
  }
  return (await res.json()) as T;
}

/** `GET /api/v1/slos/{name}`. */
export interface SloDetailResponse {
  definition: SloDefinition;
  summary: SloSummary;
}

const enc = encodeURIComponent;

/** Typed calls, one per endpoint the UI reads. */
export const api = {
  services: (signal?: AbortSignal) => getJson<ServiceSummary[]>('/api/v1/services', signal),
  slos: (signal?: AbortSignal) => getJson<SloSummary[]>('/api/v1/slos', signal),
  slo: (name: string, signal?: AbortSignal) =>
    getJson<SloDetailResponse>(`/api/v1/slos/${enc(name)}`, signal),
  history: (name: string, range: { from: number; to: number; step: number }, signal?: AbortSignal) =>
    getJson<HistoryPoint[]>(
      `/api/v1/slos/${enc(name)}/history?from=${range.from}&to=${range.to}&step=${range.step}`,
      signal,
    ),
  alerts: (name: string, signal?: AbortSignal) =>
    getJson<AlertEventDto[]>(`/api/v1/slos/${enc(name)}/alerts`, signal),
};
