/** The browser UI: the built single-page app from dist/web (its own routes: `/` and `/play/:infoHash/:index`). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { homeRoute, playerRoute } from '../route-schemas.js';

const missingUi = `<!doctype html><meta charset="utf-8"><title>streamtide</title>
<p>The web UI is not built. Run <code>npm run build</code>; the API is at <a href="/api/torrents">/api/torrents</a>.</p>`;

export const webRoutes: FastifyPluginAsync<{ webRoot: string }> = async (app, { webRoot }) => {
  const indexPath = join(webRoot, 'index.html');
  const assets = join(webRoot, 'assets');
  const page = (reply: FastifyReply) => {
    // Read per request: the file is small and a rebuild shows up without a restart.
    const html = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : missingUi;
    return reply
      .type('text/html; charset=utf-8')
      .header(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'",
      )
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .send(html);
  };
  app.get('/', { schema: homeRoute }, async (_request, reply) => page(reply));
  app.get('/play/:infoHash/:index', { schema: playerRoute }, async (_request, reply) => page(reply));
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
    });
  }
};
