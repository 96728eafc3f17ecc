/** The torrent routes: add, list, get, delete, probe, playlist (docs/api.md). */
import type { FastifyPluginAsync } from 'fastify';
import { displayName } from '../../catalog/display-name.js';
import { mediaFiles } from '../../catalog/main-file.js';
import { statusError } from '../../catalog/status-error.js';
import { matchSubtitleFiles } from '../../catalog/subtitle-match.js';
import { parseCaps } from '../../stream/client-caps.js';
import { planStream } from '../../stream/plan.js';
import { addInput } from '../add-input.js';
import { requestOrigin } from '../host-header.js';
import {
  addTorrentRoute,
  deleteTorrentRoute,
  getTorrentRoute,
  listTorrentsRoute,
  playlistRoute,
  probeRoute,
} from '../route-schemas.js';
import type { AddTorrentBody, DeleteQuery, FileParams, ProbeQuery, TorrentParams } from '../schemas.js';
import { sharedStreamUrl } from '../share-urls.js';
import { torrentJson } from '../torrent-json.js';

export const torrentRoutes: FastifyPluginAsync = async (app) => {
  const { catalog, probes } = app;
  const torrentOf = (infoHash: string) => {
    const entry = catalog.get(infoHash);
    if (!entry) throw statusError(404, `Unknown torrent ${infoHash}`);
    return entry;
  };

  // A body of any other type is read and dropped, so addInput answers it 400 with what to send (not 415).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  app.post<{ Body: AddTorrentBody | Buffer }>(
    '/api/torrents',
    { schema: addTorrentRoute },
    async (request, reply) => {
      const input = addInput(request.body);
      const { entry, created } = await catalog.add(input);
      return reply.code(created ? 201 : 200).send(torrentJson(catalog, entry, requestOrigin(request)));
    },
  );

  app.get('/api/torrents', { schema: listTorrentsRoute }, async (request) =>
    catalog.list().map((entry) => torrentJson(catalog, entry, requestOrigin(request))),
  );

  app.get<{ Params: TorrentParams }>(
    '/api/torrents/:infoHash',
    { schema: getTorrentRoute },
    async (request) =>
      torrentJson(catalog, torrentOf(request.params.infoHash), requestOrigin(request), { withRanges: true }),
  );

  app.delete<{ Params: TorrentParams; Querystring: DeleteQuery }>(
    '/api/torrents/:infoHash',
    { schema: deleteTorrentRoute },
    async (request, reply) => {
      const entry = torrentOf(request.params.infoHash);
      // Its readers go first, FFmpeg with them, so that deleted files are let go of.
      app.torrentRequests.end(entry.infoHash);
      await app.hls.drop(entry.infoHash);
      await catalog.remove(entry.infoHash, { deleteFiles: request.query.deleteFiles === true });
      probes.forget(entry.infoHash);
      app.keyframes.forget(entry.infoHash);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: FileParams; Querystring: ProbeQuery }>(
    '/api/torrents/:infoHash/files/:index/probe',
    { schema: probeRoute },
    async (request, reply) => {
      const signal = app.torrentRequests.signal(request.params.infoHash, reply);
      const { entry, file } = await catalog.file(request.params.infoHash, request.params.index, signal);
      const info = await probes.probe({ entry, file }, signal);
      const { caps } = request.query;
      return {
        container: info.container,
        duration: info.duration,
        streams: info.streams,
        subtitleFiles: matchSubtitleFiles(entry.files, file),
        plan: planStream(info, { caps: caps === undefined ? undefined : parseCaps(caps) }).mode,
      };
    },
  );

  app.get<{ Params: TorrentParams }>(
    '/playlist/:infoHash.m3u',
    { schema: playlistRoute },
    async (request, reply) => {
      const entry = torrentOf(request.params.infoHash);
      const lines = ['#EXTM3U'];
      for (const file of mediaFiles(entry.files)) {
        // Players show the title (mpv in its terminal): no line break to forge entries, no escapes.
        lines.push(`#EXTINF:-1,${displayName(file.name)}`);
        // Players seek and choose tracks themselves: they get the original bytes, with Range. A playlist is
        // a file to pass around: its entries carry their own capabilities, never the token (share-urls.ts).
        lines.push(sharedStreamUrl(requestOrigin(request), app.capabilities, entry.infoHash, file.index));
      }
      return reply
        .type('audio/x-mpegurl; charset=utf-8')
        .header('Content-Disposition', `inline; filename="${entry.infoHash}.m3u"`)
        .send(`${lines.join('\n')}\n`);
    },
  );
};
