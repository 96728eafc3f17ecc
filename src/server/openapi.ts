/**
 * The API as OpenAPI 3.1, built by @fastify/swagger from the route schemas (src/server/route-schemas.ts) —
 * the ones that validate requests — so the document cannot drift from the code. Registered before the
 * routes, it notes them as they are added; the first GET /api/openapi.json (routes/server.ts) loads the
 * plugin and declares them again, without handlers, on a Fastify of its own that the plugin watches.
 * docs/api.md is the prose.
 */
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { version } from '../version.js';
import { sessionCookie } from './security.js';

const description = `Streams video out of BitTorrent into browsers, through FFmpeg when the browser needs it.

When the server was started with a token, every route but /api/health needs it, given one of three ways
(Bearer header, \`token\` query parameter, or the session cookie the web UI's pages set); without a token none
is asked. A shared link carries a capability instead (\`cap\` query parameter), which opens one file's stream,
HLS, subtitle and cover routes, or one torrent's playlist, and nothing else. A server bound to loopback also
refuses Host headers that name another machine, and every server refuses requests from other sites' pages
(Sec-Fetch-Site: cross-site) but top-level navigations to the web UI's pages (403).`;

const swaggerOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'streamtide', version, description },
    tags: [
      { name: 'server', description: 'Health and this document' },
      { name: 'torrents', description: 'Add, list, inspect and remove torrents' },
      { name: 'streaming', description: 'Video and subtitles for players' },
      { name: 'web', description: 'The browser UI' },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer TOKEN' },
        token: { type: 'apiKey', in: 'query', name: 'token', description: '?token=TOKEN' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: sessionCookie,
          description: 'Set by the server on the pages it serves once they were opened with a token',
        },
        cap: {
          type: 'apiKey',
          in: 'query',
          name: 'cap',
          description:
            'A capability from the share or playlist answers: opens one file (stream, HLS, subtitles, cover) or one torrent’s M3U',
        },
      },
    },
    // Any one of them will do.
    security: [{ bearer: [] }, { token: [] }, { cookie: [] }, { cap: [] }],
  },
  // Fastify answers HEAD on every GET route (players probe /stream with it): the document says so too.
  exposeHeadRoutes: true,
};

/** Notes the routes `app` gets from now on; the function returned makes (once) their document. */
export function registerOpenApi(app: FastifyInstance): () => Promise<unknown> {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  let document: Promise<unknown> | undefined;
  return () => {
    document ??= describe(routes).catch((err: unknown) => {
      document = undefined;
      throw err;
    });
    return document;
  };
}

async function describe(routes: RouteOptions[]): Promise<unknown> {
  const [{ default: Fastify }, { default: swagger }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
  ]);
  // The HEAD routes are among those noted; nothing validates or answers here.
  const shadow = Fastify({ exposeHeadRoutes: false });
  shadow.setValidatorCompiler(() => () => true);
  shadow.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await shadow.register(swagger, swaggerOptions);
  for (const { method, url, schema, config } of routes) {
    shadow.route({ method, url, schema, config, handler: async () => null });
  }
  await shadow.ready();
  try {
    return shadow.swagger();
  } finally {
    await shadow.close();
  }
}
