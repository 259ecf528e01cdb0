import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  addPublicUpdate,
  addTask,
  correctMilestone,
  type Edit,
  type Incident,
  patchFields,
  updateTask,
} from '../../incidents/index.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  IncidentPatchSchema,
  IncidentSchema,
  MilestoneCorrectionSchema,
  PublicUpdateSchema,
  TaskCreateSchema,
  TaskPatchSchema,
} from '../schemas.ts';
import { actorOf, IdParams, type IdReq, incidentId, notFound } from './incident-common.ts';

/**
 * Applies an edit as one serial change; a refusal is a 400 (bad request), or
 * `refusal` (404 for an unknown task, 409 for a state problem) when the edit
 * says it is about the incident as it stands.
 */
export async function applyEdit(
  ctx: ServerContext,
  id: number,
  edit: (incident: Incident, at: number) => Edit,
  refusal: 400 | 404 | 409 = 400,
): Promise<Incident> {
  const r = await ctx.incidents.change(id, (incident, at) => {
    const e = edit(incident, at);
    return 'error' in e ? { error: e } : e;
  });
  if (!r) throw notFound(id);
  if ('error' in r) {
    const status = r.error.status ?? refusal;
    throw new HttpError(
      status,
      status === 409 ? 'conflict' : status === 404 ? 'not_found' : 'bad_request',
      r.error.error,
    );
  }
  return r.incident;
}

/** The OpenAPI options of a responder's edit of one incident. */
export function editDoc(summary: string, body: z.ZodType, codes: number[] = [400, 404]) {
  return {
    config: { access: 'responder' as const },
    schema: {
      tags: ['incidents'],
      summary,
      params: jsonSchema(IdParams),
      body: jsonSchema(body, 'input'),
      response: { 200: jsonSchema(IncidentSchema), ...errorResponses(...codes) },
    },
  };
}

/** The edits of an incident (fields, tasks, milestones, public updates) and escalating it now. */
export function editRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.patch<IdReq>(
    '/incidents/:id',
    editDoc(
      'Change title, severity, affected services, roles or business impact (null clears)',
      IncidentPatchSchema,
    ),
    async (req) => {
      const patch = parseOr400(IncidentPatchSchema, req.body, 'incident');
      return applyEdit(ctx, incidentId(req.params.id), (i, at) => patchFields(i, patch, at, actorOf(req)));
    },
  );
  app.post<IdReq>(
    '/incidents/:id/tasks',
    editDoc('Add a task or a follow-up action item (type mitigate, prevent or process)', TaskCreateSchema),
    async (req) => {
      const t = parseOr400(TaskCreateSchema, req.body, 'task');
      return applyEdit(ctx, incidentId(req.params.id), (i, at) => addTask(i, t, at, actorOf(req)));
    },
  );
  const taskDoc = editDoc('Update a task (status, owner, due date)', TaskPatchSchema);
  app.patch<{ Params: { id: string; task: string } }>(
    '/incidents/:id/tasks/:task',
    {
      ...taskDoc,
      schema: { ...taskDoc.schema, params: jsonSchema(z.object({ id: z.string(), task: z.string() })) },
    },
    async (req) => {
      const patch = parseOr400(TaskPatchSchema, req.body, 'task');
      return applyEdit(
        ctx,
        incidentId(req.params.id),
        (i, at) => updateTask(i, req.params.task, patch, at, actorOf(req)),
        404,
      );
    },
  );
  app.post<IdReq>(
    '/incidents/:id/milestones',
    editDoc(
      'Correct a milestone time (impact started, detected, acknowledged, mitigated, resolved, closed); 409 when it breaks their order',
      MilestoneCorrectionSchema,
      [400, 404, 409],
    ),
    async (req) => {
      const m = parseOr400(MilestoneCorrectionSchema, req.body, 'milestone');
      return applyEdit(
        ctx,
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
    editDoc(
      'Post a public update, shown on the status page under its title while the incident is open (the first needs a title)',
      PublicUpdateSchema,
    ),
    async (req) => {
      const u = parseOr400(PublicUpdateSchema, req.body, 'update');
      return applyEdit(ctx, incidentId(req.params.id), (i, at) =>
        addPublicUpdate(
          i,
          { body: u.body, ...(u.title !== undefined ? { title: u.title } : {}) },
          at,
          actorOf(req),
        ),
      );
    },
  );
  app.post<IdReq>(
    '/incidents/:id/escalate',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary: "Page the next step of the incident's escalation policy now",
        params: jsonSchema(IdParams),
        response: { 200: jsonSchema(z.object({ step: z.number() })), ...errorResponses(404, 409) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      if (!(await ctx.store.getIncident(id))) throw notFound(id);
      const r = await ctx.paging?.escalate(id, actorOf(req));
      if (!r) throw new HttpError(409, 'conflict', 'paging is not running on this server');
      if ('error' in r) throw new HttpError(409, 'conflict', r.error);
      return r;
    },
  );
}
