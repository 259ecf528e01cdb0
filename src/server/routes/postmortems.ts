import type { FastifyInstance } from 'fastify';
import { postmortemMarkdown, setPostmortem } from '../../incidents/index.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { gatherEvidence } from '../incident-evidence.ts';
import { IncidentSchema, PostmortemGenerateSchema, PostmortemPutSchema } from '../schemas.ts';
import { actorOf, IdParams, type IdReq, incidentId, notFound } from './incident-common.ts';
import { applyEdit, editDoc } from './incident-edits.ts';

/** Postmortems: the draft from the evidence, a person's edit, the Markdown export. */
export function postmortemRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const idParams = jsonSchema(IdParams);
  app.post<IdReq>(
    '/incidents/:id/postmortem',
    {
      config: { access: 'responder' },
      schema: {
        tags: ['incidents'],
        summary:
          'Write the postmortem draft from the evidence; 409 when a person edited the stored one (send {"force": true} to replace it)',
        params: idParams,
        body: jsonSchema(PostmortemGenerateSchema, 'input'),
        response: { 200: jsonSchema(IncidentSchema), ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const id = incidentId(req.params.id);
      const { force } = parseOr400(PostmortemGenerateSchema, req.body ?? {}, 'postmortem request');
      const incident = await ctx.store.getIncident(id);
      if (!incident) throw notFound(id);
      // Asked before the evidence is gathered (SLO history reads are not free); asked again in the change.
      const early = setPostmortem(incident, '', ctx.now(), actorOf(req), {
        generated: true,
        force: force === true,
      });
      if ('error' in early) throw new HttpError(409, 'conflict', early.error);
      const markdown = postmortemMarkdown(await gatherEvidence(ctx, incident));
      return applyEdit(ctx, id, (i, at) =>
        setPostmortem(i, markdown, at, actorOf(req), { generated: true, force: force === true }),
      );
    },
  );
  app.put<IdReq>(
    '/incidents/:id/postmortem',
    editDoc('Store an edited postmortem (Markdown); a later draft then needs force', PostmortemPutSchema),
    async (req) => {
      const { markdown } = parseOr400(PostmortemPutSchema, req.body, 'postmortem');
      return applyEdit(ctx, incidentId(req.params.id), (i, at) =>
        setPostmortem(i, markdown, at, actorOf(req), { generated: false }),
      );
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
}
