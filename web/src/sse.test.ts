import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse.ts';

function parseAll(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const push = createSseParser((e) => events.push(e));
  for (const c of chunks) push(c);
  return events;
}

describe('createSseParser', () => {
  it.each([
    [
      'a named event in one chunk is dispatched',
      ['event: alert\ndata: {"a":1}\n\n'],
      [{ event: 'alert', data: '{"a":1}' }],
    ],
    [
      'an event split across chunks waits for its blank line',
      ['event: slo-st', 'atus\ndata: 1', '\n', '\n'],
      [{ event: 'slo-status', data: '1' }],
    ],
    ['comments and retry lines dispatch nothing', [': connected\nretry: 3000\n\n: heartbeat\n\n'], []],
    ['an unnamed event is a message', ['data: x\r\n\r\n'], [{ event: 'message', data: 'x' }]],
    ['several data lines join with newlines', ['data: a\ndata: b\n\n'], [{ event: 'message', data: 'a\nb' }]],
  ])('%s', (_name, chunks, expected) => {
    expect(parseAll(chunks)).toEqual(expected);
  });
});
