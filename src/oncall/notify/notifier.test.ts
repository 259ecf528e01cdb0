import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContactMethod } from '../types.ts';
import { Notifier, type NotifierConfig } from './notifier.ts';
import { slackPayload, webhookPayload } from './render.ts';
import type { Page } from './types.ts';

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/**
 * A page receiver on loopback. Each path behaves like one kind of target:
 * healthy, flaky, down, gone, slow, redirecting.
 */
class Receiver {
  readonly received: Received[] = [];
  readonly hits = new Map<string, number>();
  readonly #server: Server;
  base = '';

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<void> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  reset(): void {
    this.received.length = 0;
    this.hits.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const hit = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, hit);
    if (path === '/hang') return; // never answers: the notifier's timeout has to end it
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.received.push({ path, contentType: req.headers['content-type'], body: JSON.parse(text) });
    const answer = (status: number, body = ''): void => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    };
    switch (path) {
      case '/hook':
        return answer(204);
      case '/slack':
        return answer(200, 'ok');
      case '/flaky':
        return hit <= 2 ? answer(503, 'warming up') : answer(200);
      case '/down':
        return answer(500, 'database down\n  please retry later');
      case '/gone':
        return answer(404, 'no such hook');
      case '/limited':
        return hit === 1 ? answer(429, 'slow down') : answer(202);
      case '/moved':
        res.writeHead(307, { location: '/hook' }).end();
        return;
      default:
        return answer(400, 'unknown path');
    }
  }
}

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
beforeEach(() => receiver.reset());

const page: Page = {
  incidentId: 12,
  title: 'Checkout errors',
  severity: 'SEV2',
  urgency: 'high',
  service: 'checkout',
  summary: '5xx ratio 4% over 5m',
  incidentUrl: 'http://127.0.0.1:7420/incidents/12',
  ackUrl: 'http://127.0.0.1:7420/ack/abc.def',
  user: 'alice',
  step: 1,
};
const now = Date.UTC(2026, 0, 5, 9, 0);

/** A notifier whose backoff waits are recorded instead of slept. */
function notifier(cfg: NotifierConfig = {}) {
  const slept: number[] = [];
  const n = new Notifier({
    retries: 3,
    retryDelayMs: 100,
    timeoutMs: 2000,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...cfg,
  });
  return { n, slept };
}

const hook = (path: string): ContactMethod => ({ kind: 'webhook', url: `${receiver.base}${path}` });

describe('Notifier concurrency', () => {
  it('holds a slot only while an attempt is on the wire: a target waiting to retry does not block another', async () => {
    let wake: () => void = () => {};
    const sleeping = new Promise<void>((r) => {
      wake = r;
    });
    let asleep = false;
    const n = new Notifier({
      retries: 1,
      retryDelayMs: 100,
      timeoutMs: 2000,
      concurrency: 1,
      now: () => now,
      sleep: async () => {
        asleep = true;
        await sleeping;
      },
    });
    const failing = n.send(hook('/down'), page);
    // The single slot is free while the failing target waits out its backoff.
    await expect.poll(() => asleep).toBe(true);
    const healthy = await n.send(hook('/hook'), page);
    expect(healthy.ok).toBe(true);
    wake();
    expect(await failing).toMatchObject({ ok: false, attempts: 2 });
  });
});

