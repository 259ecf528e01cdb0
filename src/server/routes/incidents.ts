import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  addPublicUpdate,
  addTask,
  type Edit,
  patchFields,
  setPostmortem,
  updateTask,
} from '../../incidents/edits.ts';
import { alertmanagerWebhookSchema, fromAlertmanager } from '../../incidents/intake/alertmanager.ts';
import { fromEventsV2, validateEventsV2 } from '../../incidents/intake/events-v2.ts';
import { ACTIVE_STATES, allowedMoves, correctMilestone } from '../../incidents/lifecycle.ts';
import { incidentMetrics } from '../../incidents/metrics.ts';
import { postmortemMarkdown } from '../../incidents/postmortem.ts';
import type { IncidentState } from '../../incidents/types.ts';
import { shifts } from '../../oncall/index.ts';
import type { IntegrationRecord } from '../../store/types.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { gatherEvidence } from '../incident-evidence.ts';
import { readDirectory } from '../oncall-directory.ts';
import {
  DeclareIncidentSchema,
  EventsV2ResponseSchema,
  IncidentDetailSchema,
  IncidentMetricsQuerySchema,
  IncidentPatchSchema,
  IncidentSchema,
  IncidentStateSchema,
  IncidentsQuerySchema,
  IntegrationCreateSchema,
  IntegrationSchema,
  MaintenanceCreateSchema,
  MaintenanceSchema,
  MilestoneCorrectionSchema,
  NoteSchema,
  PostmortemPutSchema,
  PublicUpdateSchema,
  TaskCreateSchema,
  TaskPatchSchema,
  TimelineEntrySchema,
  TransitionSchema,
} from '../schemas.ts';

const IdParams = z.object({ id: z.string() });
type IdReq = { Params: { id: string } };

/** An unknown key and a key of the other kind get the same answer: no hint whether a key exists. */
const UNKNOWN_KEY = 'unknown integration key';

function pathOf(i: IntegrationRecord): string {
  return i.kind === 'alertmanager'
    ? `/api/v1/integrations/alertmanager/${i.key}`
    : '/api/v1/integrations/events/v2/enqueue';
}

function incidentId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', `no incident ${text}`);
  return id;
}

function actorOf(req: { token?: { name: string } }): string {
  return req.token?.name ?? 'anonymous';
}

