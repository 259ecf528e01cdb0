import type { FastifyInstance } from 'fastify';
import type { SecondSample } from '../../load/types.ts';
import type { AlertTransition, SloStatus } from '../../slo/model.ts';
import type { BusEvents } from '../bus.ts';
import type { ServerContext } from '../context.ts';
import type { LoadRunListItem } from '../schemas.ts';

/** How often an idle stream gets a comment line, so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

/**
 * `GET /events`: server-sent events. `slo-status` carries each fresh
 * SloStatus, `alert` each alert transition, `load-started` / `load-finished`
 * `{run}` (a runs-list row) and `load-second` `{runId, samples}` of load tests, `check-result`
 * `{result, health}` of synthetic checks, `chaos` `{run}` and `chaos-journal` `{runId, from, entries}` of chaos runs; `: heartbeat` comments keep idle
 * connections alive. Browsers' EventSource cannot send headers, so the token
 * may come as `?access_token=`.
 */
export function sseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = new Set<() => void>();
  // Streams never go idle, so the server could not close while one is open: end them first.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary:
          'Live updates as server-sent events (slo-status, alert, load-started, load-second, load-finished, check-result, incident, chaos, chaos-journal)',
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'text/event-stream' } },
      },
    },
    (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      res.write(': connected\nretry: 3000\n\n');
      const onStatus = (s: SloStatus) => send('slo-status', s);
      const onAlert = (t: AlertTransition) => send('alert', t);
      const onLoadStarted = (run: LoadRunListItem) => send('load-started', { run });
      const onLoadSecond = (e: { runId: string; samples: SecondSample[] }) => send('load-second', e);
      const onLoadFinished = (run: LoadRunListItem) => send('load-finished', { run });
      const onCheckResult = (event: BusEvents['check-result'][0]) => send('check-result', event);
      const onIncident = (event: BusEvents['incident'][0]) => send('incident', event);
      const onChaos = (event: BusEvents['chaos'][0]) => send('chaos', event);
      const onChaosJournal = (event: BusEvents['chaos-journal'][0]) => send('chaos-journal', event);
      // A stream opened with a token that is then revoked ends (a public-read stream has none).
      const tokenId = req.token?.id;
      const onTokenRevoked = (id: string) => {
        if (id === tokenId) end();
      };
      ctx.bus.on('slo-status', onStatus);
      ctx.bus.on('alert', onAlert);
      ctx.bus.on('load-started', onLoadStarted);
      ctx.bus.on('load-second', onLoadSecond);
      ctx.bus.on('load-finished', onLoadFinished);
      ctx.bus.on('check-result', onCheckResult);
      ctx.bus.on('incident', onIncident);
      ctx.bus.on('chaos', onChaos);
      ctx.bus.on('chaos-journal', onChaosJournal);
      ctx.bus.on('token-revoked', onTokenRevoked);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const stop = () => {
        clearInterval(heartbeat);
        ctx.bus.off('slo-status', onStatus);
        ctx.bus.off('alert', onAlert);
        ctx.bus.off('load-started', onLoadStarted);
        ctx.bus.off('load-second', onLoadSecond);
        ctx.bus.off('load-finished', onLoadFinished);
        ctx.bus.off('check-result', onCheckResult);
        ctx.bus.off('incident', onIncident);
        ctx.bus.off('chaos', onChaos);
        ctx.bus.off('chaos-journal', onChaosJournal);
        ctx.bus.off('token-revoked', onTokenRevoked);
        open.delete(end);
      };
      const end = () => {
        stop();
        res.end();
      };
      open.add(end);
      req.raw.on('close', stop);
      res.on('error', stop);
    },
  );
}
