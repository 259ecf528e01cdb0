import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChaosRunRecord } from '../../store/types.ts';
import { chaosGuards, endRunMaintenance, haltRuns, mirrorToIncidents, toChaosRun } from '../chaos-runs.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  ChaosFinishSchema,
  ChaosHaltAnswerSchema,
  ChaosJournalAnswerSchema,
  ChaosJournalBatchSchema,
  ChaosRunCreatedSchema,
  ChaosRunCreateSchema,
  ChaosRunDetailSchema,
  ChaosRunSchema,
  ChaosRunsQuerySchema,
  GuardDecisionSchema,
} from '../schemas-chaos.ts';

const idParams = jsonSchema(z.object({ id: z.string() }));
type IdReq = { Params: { id: string } };

/** A minute past the planned end covers recovery probing; the cap keeps a typo from muting a day. */
const MAINTENANCE_MARGIN_MS = 60_000;

async function requireRun(ctx: ServerContext, id: string): Promise<ChaosRunRecord> {
  const run = await ctx.store.getChaosRun(id);
  if (!run)
    throw new HttpError(404, 'not_found', `no chaos run with id "${id}"`, [
      { path: 'id', message: 'unknown run' },
    ]);
  return run;
}

/**
 * Chaos experiment runs: a controller (`ballast chaos run --server`) asks to
 * start (the guards decide), streams its journal, and finishes with the
 * report; `POST /chaos/halt` stops every run at once.
 */