/** Alert intake (Alertmanager webhook, PagerDuty Events v2), integrations, and incidents. */
export function incidentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  editRoutes(app, ctx);
  maintenanceRoutes(app, ctx);
  app.post<{ Params: { key: string } }>(
    '/integrations/alertmanager/:key',
    {
      config: { access: 'public' },
      schema: {
        tags: ['intake'],
        summary: 'Alertmanager webhook receiver (payload version 4); the key in the path is the credential',
        params: jsonSchema(z.object({ key: z.string() })),
        response: {
          200: jsonSchema(z.object({ status: z.literal('success'), alerts: z.number() })),
          ...errorResponses(400, 404, 413),
        },
      },
    },
    async (req) => {
      const integration = await ctx.store.findIntegration(req.params.key);
      if (integration?.kind !== 'alertmanager') throw new HttpError(404, 'not_found', UNKNOWN_KEY);
      const body = parseOr400(alertmanagerWebhookSchema, req.body, 'Alertmanager webhook');
      const events = fromAlertmanager(body, {
        integration: integration.key,
        receivedAt: ctx.now(),
        ...(integration.service !== undefined ? { service: integration.service } : {}),
      });
      for (const { alert, eventKey } of events)
        await ctx.incidents.intake(alert, eventKey, fallbackOf(integration));
      return { status: 'success' as const, alerts: events.length };
    },
  );

  app.post(
    '/integrations/events/v2/enqueue',
    {
      config: { access: 'public' },
      schema: {
        tags: ['intake'],
        summary:
          'PagerDuty Events API v2 compatible: trigger, acknowledge, resolve (routing_key is the integration key)',
        response: {
          202: jsonSchema(EventsV2ResponseSchema),
          400: jsonSchema(EventsV2ResponseSchema),
          404: jsonSchema(EventsV2ResponseSchema),
          429: jsonSchema(EventsV2ResponseSchema),
        },
      },
    },
    async (req, reply: FastifyReply) => {
      const v = validateEventsV2(req.body);
      if ('errors' in v) {
        reply.code(400);
        return { status: 'invalid event', message: 'Event object is invalid', errors: v.errors };
      }
      const integration = await ctx.store.findIntegration(v.event.routing_key);
      if (integration?.kind !== 'events-v2') {
        reply.code(404);
        return { status: 'invalid event', message: UNKNOWN_KEY, errors: [UNKNOWN_KEY] };
      }
      if (!ctx.intakeLimiter.take(integration.key, ctx.now())) {
        reply.code(429);
        return {
          status: 'throttle event',
          message: 'Requests for this integration key are arriving too quickly; retry later',
        };
      }
      const { alert, eventKey, dedupKey } = fromEventsV2(v.event, {
        receivedAt: ctx.now(),
        ...(integration.service !== undefined ? { service: integration.service } : {}),
      });
      await ctx.incidents.intake(alert, eventKey, fallbackOf(integration));
      reply.code(202);
      return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
    },
  );

  app.post(
    '/integrations',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['intake'],
        summary: 'Create an integration key (Alertmanager webhook or Events v2 routing key)',
        body: jsonSchema(IntegrationCreateSchema, 'input'),
        response: { 201: jsonSchema(IntegrationSchema), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const input = parseOr400(IntegrationCreateSchema, req.body, 'integration');
      const created = await ctx.store.createIntegration({
        name: input.name,
        kind: input.kind,
        ...(input.service !== undefined ? { service: input.service } : {}),
        ...(input.escalationPolicy !== undefined ? { escalationPolicy: input.escalationPolicy } : {}),
      });
      reply.code(201);
      return { ...created, path: pathOf(created) };
    },
  );

  app.get(
    '/integrations',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['intake'],
        summary: 'Every integration key',
        response: { 200: jsonSchema(z.array(IntegrationSchema)) },
      },
    },
    async () => (await ctx.store.listIntegrations()).map((i) => ({ ...i, path: pathOf(i) })),
  );

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
      if (!incident) throw new HttpError(404, 'not_found', `no incident ${id}`);
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
          'Move an incident (acknowledge, investigate, resolve, close, ...); 409 lists the allowed moves',
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
      if (!r) throw new HttpError(404, 'not_found', `no incident ${id}`);
      if ('error' in r)
        throw new HttpError(409, 'conflict', r.error.message, [
          { path: 'to', message: `allowed: ${r.error.allowed.join(', ') || 'none'}` },
        ]);
      // Whoever acknowledges (or resolves) through the API answers the pages sent so far.
      if (t.to !== 'merged' && t.to !== 'declined') await ctx.store.acknowledgePages(id, ctx.now());
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
      if (!entry) throw new HttpError(404, 'not_found', `no incident ${id}`);
      reply.code(201);
      return entry;
    },
  );
}

