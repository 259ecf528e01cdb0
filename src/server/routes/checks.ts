import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderStatusHtml } from '../../checks/index.ts';
import {
  gateFor,
  recentUptime,
  scheduleText,
  statusPageFor,
  targetText,
  todayStart,
  toSummary,
} from '../check-views.ts';
import { errorResponses, jsonSchema, NameParams, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  AlertEventSchema,
  CheckDailySchema,
  CheckDetailSchema,
  CheckResultSchema,
  CheckResultsQuerySchema,
  CheckSummarySchema,
  GateDecisionSchema,
  GateQuerySchema,
  HeartbeatInfoSchema,
  PingResponseSchema,
  StatusPageSchema,
  UptimeQuerySchema,
} from '../schemas.ts';

const nameParams = jsonSchema(NameParams);
type NameReq = { Params: { name: string } };

function requireCheck(ctx: ServerContext, name: string) {
  const check = ctx.checks.check(name);
  if (!check)
    throw new HttpError(404, 'not_found', `no check named "${name}"`, [
      { path: 'name', message: 'unknown check' },
    ]);
  return check;
}

/** Synthetic checks, heartbeat pings, the deploy gate and public status pages. */
export function checkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/checks',
    {
      schema: {
        tags: ['checks'],
        summary: 'Every check with its state, latest result and 30 days of daily uptime',
        response: { 200: jsonSchema(z.array(CheckSummarySchema)) },
      },
    },
    async () => {
      const uptime = await recentUptime(ctx, 30);
      return ctx.checks.checks.map((c) => toSummary(ctx, c, uptime.get(c.name)));
    },
  );

  app.get<NameReq>(
    '/checks/:name',
    {
      schema: {
        tags: ['checks'],
        summary: 'One check: its definition (without secrets), state and latest result',
        params: nameParams,
        response: { 200: jsonSchema(CheckDetailSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const c = requireCheck(ctx, req.params.name);
      const uptime = await recentUptime(ctx, 30, c.name);
      const detail = {
        ...toSummary(ctx, c, uptime.get(c.name)),
        timeoutMs: c.timeoutMs,
        failAfter: c.failAfter,
        recoverAfter: c.recoverAfter,
        conditions: c.conditions,
        degradedConditions: c.degradedConditions,
        locations: c.locations,
        target: targetText(c),
        schedule: scheduleText(c),
      };
      return {
        ...detail,
        ...(c.description !== undefined ? { description: c.description } : {}),
        ...(c.alertSeverity !== undefined ? { alertSeverity: c.alertSeverity } : {}),
      };
    },
  );

  app.get<NameReq & { Querystring: Record<string, string> }>(
    '/checks/:name/results',
    {
      schema: {
        tags: ['checks'],
        summary: 'Results of a check, newest first',
        params: nameParams,
        querystring: jsonSchema(CheckResultsQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(CheckResultSchema)), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      requireCheck(ctx, req.params.name);
      const q = parseOr400(CheckResultsQuerySchema, req.query, 'query');
      return ctx.store.listCheckResults(req.params.name, q);
    },
  );

  app.get<{ Params: { name: string; id: string } }>(
    '/checks/:name/results/:id',
    {
      schema: {
        tags: ['checks'],
        summary: 'One result of a check',
        params: jsonSchema(z.object({ name: z.string(), id: z.string() })),
        response: { 200: jsonSchema(CheckResultSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const r = await ctx.store.getCheckResult(Number(req.params.id));
      if (!r || r.check !== req.params.name)
        throw new HttpError(404, 'not_found', `check ${req.params.name} has no result ${req.params.id}`);
      return r;
    },
  );

  app.get<NameReq>(
    '/checks/:name/alerts',
    {
      schema: {
        tags: ['checks'],
        summary:
          'Alert changes of a check (firing when it crossed its failure threshold, ok when it recovered), newest first',
        params: nameParams,
        response: { 200: jsonSchema(z.array(AlertEventSchema)), ...errorResponses(404) },
      },
    },
    async (req) => {
      requireCheck(ctx, req.params.name);
      const events = await ctx.store.listAlertEvents({ slo: req.params.name, source: 'check', limit: 200 });
      return [...events].sort((a, b) => b.id - a.id);
    },
  );

  app.get<NameReq & { Querystring: Record<string, string> }>(
    '/checks/:name/uptime',
    {
      schema: {
        tags: ['checks'],
        summary: 'Daily pass/degraded/fail counts of a check (UTC days, oldest first)',
        params: nameParams,
        querystring: jsonSchema(UptimeQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(CheckDailySchema)), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      requireCheck(ctx, req.params.name);
      const days = parseOr400(UptimeQuerySchema, req.query, 'query').days ?? 90;
      const today = todayStart(ctx.now());
      const rows = await ctx.store.listCheckDaily({
        check: req.params.name,
        fromDay: today - (days - 1) * 86_400_000,
        toDay: today + 86_400_000,
      });
      return rows.map(({ day, pass, degraded, fail }) => ({ day, pass, degraded, fail }));
    },
  );

  app.post<NameReq>(
    '/checks/:name/run',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['checks'],
        summary: 'Run a check now, outside its schedule (the result is stored and counts like any other)',
        params: nameParams,
        response: { 200: jsonSchema(CheckResultSchema), ...errorResponses(404, 409, 503) },
      },
    },
    async (req) => {
      const c = requireCheck(ctx, req.params.name);
      if (c.spec.type === 'heartbeat')
        throw new HttpError(
          409,
          'conflict',
          `check ${c.name} is a heartbeat: it is judged from pings, not run`,
        );
      const result = await ctx.checks.runNow(c.name);
      if (!result)
        throw new HttpError(
          503,
          'unavailable',
          `check ${c.name} ran but no result was stored (the server is stopping, or the database refused it): try again`,
        );
      return result;
    },
  );

  app.get<{ Params: { name: string; file: string } }>(
    '/checks/:name/artifacts/:file',
    {
      schema: {
        tags: ['checks'],
        summary: 'A screenshot (PNG) or trace (zip) kept from a failed browser check',
        params: jsonSchema(z.object({ name: z.string(), file: z.string() })),
        response: errorResponses(404),
      },
    },
    async (req, reply) => {
      const check = requireCheck(ctx, req.params.name);
      // Only plain file names the monitor wrote: no path can escape the artifacts directory.
      const file = basename(req.params.file);
      if (file !== req.params.file || file.startsWith('.') || !/^[\w.-]+\.(png|zip)$/.test(file))
        throw new HttpError(404, 'not_found', `no artifact ${req.params.file}`);
      // Only a file a stored result of this check names: others' screenshots are not this check's to show.
      if (!(await ctx.store.checkHasArtifact(check.name, file)))
        throw new HttpError(404, 'not_found', `check ${check.name} has no artifact ${file}`);
      const path = join(ctx.checks.artifactsDir, file);
      const ok = await stat(path).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!ok) throw new HttpError(404, 'not_found', `no artifact ${file}`);
      reply.type(file.endsWith('.png') ? 'image/png' : 'application/zip');
      return reply.send(createReadStream(path));
    },
  );

  app.get<NameReq>(
    '/checks/:name/heartbeat',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['checks'],
        summary: 'The ping path of a heartbeat check (holds its secret key: admin only)',
        params: nameParams,
        response: { 200: jsonSchema(HeartbeatInfoSchema), ...errorResponses(404, 409) },
      },
    },
    async (req) => {
      const c = requireCheck(ctx, req.params.name);
      if (c.spec.type !== 'heartbeat')
        throw new HttpError(409, 'conflict', `check ${c.name} is not a heartbeat check`);
      const key = await ctx.store.heartbeatKey(c.name);
      const ping = (await ctx.store.listHeartbeats()).find((h) => h.check === c.name);
      return { check: c.name, pingPath: `/api/v1/heartbeats/${key}`, lastPingAt: ping?.lastPingAt ?? null };
    },
  );

  const ping = async (key: string) => {
    const check = await ctx.store.findHeartbeatByKey(key);
    if (!check || !ctx.checks.check(check)) throw new HttpError(404, 'not_found', 'unknown heartbeat key');
    const at = ctx.now();
    await ctx.checks.ping(check, at);
    return { check, at };
  };
  const pingSchema = {
    tags: ['checks'],
    summary: 'Ping a heartbeat check (the key is the secret: no token needed)',
    params: jsonSchema(z.object({ key: z.string() })),
    response: { 200: jsonSchema(PingResponseSchema), ...errorResponses(404) },
  };
  app.get<{ Params: { key: string } }>(
    '/heartbeats/:key',
    { config: { access: 'public' }, schema: pingSchema },
    (req) => ping(req.params.key),
  );
  app.post<{ Params: { key: string } }>(
    '/heartbeats/:key',
    { config: { access: 'public' }, schema: { ...pingSchema, hide: true } },
    (req) => ping(req.params.key),
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/gate',
    {
      schema: {
        tags: ['checks'],
        summary: 'The deploy gate of a service: checks pass now, budget above the policy, no freeze',
        querystring: jsonSchema(GateQuerySchema, 'input'),
        response: { 200: jsonSchema(GateDecisionSchema), ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const { service } = parseOr400(GateQuerySchema, req.query, 'query');
      if (!(await ctx.store.getService(service)))
        throw new HttpError(404, 'not_found', `no service named "${service}"`, [
          { path: 'service', message: 'unknown service' },
        ]);
      return gateFor(ctx, service);
    },
  );

  app.get<NameReq>(
    '/status/:name',
    {
      config: { access: 'public' },
      schema: {
        tags: ['status'],
        summary: 'Public status of a service, or of a team (services labelled team: NAME), as JSON',
        params: nameParams,
        response: { 200: jsonSchema(StatusPageSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const page = await statusPageFor(ctx, req.params.name);
      if (!page) throw new HttpError(404, 'not_found', `no service or team named "${req.params.name}"`);
      return page;
    },
  );
}

/** The HTML status page, outside the API prefix: `/status/NAME`. */
export function statusPageRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<NameReq>(
    '/status/:name',
    { config: { access: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const page = await statusPageFor(ctx, req.params.name);
      if (!page) {
        reply.code(404).type('text/plain');
        return `no service or team named "${req.params.name}"\n`;
      }
      reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=30');
      return renderStatusHtml(page);
    },
  );
}
