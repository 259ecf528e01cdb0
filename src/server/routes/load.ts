import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runKeyNumbers, statusFromSummary } from '../../load/runs/index.ts';
import type { LoadRunListRecord, LoadRunRecord } from '../../store/types.ts';
import { errorResponses, jsonSchema, NameParams, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  CapacityPutSchema,
  CapacityResponseSchema,
  CapacitySchema,
  LoadRunCreatedSchema,
  LoadRunCreateSchema,
  type LoadRunDetail,
  LoadRunDetailSchema,
  LoadRunFailSchema,
  type LoadRunListItem,
  LoadRunListItemSchema,
  LoadRunsQuerySchema,
  LoadSecondsBatchSchema,
  LoadSummarySchema,
} from '../schemas.ts';

/** A summary carries the whole per-second series; a long run's is bigger than the default body limit. */
const SUMMARY_BODY_LIMIT = 16 * 1024 * 1024;

const IdParams = z.object({ id: z.string() });
const idParams = jsonSchema(IdParams);
const nameParams = jsonSchema(NameParams);
type IdReq = { Params: { id: string } };

/** A stored run as a row of the runs list. */
export function toListItem(run: LoadRunRecord | LoadRunListRecord): LoadRunListItem {
  return {
    id: run.id,
    name: run.name,
    service: run.service,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    key: run.summary ? runKeyNumbers(run.summary) : null,
  };
}

async function requireRun(ctx: ServerContext, id: string): Promise<LoadRunRecord> {
  const run = await ctx.store.getLoadRun(id);
  if (!run) {
    throw new HttpError(404, 'not_found', `no load-test run with id "${id}"`, [
      { path: 'id', message: 'unknown run' },
    ]);
  }
  return run;
}

function requireRunning(run: LoadRunRecord): void {
  if (run.status !== 'running') {
    throw new HttpError(409, 'conflict', `run "${run.id}" already ended (status ${run.status})`);
  }
}

async function requireService(ctx: ServerContext, name: string): Promise<void> {
  if (!(await ctx.store.getService(name))) {
    throw new HttpError(404, 'not_found', `no service named "${name}"`, [
      { path: 'name', message: 'unknown service' },
    ]);
  }
}

/** Drops the SSE stream's `access_token` so strict query schemas do not reject it. */
function queryOf(query: unknown): Record<string, unknown> {
  const { access_token: _token, ...rest } = (query ?? {}) as Record<string, unknown>;
  return rest;
}

/**
 * Load-test runs (`ballast load run --server`) and measured capacity at SLO.
 * Writes need a responder token: running load is an operational act, not administration.
 */
export function loadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  runWriteRoutes(app, ctx);
  runReadRoutes(app, ctx);
  capacityRoutes(app, ctx);
}

function runWriteRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/load/runs',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['load'],
        summary: 'Start recording a load-test run (status running)',
        body: jsonSchema(LoadRunCreateSchema, 'input'),
        response: { 201: jsonSchema(LoadRunCreatedSchema), ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const body = parseOr400(LoadRunCreateSchema, req.body, 'load run');
      const run = await ctx.store.createLoadRun({
        id: randomUUID(),
        name: body.name,
        service: body.service,
        plan: body.plan,
        startedAt: ctx.now(),
      });
      ctx.bus.emit('load-started', toListItem(run));
      reply.status(201);
      return { id: run.id };
    },
  );

  app.post<IdReq>(
    '/load/runs/:id/seconds',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['load'],
        summary: 'Append per-second samples of a running run (a resent second replaces the old one)',
        params: idParams,
        body: jsonSchema(LoadSecondsBatchSchema, 'input'),
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (req, reply) => {
      const body = parseOr400(LoadSecondsBatchSchema, req.body, 'samples');
      const run = await requireRun(ctx, req.params.id);
      requireRunning(run);
      await ctx.store.addLoadRunSeconds(run.id, body.samples);
      ctx.bus.emit('load-second', { runId: run.id, samples: body.samples });
      return reply.status(204).send();
    },
  );

  app.put<IdReq>(
    '/load/runs/:id/summary',
    {
      config: { access: 'responder' },
      bodyLimit: SUMMARY_BODY_LIMIT,
      schema: {
        tags: ['load'],
        summary: 'Finish a run with its summary (status finished, or aborted when summary.aborted)',
        params: idParams,
        body: jsonSchema(LoadSummarySchema, 'input'),
        response: { 200: jsonSchema(LoadRunListItemSchema), ...errorResponses(400, 401, 403, 404, 413) },
      },
    },
    async (req) => {
      const summary = parseOr400(LoadSummarySchema, req.body, 'summary');
      const run = await requireRun(ctx, req.params.id);
      // The series in the summary is the complete one: it fills any second the live pushes missed.
      if (summary.series.length > 0) await ctx.store.addLoadRunSeconds(run.id, summary.series);
      const ended = await ctx.store.finishLoadRun(run.id, {
        status: statusFromSummary(summary),
        summary,
        finishedAt: ctx.now(),
      });
      if (!ended) throw new HttpError(409, 'conflict', `run "${run.id}" already ended`);
      const item = toListItem(ended);
      ctx.bus.emit('load-finished', item);
      return item;
    },
  );

  app.post<IdReq>(
    '/load/runs/:id/fail',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['load'],
        summary: 'Mark a running run as failed (the generator crashed or could not start)',
        params: idParams,
        body: jsonSchema(LoadRunFailSchema, 'input'),
        response: { 200: jsonSchema(LoadRunListItemSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      parseOr400(LoadRunFailSchema, req.body ?? {}, 'failure');
      const run = await requireRun(ctx, req.params.id);
      requireRunning(run);
      const ended = await ctx.store.finishLoadRun(run.id, { status: 'failed', finishedAt: ctx.now() });
      if (!ended) throw new HttpError(409, 'conflict', `run "${run.id}" already ended`);
      const item = toListItem(ended);
      ctx.bus.emit('load-finished', item);
      return item;
    },
  );
}

function runReadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/load/runs',
    {
      schema: {
        tags: ['load'],
        summary: 'Load-test runs, newest first (filter by service; default limit 50)',
        querystring: jsonSchema(LoadRunsQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(LoadRunListItemSchema)), ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = parseOr400(LoadRunsQuerySchema, queryOf(req.query), 'query');
      const runs = await ctx.store.listLoadRuns({ service: q.service, limit: q.limit });
      return runs.map(toListItem);
    },
  );

  app.get<IdReq>(
    '/load/runs/:id',
    {
      schema: {
        tags: ['load'],
        summary: 'One run: its plan, summary (once ended) and per-second samples',
        params: idParams,
        response: { 200: jsonSchema(LoadRunDetailSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const run = await requireRun(ctx, req.params.id);
      const seconds = await ctx.store.listLoadRunSeconds(run.id);
      const detail: LoadRunDetail = { run: { ...toListItem(run), plan: run.plan }, seconds };
      if (run.summary) detail.summary = run.summary;
      return detail;
    },
  );
}

function capacityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.put<{ Params: { name: string } }>(
    '/services/:name/capacity',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['load'],
        summary: 'Record a measured capacity at SLO for a service (history is kept, latest wins)',
        params: nameParams,
        body: jsonSchema(CapacityPutSchema, 'input'),
        response: { 200: jsonSchema(CapacitySchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const body = parseOr400(CapacityPutSchema, req.body, 'capacity');
      await requireService(ctx, req.params.name);
      const record = {
        service: req.params.name,
        measuredAt: typeof body.measuredAt === 'number' ? body.measuredAt : Date.parse(body.measuredAt),
        ratePerSecond: body.ratePerSecond,
        slo: body.slo ?? null,
        steps: body.steps,
      };
      await ctx.store.addServiceCapacity(record);
      return record;
    },
  );

  app.get<{ Params: { name: string } }>(
    '/services/:name/capacity',
    {
      schema: {
        tags: ['load'],
        summary: "A service's measured capacity: the latest and the history, newest first",
        params: nameParams,
        response: { 200: jsonSchema(CapacityResponseSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      await requireService(ctx, req.params.name);
      const history = await ctx.store.listServiceCapacity(req.params.name);
      return { latest: history[0] ?? null, history };
    },
  );

  app.get(
    '/capacity',
    {
      schema: {
        tags: ['load'],
        summary: 'The latest measured capacity of every service that has one',
        response: { 200: jsonSchema(z.array(CapacitySchema)) },
      },
    },
    async () => ctx.store.latestCapacities(),
  );
}
