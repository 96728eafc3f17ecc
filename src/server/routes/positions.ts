/**
 * Play positions: where a player stopped in a file, so it can offer to resume there (docs/api.md). The
 * position is held to the file's duration when a probe already found it, and stored with that duration, so
 * lists can show "12:34 of 1:45:00". A torrent's positions are saved in the state file with it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { statusError } from '../../catalog/status-error.js';
import { getPositionRoute, putPositionRoute } from '../position-schemas.js';
import type { FileParams, PositionBody } from '../schemas.js';
import { positionJson } from '../torrent-json.js';

/** Players' clocks overshoot the probed duration by a frame or so at the end: that much past it is the end. */
const PAST_END_SLACK_SECONDS = 1;

export const positionRoutes: FastifyPluginAsync = async (app) => {
  const { catalog } = app;
  const path = '/api/torrents/:infoHash/files/:index/position';

  app.get<{ Params: FileParams }>(path, { schema: getPositionRoute }, async (request, reply) => {
    const signal = app.torrentRequests.signal(request.params.infoHash, reply);
    const { entry, file } = await catalog.file(request.params.infoHash, request.params.index, signal);
    return positionJson(catalog.positions(entry.infoHash)?.get(file.index));
  });

  app.put<{ Params: FileParams; Body: PositionBody }>(
    path,
    {
      schema: putPositionRoute,
      // Before validation, which would coerce null, true or "12" into numbers.
      preValidation: async (request) => {
        const seconds = (request.body as { seconds?: unknown } | null)?.seconds;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds))
          throw statusError(400, 'body/seconds must be a finite number of seconds');
      },
    },
    async (request, reply) => {
      const signal = app.torrentRequests.signal(request.params.infoHash, reply);
      const { entry, file } = await catalog.file(request.params.infoHash, request.params.index, signal);
      const positions = catalog.positions(entry.infoHash);
      if (!positions) throw statusError(404, `Unknown torrent ${entry.infoHash}`);
      const duration = app.probes.known(entry.infoHash, file.index)?.duration ?? undefined;
      let { seconds } = request.body;
      if (duration !== undefined) {
        if (seconds > duration + PAST_END_SLACK_SECONDS)
          throw statusError(400, `body/seconds (${seconds}) is past the end of the file (${duration} s)`);
        seconds = Math.min(seconds, duration);
      }
      const position = { seconds, ...(duration ? { duration } : {}), updatedAt: Date.now() };
      positions.set(file.index, position);
      return positionJson(position);
    },
  );
};
