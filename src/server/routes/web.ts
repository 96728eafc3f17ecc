/**
 * The browser UI: the built single-page app from dist/web (its own routes: `/` and `/play/:infoHash/:index`),
 * its scripts and styles under /assets/. Those go out through @fastify/send (ETag, Last-Modified, conditional
 * GETs, ranges, nothing outside the folder), loaded with the first asset asked for: a server nobody opens in a
 * browser never loads it (with @fastify/static, which wraps it, it was ~1 MiB of an idle server's RSS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
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
    app.get('/assets/*', { schema: { hide: true } }, (request, reply) => sendAsset(request, reply, assets));
  }
};

type Send = typeof import('@fastify/send');
let send: Promise<Send> | undefined;

async function sendAsset(request: FastifyRequest, reply: FastifyReply, root: string): Promise<FastifyReply> {
  send ??= import('@fastify/send').then((module) => module.default);
  const path = (request.params as { '*': string })['*'];
  // send URI-decodes the path it is given; Fastify has decoded it once already.
  const { statusCode, headers, stream, type, metadata } = await (await send)(
    request.raw,
    encodeURI(`/${path}`),
    {
      root,
      index: false,
    },
  );
  if (type === 'file') return reply.code(statusCode).headers(headers).send(stream);
  // A folder, a missing file, a dotfile (send ignores them): nothing here.
  const error = type === 'error' ? (metadata.error as Error & { status?: number; code?: string }) : undefined;
  if (!error || error.status === 404 || error.code === 'ENOENT') {
    reply.callNotFound();
    return reply;
  }
  return reply.send(error);
}
