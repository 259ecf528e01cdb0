import type { z } from 'zod';
import type { ApiError } from './schemas.ts';
import { ErrorSchema } from './schemas.ts';

/** Default server for the CLI: `BALLAST_SERVER` or the local default port. */
export function defaultServerUrl(): string {
  return process.env.BALLAST_SERVER ?? 'http://127.0.0.1:7420';
}

/** An API answer that was not 2xx, with the server's `{error, message, details}`. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly body: ApiError | undefined;
  constructor(status: number, message: string, body?: ApiError) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * A small typed client for the Ballast API: every answer is parsed with the
 * same zod schema the server documents, so the CLI never trusts a
 * hand-copied type.
 */
export class BallastClient {
  readonly baseUrl: string;
  readonly token: string | undefined;

  constructor(baseUrl: string, token?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  async request<T extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.infer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new ApiRequestError(0, `cannot reach ${this.baseUrl} (${cause}); is \`ballast serve\` running?`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiRequestError(
        res.status,
        `${method} ${path}: the server answered ${res.status} with non-JSON`,
      );
    }
    if (!res.ok) {
      const parsed = ErrorSchema.safeParse(json);
      const message = parsed.success ? parsed.data.message : `HTTP ${res.status}`;
      throw new ApiRequestError(res.status, message, parsed.success ? parsed.data : undefined);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiRequestError(res.status, `${method} ${path}: unexpected answer: ${parsed.error.message}`);
    }
    return parsed.data;
  }
}