/** The edits of an incident: each is one serial change with its timeline entries. */
function editRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const idParams = jsonSchema(IdParams);
  const apply = async (
    id: number,
    edit: (incident: Parameters<typeof patchFields>[0], at: number) => Edit,
    conflict = 400,
  ) => {
    const r = await ctx.incidents.change(id, (incident, at) => {
      const e = edit(incident, at);
      return 'error' in e ? { error: e.error } : e;
    });
    if (!r) throw new HttpError(404, 'not_found', `no incident ${id}`);
    if ('error' in r) throw new HttpError(conflict, conflict === 409 ? 'conflict' : 'bad_request', r.error);
    return r.incident;
  };
  const doc = (summary: string, body: z.ZodType, codes: number[] = [400, 404]) => ({
    config: { access: 'responder' as const },
    schema: {
      tags: ['incidents'],
      summary,
      params: idParams,
      body: jsonSchema(body, 'input'),
      response: { 200: jsonSchema(IncidentSchema), ...errorResponses(...codes) },
    },
  });

  app.patch<IdReq>(
    '/incidents/:id',
    doc(
      'Change title, severity, affected services, roles or business impact (null clears)',
      IncidentPatchSchema,
    ),
    async (req) => {
      const patch = parseOr400(IncidentPatchSchema, req.body, 'incident');
      return apply(incidentId(req.params.id), (i, at) => patchFields(i, patch, at, actorOf(req)));
    },
  );
  app.post<IdReq>(
    '/incidents/:id/tasks',
    doc('Add a task or a follow-up action item (type mitigate, prevent or process)', TaskCreateSchema),
    async (req) => {
      const t = parseOr400(TaskCreateSchema, req.body, 'task');
      return apply(incidentId(req.params.id), (i, at) => addTask(i, t, at, actorOf(req)));
    },
  );
  app.patch<{ Params: { id: string; task: string } }>(
    '/incidents/:id/tasks/:task',
    {
      ...doc('Update a task (status, owner, due date)', TaskPatchSchema),
      schema: {
        ...doc('Update a task (status, owner, due date)', TaskPatchSchema).schema,
        params: jsonSchema(z.object({ id: z.string(), task: z.string() })),
      },
    },
    async (req) => {
      const patch = parseOr400(TaskPatchSchema, req.body, 'task');
      return apply(
        incidentId(req.params.id),
        (i, at) => updateTask(i, req.params.task, patch, at, actorOf(req)),
        404,
      );
    },
  );
  app.post<IdReq>(
    '/incidents/:id/milestones',
    doc(
      'Correct a milestone time (impact started, detected, acknowledged, mitigated, resolved, closed); 409 when it breaks their order',
      MilestoneCorrectionSchema,
      [400, 404, 409],
    ),
    async (req) => {
      const m = parseOr400(MilestoneCorrectionSchema, req.body, 'milestone');
      return apply(
        incidentId(req.params.id),
        (i, at) => {
          const r = correctMilestone(i, m.milestone, m.at, actorOf(req), at);
          return 'error' in r ? { error: r.error.message } : { incident: r.incident, entries: [r.entry] };
        },
        409,
      );
    },
  );
  app.post<IdReq>(
    '/incidents/:id/updates',
    doc('Post a public update (shown on the status page while the incident is open)', PublicUpdateSchema),
    async (req) => {
      const { body } = parseOr400(PublicUpdateSchema, req.body, 'update');
      return apply(incidentId(req.params.id), (i, at) => addPublicUpdate(i, body, at, actorOf(req)));
    },
  );
  app.post<IdReq>(
    '/incidents/:id/escalate',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary: "Page the next step of the incident's escalation policy now",
        params: idParams,
        response: { 200: jsonSchema(z.object({ step: z.number() })), ...errorResponses(404, 409) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      if (!(await ctx.store.getIncident(id))) throw new HttpError(404, 'not_found', `no incident ${id}`);
      const r = await ctx.paging?.escalate(id, actorOf(req));
      if (!r) throw new HttpError(409, 'conflict', 'paging is not running on this server');
      if ('error' in r) throw new HttpError(409, 'conflict', r.error);
      return r;
    },
  );
  app.post<IdReq>(
    '/incidents/:id/postmortem',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary: 'Write the postmortem draft from the evidence (replaces an earlier draft)',
        params: idParams,
        response: { 200: jsonSchema(IncidentSchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      const incident = await ctx.store.getIncident(id);
      if (!incident) throw new HttpError(404, 'not_found', `no incident ${id}`);
      const markdown = postmortemMarkdown(await gatherEvidence(ctx, incident));
      return apply(id, (i, at) => setPostmortem(i, markdown, at, actorOf(req), true));
    },
  );
  app.put<IdReq>(
    '/incidents/:id/postmortem',
    doc('Store an edited postmortem (Markdown)', PostmortemPutSchema),
    async (req) => {
      const { markdown } = parseOr400(PostmortemPutSchema, req.body, 'postmortem');
      return apply(incidentId(req.params.id), (i, at) => setPostmortem(i, markdown, at, actorOf(req), false));
    },
  );
  app.get<IdReq>(
    '/incidents/:id/postmortem.md',
    {
      schema: {
        tags: ['incidents'],
        summary: 'The postmortem as Markdown',
        params: idParams,
        response: errorResponses(404),
      },
    },
    async (req, reply) => {
      const id = incidentId(req.params.id);
      const incident = await ctx.store.getIncident(id);
      if (!incident?.postmortem)
        throw new HttpError(
          404,
          'not_found',
          `incident ${id} has no postmortem yet: POST /incidents/${id}/postmortem writes the draft`,
        );
      reply.type('text/markdown; charset=utf-8');
      return incident.postmortem;
    },
  );
  app.get<{ Querystring: Record<string, string> }>(
    '/incidents/metrics',
    {
      schema: {
        tags: ['incidents'],
        summary:
          'MTTA, MTTD, MTTR (recover and resolve), counts by severity and pages per on-call shift over a period',
        querystring: jsonSchema(IncidentMetricsQuerySchema, 'input'),
        response: errorResponses(400),
      },
    },
    async (req) => {
      const { access_token: _t, ...query } = req.query;
      const q = parseOr400(IncidentMetricsQuerySchema, query, 'query');
      const to = q.to ?? ctx.now();
      const from = q.from ?? to - 30 * 86_400_000;
      if (to <= from || to - from > 366 * 86_400_000)
        throw new HttpError(
          400,
          'bad_request',
          'the period must end after it starts and span at most 366 days',
          [{ path: 'from', message: 'period too long or empty' }],
        );
      const [incidents, pageRows, services] = await Promise.all([
        ctx.store.listIncidents({ limit: 100_000 }),
        ctx.store.listPages({ since: from, until: to, limit: 100_000 }),
        ctx.store.listServices(),
      ]);
      const servicesOfTeam: Record<string, string[]> = {};
      for (const s of services) {
        const team = s.labels.team;
        if (team) servicesOfTeam[team] = [...(servicesOfTeam[team] ?? []), s.name];
      }
      const pages = pageRows
        .filter((p) => p.user !== undefined)
        .map((p) => ({
          incidentId: p.incidentId,
          user: p.user as string,
          at: p.at,
          channel: p.channel,
          ...(p.acknowledgedAt !== undefined ? { acknowledgedAt: p.acknowledgedAt } : {}),
        }));
      const { schedules, users } = await readDirectory(ctx.store);
      const onCallShifts = [...schedules.values()].flatMap((s) => shifts(s, from, to));
      return incidentMetrics(incidents, pages, onCallShifts, {
        userTimeZones: Object.fromEntries(
          [...users.values()].filter((u) => u.timeZone).map((u) => [u.name, u.timeZone as string]),
        ),
        scheduleTimeZones: Object.fromEntries([...schedules.values()].map((s) => [s.name, s.timeZone])),
        from,
        to,
        timeZone: q.timeZone ?? 'UTC',
        servicesOfTeam,
        ...(q.service ? { service: q.service } : {}),
        ...(q.team ? { team: q.team } : {}),
      });
    },
  );
}

