import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  alertmanagerWebhookSchema,
  fromAlertmanager,
  fromEventsV2,
  validateEventsV2,
} from '../../incidents/index.ts';
import type { IntegrationRecord } from '../../store/types.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import { EventsV2ResponseSchema, IntegrationCreateSchema, IntegrationSchema } from '../schemas.ts';

/** An unknown key and a key of the other kind get the same answer: no hint whether a key exists. */
const UNKNOWN_KEY = 'unknown integration key';

function pathOf(i: IntegrationRecord): string {
  return i.kind === 'alertmanager'
    ? `/api/v1/integrations/alertmanager/${i.key}`
    : '/api/v1/integrations/events/v2/enqueue';
}

/**
 * Alert intake (Alertmanager webhook, PagerDuty Events v2) and integration
 * keys. An intake answers 2xx once every event of the request is stored; an
 * event that could not be applied yet stays pending and is applied later.
 */
export function intakeRoutes(app: FastifyInstance, ctx: ServerContext): void {
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
      for (const { alert, eventKey } of events) await ctx.incidents.intake(alert, eventKey);
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
      await ctx.incidents.intake(alert, eventKey);
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
}
