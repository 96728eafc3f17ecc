/** GET /api/health and GET /api/openapi.json: the server itself, its FFmpeg and its API document. */
import type { FastifyPluginAsync } from 'fastify';
import { version } from '../../version.js';
import { healthRoute, openApiRoute } from '../route-schemas.js';

export const serverRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/health', { schema: healthRoute }, async () => ({
    ok: true,
    version,
    ffmpeg: app.ffmpeg.tools.version,
  }));
  app.get('/api/openapi.json', { schema: openApiRoute }, async () => app.swagger());
};
