import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorResponses, jsonSchema, NameParams, requireSlo, type ServerContext } from '../context.ts';
import { parseOr400 } from '../errors.ts';
import { readHistory } from '../history.ts';
import { ingestEvents } from '../ingest.ts';
import {
  AlertEventSchema,
  AlertsQuerySchema,
  HistoryPointSchema,
  IngestResponseSchema,
  SliEventBatchSchema,
  SloDetailSchema,
  SloSummarySchema,
} from '../schemas.ts';
import { sloSummary } from '../summaries.ts';

const params = jsonSchema(NameParams);

/** SLO routes: list, detail, history, alert events and event ingestion. */
export function sloRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/slos',
    {
      schema: {
        tags: ['slos'],
        summary: 'Every SLO with its current status',
        response: { 200: jsonSchema(z.array(SloSummarySchema)) },
      },
    },
    async () => {
      const now = ctx.now();
      return ctx.runtime.definitions.map((d) => sloSummary(d, ctx.runtime.status(d.name), now));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/slos/:name',
    {
      schema: {
        tags: ['slos'],
        summary: 'One SLO: its definition and current status',
        params,
        response: { 200: jsonSchema(SloDetailSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const def = requireSlo(ctx, req.params.name);
      return { definition: def, summary: sloSummary(def, ctx.runtime.status(def.name), ctx.now()) };
    },
  );

  app.get<{ Params: { name: string }; Querystring: Record<string, string> }>(
    '/slos/:name/history',
    {
      schema: {
        tags: ['slos'],
        summary: 'SLI, budget remaining and burn rates over time (default: last 24h every 5m)',
        params,
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', description: 'epoch ms or ISO time' },
            to: { type: 'string', description: 'epoch ms or ISO time' },
            step: { type: 'string', description: 'duration like 5m, or ms' },
          },
        },
        response: { 200: jsonSchema(z.array(HistoryPointSchema)), ...errorResponses(400, 404) },
      },
    },
    async (req) => readHistory(ctx, requireSlo(ctx, req.params.name), req.query),
  );

  app.get<{ Params: { name: string }; Querystring: Record<string, string> }>(
    '/slos/:name/alerts',
    {
      schema: {
        tags: ['slos'],
        summary: 'Alert state changes of one SLO, newest first',
        params,
        querystring: jsonSchema(AlertsQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(AlertEventSchema)), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const def = requireSlo(ctx, req.params.name);
      const { access_token: _token, ...query } = req.query;
      const q = parseOr400(AlertsQuerySchema, query, 'query');
      const events = await ctx.store.listAlertEvents({
        slo: def.name,
        source: 'slo',
        since: q.since,
        limit: q.limit ?? 200,
      });
      return [...events].sort((a, b) => b.id - a.id);
    },
  );

  app.post<{ Params: { name: string } }>(
    '/slos/:name/events',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['slos'],
        summary: 'Ingest SLI events (good/total counts, success flags or threshold values)',
        params,
        body: jsonSchema(SliEventBatchSchema, 'input'),
        response: { 200: jsonSchema(IngestResponseSchema), ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (req) => ingestEvents(ctx, req.params.name, req.body),
  );
}