describe('Notifier over webhooks (local HTTP receiver)', () => {
  it('POSTs the documented JSON page to a webhook and reports one successful try', async () => {
    const { n } = notifier();
    const delivery = await n.send(hook('/hook'), page);
    expect(delivery).toMatchObject({
      channel: 'webhook',
      target: `${receiver.base}/hook`,
      ok: true,
      attempts: 1,
    });
    expect(delivery.error).toBeUndefined();
    expect(delivery.at).toBe(now);
    expect(receiver.received).toEqual([
      { path: '/hook', contentType: 'application/json', body: webhookPayload(page, now) },
    ]);
    const body = receiver.received[0]!.body as Record<string, unknown>;
    expect(body.type).toBe('ballast.page');
    expect(body.ack_url).toBe(page.ackUrl);
  });

  it('POSTs a Slack-compatible message with text and blocks to a Slack webhook', async () => {
    const { n } = notifier();
    const delivery = await n.send({ kind: 'slack', url: `${receiver.base}/slack` }, page);
    expect(delivery).toMatchObject({ channel: 'slack', ok: true, attempts: 1 });
    const body = receiver.received[0]!.body as { text: string; blocks: unknown[] };
    expect(body).toEqual(slackPayload(page));
    expect(body.text).toContain(`<${page.ackUrl}|Acknowledge>`);
  });

  it('retries a receiver that fails twice and records all three tries', async () => {
    const { n, slept } = notifier();
    const delivery = await n.send(hook('/flaky'), page);
    expect(delivery).toMatchObject({ ok: true, attempts: 3 });
    expect(delivery.log.map((a) => a.ok)).toEqual([false, false, true]);
    expect(delivery.log[0]!.error).toBe('HTTP 503 Service Unavailable: warming up');
    expect(slept).toEqual([100, 200]);
    expect(receiver.hits.get('/flaky')).toBe(3);
  });

  it('gives up on a receiver that always fails after the configured tries and names the error', async () => {
    const { n, slept } = notifier({ retries: 2 });
    const delivery = await n.send(hook('/down'), page);
    expect(delivery).toMatchObject({ ok: false, attempts: 3 });
    expect(delivery.error).toBe('HTTP 500 Internal Server Error: database down please retry later');
    expect(slept).toEqual([100, 200]);
    expect(receiver.hits.get('/down')).toBe(3);
  });

  it('does not retry a 404, which would only fail again', async () => {
    const { n, slept } = notifier();
    const delivery = await n.send(hook('/gone'), page);
    expect(delivery).toMatchObject({ ok: false, attempts: 1, error: 'HTTP 404 Not Found: no such hook' });
    expect(slept).toEqual([]);
    expect(receiver.hits.get('/gone')).toBe(1);
  });

  it('retries a 429 (rate limited) like a server error', async () => {
    const { n } = notifier();
    const delivery = await n.send(hook('/limited'), page);
    expect(delivery).toMatchObject({ ok: true, attempts: 2 });
  });

  it('does not follow a redirect with the page and its signed links', async () => {
    const { n } = notifier();
    const delivery = await n.send(hook('/moved'), page);
    expect(delivery).toMatchObject({ ok: false, attempts: 1 });
    expect(delivery.error).toContain('redirects are not followed');
    expect(receiver.hits.get('/hook')).toBeUndefined();
  });

  it('times out a receiver that never answers, on every try', async () => {
    const timeoutMs = 150;
    const { n } = notifier({ retries: 1, timeoutMs });
    const delivery = await n.send(hook('/hang'), page);
    expect(delivery).toMatchObject({ ok: false, attempts: 2, error: `timed out after ${timeoutMs} ms` });
    expect(receiver.hits.get('/hang')).toBe(2);
    for (const a of delivery.log) {
      expect(a.durationMs).toBeGreaterThanOrEqual(timeoutMs - 20);
      expect(a.durationMs).toBeLessThan(5000);
    }
  });

  it('retries an unreachable target (connection refused) and reports why', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const { n } = notifier({ retries: 2 });
    const delivery = await n.send({ kind: 'webhook', url: `http://127.0.0.1:${port}/hook` }, page);
    expect(delivery).toMatchObject({ ok: false, attempts: 3 });
    expect(delivery.error).toContain('ECONNREFUSED');
  });

  const unusable: [string, string, string][] = [
    ['an invalid URL', 'not a url', 'invalid URL'],
    ['a non-HTTP scheme', 'file:///etc/passwd', 'unsupported URL scheme file:'],
  ];
  it.each(unusable)('fails %s at once without retrying', async (_name, url, error) => {
    const { n, slept } = notifier();
    const delivery = await n.send({ kind: 'webhook', url }, page);
    expect(delivery).toMatchObject({ ok: false, attempts: 1, error });
    expect(slept).toEqual([]);
  });
});

describe('Notifier, every channel', () => {
  it('sends to all contacts at once and returns the deliveries in the contacts order', async () => {
    const { n } = notifier({ retries: 0 });
    const contacts: ContactMethod[] = [
      hook('/gone'),
      { kind: 'slack', url: `${receiver.base}/slack` },
      { kind: 'email', address: 'alice@example.com' },
      hook('/hook'),
    ];
    const deliveries = await n.sendAll(contacts, page);
    expect(deliveries.map((d) => [d.channel, d.ok])).toEqual([
      ['webhook', false],
      ['slack', true],
      ['email', false],
      ['webhook', true],
    ]);
  });

  it('reports an e-mail contact without an SMTP server as a failed delivery, not a throw', async () => {
    const { n } = notifier();
    const delivery = await n.send({ kind: 'email', address: 'alice@example.com' }, page);
    expect(delivery).toMatchObject({
      channel: 'email',
      target: 'alice@example.com',
      ok: false,
      attempts: 0,
      error: 'no SMTP server configured',
      log: [],
    });
  });

  it('reports a contact of an unknown kind as a failed delivery', async () => {
    const { n } = notifier();
    const delivery = await n.send({ kind: 'pager' } as unknown as ContactMethod, page);
    expect(delivery).toMatchObject({ ok: false, attempts: 0, error: 'unknown contact kind pager' });
  });

  it('refuses to send once closed', async () => {
    const { n } = notifier();
    await n.close();
    const delivery = await n.send(hook('/hook'), page);
    expect(delivery).toMatchObject({ ok: false, attempts: 0, error: 'notifier closed' });
    expect(receiver.hits.get('/hook')).toBeUndefined();
  });
});
