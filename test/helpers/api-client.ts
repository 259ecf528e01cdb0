/**
 * JSON calls to a test server's API with a bearer token, for UI tests that set
 * up and drive state through the API while the page watches. `baseUrl` is read
 * at each call: the server starts in `beforeAll`, after the helper is made.
 */
export function apiClient(baseUrl: () => string, token: string) {
  /** The raw response (for tests that check a refusal). */
  const call = (method: string, urlPath: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${baseUrl()}${urlPath}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  /** The parsed answer; throws with the status and body when it is not 2xx. 204 gives undefined. */
  const api = async <T>(method: string, urlPath: string, body?: unknown): Promise<T> => {
    const res = await call(method, urlPath, body);
    if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return { call, api };
}
