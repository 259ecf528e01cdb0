import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorResponses, jsonSchema, NameParams, type ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { HealthSchema, ServiceSummarySchema } from '../schemas.ts';
import { serviceSummary, sloSummary } from '../summaries.ts';

async function summaries(ctx: ServerContext) {
  const now = ctx.now();
  return ctx.runtime.definitions.map((d) => sloSummary(d, ctx.runtime.status(d.name), now));
}

/** Health and service routes. */
export function serviceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['server'],
        summary: 'Liveness and basic facts',
        response: { 200: jsonSchema(HealthSchema) },
      },
    },
    async () => ({
      status: 'ok' as const,
      version: ctx.version,
      driver: ctx.store.driver,
      slos: ctx.runtime.definitions.length,
    }),
  );

  app.get(
    '/services',
    {
      schema: {
        tags: ['services'],
        summary: 'Every service with its SLOs',
        response: { 200: jsonSchema(z.array(ServiceSummarySchema)) },
      },
    },
    async () => {
      const [services, slos] = await Promise.all([ctx.store.listServices(), summaries(ctx)]);
      return services.map((s) => serviceSummary(s, slos));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/services/:name',
    {
      schema: {
        tags: ['services'],
        summary: 'One service with its SLOs',
        params: jsonSchema(NameParams),
        response: { 200: jsonSchema(ServiceSummarySchema), ...errorResponses(404) },
      },
    },
    async (req) => {
      const service = await ctx.store.getService(req.params.name);
      if (!service) throw new HttpError(404, 'not_found', `no service named "${req.params.name}"`);
      return serviceSummary(service, await summaries(ctx));
    },
  );
}
