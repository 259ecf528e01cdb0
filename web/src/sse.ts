/**
 * Server-sent events over `fetch`, because `EventSource` cannot send the
 * `Authorization` header a private Ballast server needs.
 */
import { authHeaders } from './api.ts';

/** One dispatched SSE event. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental parser for the `text/event-stream` format: feed it chunks as
 * they arrive; it calls `onEvent` for each complete event.
 */
export function createSseParser(onEvent: (e: SseEvent) => void): (chunk: string) => void {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    // The last piece may be a partial line; keep it for the next chunk.
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  };
}

/** Connection state shown in the header. */
export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * Follows `/api/v1/events` until `signal` aborts, reconnecting with backoff.
 * Polling keeps the page fresh meanwhile, so a lost stream only costs latency.
 */
export async function followEvents(
  signal: AbortSignal,
  onEvent: (e: SseEvent) => void,
  onState: (s: LiveState) => void,
): Promise<void> {
  let delay = 1_000;
  while (!signal.aborted) {
    onState('connecting');
    try {
      const res = await fetch('/api/v1/events', {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        signal,
      });
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      onState('live');
      delay = 1_000;
      const parse = createSseParser(onEvent);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parse(value);
      }
    } catch {
      if (signal.aborted) return;
    }
    onState('offline');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}
