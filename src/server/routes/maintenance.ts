import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { MaintenanceCreateSchema, MaintenanceSchema } from '../schemas.ts';
import { actorOf } from './incident-common.ts';

/** Maintenance windows: alerts for the service during one are recorded but page nobody. */
export function maintenanceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const nameParams = jsonSchema(z.object({ name: z.string() }));
  app.post<{ Params: { name: string } }>(
    '/services/:name/maintenance',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary:
          'Open a maintenance window (start defaults to now): its alerts are recorded and annotated but page nobody; an incident still open when it ends pages from the first step then',
        params: nameParams,
        body: jsonSchema(MaintenanceCreateSchema, 'input'),
        response: { 201: jsonSchema(MaintenanceSchema), ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      if (!(await ctx.store.getService(req.params.name)))
        throw new HttpError(404, 'not_found', `no service named "${req.params.name}"`);
      const m = parseOr400(MaintenanceCreateSchema, req.body, 'maintenance window');
      const start = m.start ?? ctx.now();
      if (m.end <= start)
        throw new HttpError(400, 'bad_request', 'end must be after start', [
          { path: 'end', message: 'not after start' },
        ]);
      const row = await ctx.store.addMaintenance({
        service: req.params.name,
        start,
        end: m.end,
        createdBy: actorOf(req),
        ...(m.reason !== undefined ? { reason: m.reason } : {}),
      });
      reply.code(201);
      return row;
    },
  );
  app.post<{ Params: { name: string; id: string } }>(
    '/services/:name/maintenance/:id/end',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary:
          'End a maintenance window now (the work finished early); an incident still open pages from the first step',
        params: jsonSchema(z.object({ name: z.string(), id: z.string() })),
        response: { 200: jsonSchema(MaintenanceSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const id = Number(req.params.id);
      const unknown = new HttpError(
        404,
        'not_found',
        `service "${req.params.name}" has no maintenance window ${req.params.id}`,
      );
      if (!Number.isSafeInteger(id)) throw unknown;
      const open = await ctx.store.listMaintenance({ service: req.params.name, from: 0 });
      if (!open.some((w) => w.id === id)) throw unknown;
      // An end already in the past stays: ending a finished window changes nothing.
      const ended = await ctx.store.endMaintenance(id, ctx.now());
      if (!ended) throw unknown;
      return ended;
    },
  );
  app.get<{ Params: { name: string } }>(
    '/services/:name/maintenance',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Maintenance windows of a service that have not ended',
        params: nameParams,
        response: { 200: jsonSchema(z.array(MaintenanceSchema)) },
      },
    },
    async (req) => ctx.store.listMaintenance({ service: req.params.name, from: ctx.now() }),
  );
}
