import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACTIVE_STATES, allowedMoves, type IncidentState } from '../../incidents/index.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  DeclareIncidentSchema,
  IncidentDetailSchema,
  IncidentSchema,
  IncidentStateSchema,
  IncidentsQuerySchema,
  NoteSchema,
  TimelineEntrySchema,
  TransitionSchema,
} from '../schemas.ts';
import { actorOf, changeError, IdParams, type IdReq, incidentId, notFound } from './incident-common.ts';
import { editRoutes } from './incident-edits.ts';
import { metricsRoutes } from './incident-metrics.ts';
import { intakeRoutes } from './intake.ts';
import { maintenanceRoutes } from './maintenance.ts';
import { postmortemRoutes } from './postmortems.ts';

/** Alert intake, and incidents: listing, declaring, moving, notes, edits, postmortems, metrics, maintenance. */
export function incidentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  intakeRoutes(app, ctx);
  editRoutes(app, ctx);
  postmortemRoutes(app, ctx);
  metricsRoutes(app, ctx);
  maintenanceRoutes(app, ctx);

  app.get<{ Querystring: Record<string, string> }>(
    '/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary:
          'Incidents, newest first (state: comma-separated list, or "open" for every unresolved state)',
        querystring: jsonSchema(IncidentsQuerySchema, 'input'),
        response: { 200: jsonSchema(z.array(IncidentSchema)), ...errorResponses(400) },
      },
    },
    async (req) => {
      const { access_token: _t, ...query } = req.query;
      const q = parseOr400(IncidentsQuerySchema, query, 'query');
      const states = q.state === undefined ? undefined : parseStates(q.state);
      return ctx.store.listIncidents({
        ...(states ? { states } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.service ? { service: q.service } : {}),
        limit: q.limit ?? 100,
      });
    },
  );

  app.get<IdReq>(
    '/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'One incident with its alerts and timeline',
        params: jsonSchema(IdParams),
        response: { 200: jsonSchema(IncidentDetailSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      const incident = await ctx.store.getIncident(id);
      if (!incident) throw notFound(id);
      const [alerts, timeline] = await Promise.all([
        ctx.store.listAlerts({ incidentId: id, limit: 1000 }),
        ctx.store.listTimeline(id),
      ]);
      return { incident, alerts, timeline, allowedMoves: allowedMoves(incident.state) };
    },
  );

  app.post(
    '/incidents',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary: 'Declare an incident by hand (it starts as investigating, with you as commander)',
        body: jsonSchema(DeclareIncidentSchema, 'input'),
        response: { 201: jsonSchema(IncidentSchema), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const d = parseOr400(DeclareIncidentSchema, req.body, 'incident');
      const incident = await ctx.incidents.declare({
        title: d.title,
        severity: d.severity,
        actor: actorOf(req),
        ...(d.service !== undefined ? { service: d.service } : {}),
        ...(d.summary !== undefined ? { summary: d.summary } : {}),
      });
      reply.code(201);
      return incident;
    },
  );

  app.post<IdReq>(
    '/incidents/:id/transition',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary:
          'Move an incident (acknowledge, investigate, resolve, close, merge with mergedInto, ...); 409 lists the allowed moves',
        params: jsonSchema(IdParams),
        body: jsonSchema(TransitionSchema, 'input'),
        response: { 200: jsonSchema(IncidentSchema), ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      const t = parseOr400(TransitionSchema, req.body, 'transition');
      const r = await ctx.incidents.transition(
        id,
        t.to,
        actorOf(req),
        t.mergedInto !== undefined ? { mergedInto: t.mergedInto } : {},
      );
      if (!r) throw notFound(id);
      if ('error' in r) throw changeError(r.error);
      return r.incident;
    },
  );

  app.post<IdReq>(
    '/incidents/:id/notes',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary: 'Add a note to the timeline',
        params: jsonSchema(IdParams),
        body: jsonSchema(NoteSchema, 'input'),
        response: { 201: jsonSchema(TimelineEntrySchema), ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      const id = incidentId(req.params.id);
      const { text } = parseOr400(NoteSchema, req.body, 'note');
      const entry = await ctx.incidents.note(id, text, actorOf(req));
      if (!entry) throw notFound(id);
      reply.code(201);
      return entry;
    },
  );
}

const ALL_STATES: readonly IncidentState[] = IncidentStateSchema.options;

function parseStates(text: string): IncidentState[] {
  const out: IncidentState[] = [];
  for (const s of text.split(',').map((x) => x.trim())) {
    if (s === 'open') out.push(...ACTIVE_STATES);
    else if ((ALL_STATES as string[]).includes(s)) out.push(s as IncidentState);
    else
      throw new HttpError(400, 'bad_request', `unknown state "${s}"`, [
        { path: 'state', message: `one of open, ${ALL_STATES.join(', ')}` },
      ]);
  }
  return out;
}
