/** GET /api/health, GET /api/openapi.json and GET /metrics: the server itself, its API document, its figures. */
import type { FastifyPluginAsync } from 'fastify';
import { version } from '../../version.js';
import { healthRoute, metricsRoute, openApiRoute } from '../route-schemas.js';

export const serverRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/health', { schema: healthRoute }, async () => ({
    ok: true,
    version,
    ffmpeg: app.ffmpeg.tools.version,
  }));
  app.get('/api/openapi.json', { schema: openApiRoute }, () => app.openApiDocument());
  app.get('/metrics', { schema: metricsRoute }, async (_request, reply) => {
    const { contentType, text } = await app.metrics.scrape();
    return reply.type(contentType).send(text);
  });
};
