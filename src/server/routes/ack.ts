import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { verifyAckLink } from '../../oncall/index.ts';
import { jsonSchema, type ServerContext } from '../context.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#212529}button{font:inherit;padding:10px 18px;border-radius:6px;border:0;background:#1c7ed6;color:#fff;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/**
 * The one-click links in pages. A GET only shows what the link does, with a
 * button: mail scanners and chat previews open links by themselves, and must
 * not acknowledge a page nobody read. The POST acts.
 */
export function ackRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const params = jsonSchema(z.object({ token: z.string() }));
  /** The link's claims, or (with the reply's status set) the page saying why it does not work. */
  const claimsOf = (token: string, reply: FastifyReply) => {
    const v = verifyAckLink(ctx.ackSecret, token, ctx.now());
    reply.type('text/html; charset=utf-8');
    if (v.ok) return v.claims;
    reply.code(v.reason === 'expired' ? 410 : 404);
    return page(
      'This link does not work',
      `<p>${v.reason === 'expired' ? 'The link has expired' : 'The link is not valid'}. Open the incident in Ballast instead.</p>`,
    );
  };

  app.get<{ Params: { token: string } }>(
    '/ack/:token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['incidents'],
        summary: 'The page of a signed acknowledge/resolve link (a button that POSTs)',
        params,
      },
    },
    async (req, reply) => {
      const claims = claimsOf(req.params.token, reply);
      if (typeof claims === 'string') return claims;
      const { incidentId, action, user } = claims;
      return page(
        `${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} incident #${incidentId}`,
        `<p>As <b>${escapeHtml(user)}</b>.</p><form method="post"><button type="submit">${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}</button></form>`,
      );
    },
  );

  app.post<{ Params: { token: string } }>(
    '/ack/:token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['incidents'],
        summary: 'Acknowledge or resolve through a signed link (the token is the credential)',
        params,
      },
    },
    async (req, reply) => {
      const claims = claimsOf(req.params.token, reply);
      if (typeof claims === 'string') return claims;
      const { incidentId, action, user } = claims;
      // A channel page has no person behind it: acknowledging through it answers every page.
      const r =
        action === 'acknowledge'
          ? await ctx.incidents.acknowledge(incidentId, user, user === 'channel' ? {} : { user })
          : await ctx.incidents.transition(incidentId, 'resolved', user);
      if (!r) {
        reply.code(404);
        return page('No such incident', `<p>Incident #${incidentId} does not exist.</p>`);
      }
      if ('error' in r) {
        reply.code(409);
        return page(`Incident #${incidentId}`, `<p>Nothing to do: ${escapeHtml(r.error.message)}.</p>`);
      }
      const state = r.incident.state;
      const already = 'changed' in r && !r.changed;
      return page(
        `Incident #${incidentId} ${state}`,
        already
          ? `<p>${escapeHtml(r.incident.title)} was already acknowledged; your pages are answered, ${escapeHtml(user)}.</p>`
          : `<p>${escapeHtml(r.incident.title)} is now <b>${state}</b>, by ${escapeHtml(user)}.</p>`,
      );
    },
  );
}
