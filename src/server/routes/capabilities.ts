/**
 * Shared links and their revocation: POST …/share hands out a file's links (capability URLs when a token is
 * set), GET /api/capabilities lists what was handed out, POST /api/capabilities/rotate revokes it all.
 */
import type { FastifyPluginAsync } from 'fastify';
import { statusError } from '../../catalog/status-error.js';
import { listCapabilitiesRoute, rotateCapabilitiesRoute, shareRoute } from '../capability-schemas.js';
import { requestOrigin } from '../host-header.js';
import type { FileParams } from '../schemas.js';
import { setSessionCookie } from '../security.js';
import { sharedPlaylistUrl, sharedStreamUrl } from '../share-urls.js';

export const capabilityRoutes: FastifyPluginAsync = async (app) => {
  const { catalog } = app;

  app.post<{ Params: FileParams }>(
    '/api/torrents/:infoHash/files/:index/share',
    { schema: shareRoute },
    async (request) => {
      const { infoHash, index } = request.params;
      const entry = catalog.get(infoHash);
      if (!entry?.files.some((file) => file.index === index)) {
        throw statusError(404, `No file ${index} in torrent ${infoHash}`);
      }
      const origin = requestOrigin(request);
      return {
        streamUrl: sharedStreamUrl(origin, app.capabilities, infoHash, index),
        playlistUrl: sharedPlaylistUrl(origin, app.capabilities, infoHash),
      };
    },
  );

  app.get('/api/capabilities', { schema: listCapabilitiesRoute }, async () =>
    app.capabilities
      ? { enabled: true, ...app.capabilities.list() }
      : { enabled: false, since: null, issued: [] },
  );

  app.post('/api/capabilities/rotate', { schema: rotateCapabilitiesRoute }, async (_request, reply) => {
    const capabilities = app.capabilities;
    if (!capabilities) throw statusError(400, 'No token is set: there is nothing to revoke');
    const list = await capabilities.rotate();
    // The browser that asked stays in; every other session is out.
    setSessionCookie(reply, capabilities);
    return { enabled: true, ...list };
  });
};
