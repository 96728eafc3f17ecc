/** GET /cover/:infoHash/:index — the cover picture of a music file (its attached_pic stream), or 404. */
import type { FastifyPluginAsync } from 'fastify';
import { statusError } from '../../catalog/status-error.js';
import { CoverError, extractCover } from '../../stream/cover-art.js';
import { acquireAll } from '../limiter.js';
import { coverRoute } from '../route-schemas.js';
import type { FileParams } from '../schemas.js';

export const coverRoutes: FastifyPluginAsync = async (app) => {
  const { catalog, probes, ffmpeg, limits } = app;
  app.get<{ Params: FileParams }>(
    '/cover/:infoHash/:index',
    { schema: coverRoute },
    async (request, reply) => {
      const { infoHash, index } = request.params;
      const signal = app.torrentRequests.signal(infoHash, reply);
      const opened = await catalog.file(infoHash, index, signal);
      const info = await probes.probe(opened, signal);
      const cover = info.streams.find((s) => s.attachedPic);
      if (!cover) throw statusError(404, `${opened.file.name} has no cover picture`);
      const release = acquireAll(limits.ffmpegProcesses);
      const source = await catalog.open(infoHash, index).catch((err: unknown) => {
        release();
        throw err;
      });
      try {
        const { bytes, type } = await extractCover({
          source,
          tools: ffmpeg.tools,
          seekable: ffmpeg.seekable,
          stream: cover.index,
          codec: cover.codec,
          signal: signal,
        });
        // The picture of a file does not change while the server knows the torrent.
        return reply.headers({ 'Content-Type': type, 'Cache-Control': 'private, max-age=3600' }).send(bytes);
      } catch (err) {
        if (err instanceof CoverError) throw statusError(422, `${opened.file.name}: ${err.message}`);
        throw err;
      } finally {
        release();
        await source.close();
      }
    },
  );
};