/** Maintenance windows: alerts for the service during one are recorded but page nobody. */
function maintenanceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const nameParams = jsonSchema(z.object({ name: z.string() }));
  app.post<{ Params: { name: string } }>(
    '/services/:name/maintenance',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary:
          'Open a maintenance window (start defaults to now): its alerts are recorded and annotated but page nobody',
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

function fallbackOf(i: IntegrationRecord): { service?: string; escalationPolicy?: string } {
  return {
    ...(i.service !== undefined ? { service: i.service } : {}),
    ...(i.escalationPolicy !== undefined ? { escalationPolicy: i.escalationPolicy } : {}),
  };
}

const ALL_STATES: readonly IncidentState[] = IncidentStateSchema.options;
const OPEN_STATES: readonly IncidentState[] = ACTIVE_STATES;

function parseStates(text: string): IncidentState[] {
  const out: IncidentState[] = [];
  for (const s of text.split(',').map((x) => x.trim())) {
    if (s === 'open') out.push(...OPEN_STATES);
    else if ((ALL_STATES as string[]).includes(s)) out.push(s as IncidentState);
    else
      throw new HttpError(400, 'bad_request', `unknown state "${s}"`, [
        { path: 'state', message: `one of open, ${ALL_STATES.join(', ')}` },
      ]);
  }
  return out;
}