export function chaosRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { name: string }; Querystring: { override?: string } }>(
    '/chaos/guards/:name',
    {
      schema: {
        tags: ['chaos'],
        summary:
          'Would an experiment on this service start now? Budget above its policy, no open incident, no freeze',
        params: jsonSchema(z.object({ name: z.string() })),
        response: { 200: jsonSchema(GuardDecisionSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      if (!(await ctx.store.getService(req.params.name)))
        throw new HttpError(404, 'not_found', `no service named "${req.params.name}"`);
      return chaosGuards(ctx, req.params.name, false);
    },
  );

  app.post(
    '/chaos/runs',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['chaos'],
        summary:
          'Start a chaos run: 201 when the guards let it (a maintenance window opens for the service), 409 with the reasons when they refuse',
        body: jsonSchema(ChaosRunCreateSchema, 'input'),
        response: { 201: jsonSchema(ChaosRunCreatedSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const body = parseOr400(ChaosRunCreateSchema, req.body, 'chaos run');
      if (!(await ctx.store.getService(body.service)))
        throw new HttpError(404, 'not_found', `no service named "${body.service}"`, [
          { path: 'service', message: 'unknown service' },
        ]);
      const guards = await chaosGuards(ctx, body.service, body.override);
      const now = ctx.now();
      const base = {
        id: randomUUID(),
        experiment: body.experiment,
        service: body.service,
        definition: body.definition,
        plan: body.plan,
        guards: guards as unknown as Record<string, unknown>,
        controller: body.controller,
        startedAt: now,
      };
      if (!guards.pass) {
        // The refusal is evidence too: who tried what, and why it was held back.
        const refused = await ctx.store.createChaosRun({ ...base, status: 'running', maintenanceId: null });
        await ctx.store.finishChaosRun(refused.id, { status: 'refused', finishedAt: now });
        throw new HttpError(
          409,
          'refused',
          `the guards refuse chaos on ${body.service} now (pass --override-guards to run anyway)`,
          guards.reasons.filter((r) => !r.ok).map((r) => ({ path: r.kind, message: r.message })),
        );
      }
      const window = await ctx.store.addMaintenance({
        service: body.service,
        start: now,
        end: now + Math.min(body.expectedDurationMs + MAINTENANCE_MARGIN_MS, 86_400_000),
        reason: `chaos experiment ${body.experiment}`,
        createdBy: `chaos:${body.experiment}`,
      });
      const run = await ctx.store.createChaosRun({ ...base, status: 'running', maintenanceId: window.id });
      ctx.bus.emit('chaos', { run: toChaosRun(run) });
      reply.status(201);
      return { id: run.id, guards, maintenanceId: window.id };
    },
  );

  app.post<IdReq>(
    '/chaos/runs/:id/journal',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['chaos'],
        summary: 'Append journal entries of a running run (and its leases); the answer says whether to halt',
        params: idParams,
        body: jsonSchema(ChaosJournalBatchSchema, 'input'),
        response: { 200: jsonSchema(ChaosJournalAnswerSchema), ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const run = await requireRun(ctx, req.params.id);
      const batch = parseOr400(ChaosJournalBatchSchema, req.body, 'journal batch');
      if (run.status !== 'running')
        throw new HttpError(409, 'conflict', `run "${run.id}" already ended (status ${run.status})`);
      await ctx.store.appendChaosJournal(run.id, {
        from: batch.from,
        entries: batch.entries,
        ...(batch.leases ? { leases: batch.leases } : {}),
        at: ctx.now(),
      });
      await mirrorToIncidents(ctx, run, batch.entries);
      ctx.bus.emit('chaos-journal', { runId: run.id, from: batch.from, entries: batch.entries });
      return { halt: run.haltRequested };
    },
  );

  app.post<IdReq>(
    '/chaos/runs/:id/finish',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['chaos'],
        summary: 'End a run with its report; its maintenance window ends',
        params: idParams,
        body: jsonSchema(ChaosFinishSchema, 'input'),
        response: { 200: jsonSchema(ChaosRunSchema), ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const run = await requireRun(ctx, req.params.id);
      const { report } = parseOr400(ChaosFinishSchema, req.body, 'chaos report');
      const ended = await ctx.store.finishChaosRun(run.id, {
        status: report.outcome,
        report,
        finishedAt: ctx.now(),
      });
      if (!ended)
        throw new HttpError(409, 'conflict', `run "${run.id}" already ended (status ${run.status})`);
      await endRunMaintenance(ctx, ended);
      ctx.bus.emit('chaos', { run: toChaosRun(ended) });
      return toChaosRun(ended);
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/chaos/runs',
    {
      schema: {
        tags: ['chaos'],
        summary: 'Chaos runs, newest first',
        querystring: jsonSchema(ChaosRunsQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(ChaosRunSchema)), ...errorResponses(400) },
      },
    },
    async (req) => {
      const { access_token: _t, ...query } = req.query ?? {};
      const q = parseOr400(ChaosRunsQuerySchema, query, 'query');
      return (await ctx.store.listChaosRuns(q)).map(toChaosRun);
    },
  );

  app.get<IdReq>(
    '/chaos/runs/:id',
    {
      schema: {
        tags: ['chaos'],
        summary: 'One chaos run with its definition, plan, guards, report and whole journal',
        params: idParams,
        response: { 200: jsonSchema(ChaosRunDetailSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const run = await requireRun(ctx, req.params.id);
      return {
        ...toChaosRun(run),
        definition: run.definition,
        journal: await ctx.store.listChaosJournal(run.id),
      };
    },
  );

  app.post(
    '/chaos/halt',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['chaos'],
        summary:
          'Halt every running chaos run now: flags them for their controllers and releases their leases at the fault daemons (idempotent)',
        response: { 200: jsonSchema(ChaosHaltAnswerSchema), ...errorResponses(401, 403) },
      },
    },
    async () => announceHalt(ctx, await haltRuns(ctx)),
  );

  app.post<IdReq>(
    '/chaos/runs/:id/halt',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['chaos'],
        summary:
          'Halt one running chaos run: flags it for its controller and releases its leases at the fault daemons (idempotent; a run that ended halts nothing)',
        params: idParams,
        response: { 200: jsonSchema(ChaosHaltAnswerSchema), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      await requireRun(ctx, req.params.id);
      return announceHalt(ctx, await haltRuns(ctx, req.params.id));
    },
  );
}

async function announceHalt<T extends { runs: string[] }>(ctx: ServerContext, answer: T): Promise<T> {
  for (const id of answer.runs) {
    const run = await ctx.store.getChaosRun(id);
    if (run) ctx.bus.emit('chaos', { run: toChaosRun(run) });
  }
  return answer;
}
