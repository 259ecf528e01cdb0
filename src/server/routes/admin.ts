import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { applySpecSources } from '../apply-specs.ts';
import { errorResponses, jsonSchema, type ServerContext } from '../context.ts';
import { HttpError, parseOr400 } from '../errors.ts';
import {
  ApplyRequestSchema,
  ApplyResponseSchema,
  TokenRecordSchema,
  TokenRequestSchema,
  TokenResponseSchema,
  TokenRevokedSchema,
} from '../schemas.ts';

/** Admin routes: applying specs, and creating, listing and revoking tokens. */
export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/apply',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['specs'],
        summary: 'Validate and store spec documents (idempotent, like kubectl apply)',
        body: jsonSchema(ApplyRequestSchema, 'input'),
        response: { 200: jsonSchema(ApplyResponseSchema), ...errorResponses(400, 401, 403, 413) },
      },
    },
    async (req) => {
      const body = parseOr400(ApplyRequestSchema, req.body, 'apply request');
      const sources = body.documents.map((d, i) => ({
        file: d.file ?? `documents[${i}]`,
        content: d.content,
      }));
      const outcome = await applySpecSources(ctx, sources);
      if (!outcome.ok) {
        const first = outcome.diagnostics[0];
        const message = first ? `${first.path}: ${first.message}` : 'the specs have errors';
        throw new HttpError(400, 'invalid_specs', message, outcome.diagnostics);
      }
      return outcome.result;
    },
  );

  app.post(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token with a role (the secret is returned once)',
        body: jsonSchema(TokenRequestSchema, 'input'),
        response: { 201: jsonSchema(TokenResponseSchema), ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const body = parseOr400(TokenRequestSchema, req.body, 'token request');
      const { record, secret } = await ctx.store.createToken(body.name, body.role);
      reply.status(201);
      return { ...record, token: secret };
    },
  );

  app.get(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary: 'Every API token, oldest first (names and roles; secrets are never shown again)',
        response: { 200: jsonSchema(z.array(TokenRecordSchema)), ...errorResponses(401, 403) },
      },
    },
    async () => ctx.store.listTokens(),
  );

  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['auth'],
        summary:
          'Revoke a token: its next request gets a 401 and its open event streams end; the last admin token cannot be revoked',
        response: { 200: jsonSchema(TokenRevokedSchema), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req) => {
      const outcome = await ctx.store.revokeToken(req.params.id);
      if ('refused' in outcome) {
        if (outcome.refused === 'not_found')
          throw new HttpError(404, 'not_found', `no token with id "${req.params.id}"`);
        throw new HttpError(
          409,
          'last_admin',
          'this is the last admin token: create another admin token first, so the server keeps one',
        );
      }
      ctx.bus.emit('token-revoked', outcome.revoked.id);
      return outcome;
    },
  );
}
