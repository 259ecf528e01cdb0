import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` writes the UI. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ballast</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Ballast</h1>
<p>The API is running at <a href="/api/v1/openapi.json"><code>/api/v1</code></a>, but the web UI has not been built.</p>
<p>Run <code>npm run build:web</code> and reload this page.</p>
</body></html>`;

/**
 * Serves the built web UI at `/` with a single-page-app fallback: any GET
 * outside `/api/` that matches no file gets index.html, so deep links work.
 * Without a build, a page explains how to make one. Unknown API paths stay JSON 404s.
 */
export async function installWebUi(app: FastifyInstance, distDir = WEB_DIST): Promise<void> {
  const built = existsSync(`${distDir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: true, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/');
    if (isPage && request.url !== '/metrics') {
      if (built) return reply.type('text/html').sendFile('index.html');
      return reply.type('text/html').send(MISSING_PAGE);
    }
    return reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });
}
