import { z } from 'zod';
import type { CheckMonitor } from '../checks/index.ts';
import type { IncidentService, RateLimiter } from '../incidents/index.ts';
import type { SloDefinition } from '../slo/model.ts';
import type { Store } from '../store/types.ts';
import type { EventBus } from './bus.ts';
import { HttpError } from './errors.ts';
import type { PagingEngine } from './paging.ts';
import type { SloRuntime } from './runtime.ts';
import { ErrorSchema } from './schemas.ts';

/** What every route module receives. */
export interface ServerContext {
  store: Store;
  runtime: SloRuntime;
  bus: EventBus;
  now: () => number;
  version: string;
  /** The live synthetic checks. */
  checks: CheckMonitor;
  /** Alert intake and incidents. */
  incidents: IncidentService;
  /** Events v2 rate per integration key. */
  intakeLimiter: RateLimiter;
  /** Signs and checks the one-click acknowledge links in pages. */
  ackSecret: string;
  /** Paging; set once the server listens (its links need the address). */
  paging?: PagingEngine;
}

/** A zod schema as an OpenAPI 3.0 JSON schema for fastify route docs. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

const errorJson = jsonSchema(ErrorSchema);

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...codes: number[]): Record<number, unknown> {
  return Object.fromEntries(codes.map((c) => [c, { ...errorJson, description: 'Error' }]));
}

/** The SLO named in the path, or a 404 naming it. */
export function requireSlo(ctx: ServerContext, name: string): SloDefinition {
  const def = ctx.runtime.definition(name);
  if (!def)
    throw new HttpError(404, 'not_found', `no SLO named "${name}"`, [
      { path: 'name', message: 'unknown SLO' },
    ]);
  return def;
}

export const NameParams = z.object({ name: z.string() });
