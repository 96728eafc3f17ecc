/** The torrent routes: add, list, get, delete, probe, playlist (docs/api.md). */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { mediaFiles } from '../../catalog/main-file.js';
import { statusError } from '../../catalog/status-error.js';
import { matchSubtitleFiles } from '../../catalog/subtitle-match.js';
import { parseCaps } from '../../stream/client-caps.js';
import { planStream } from '../../stream/plan.js';
import { addInput } from '../add-input.js';
import {
  addTorrentRoute,
  deleteTorrentRoute,
  getTorrentRoute,
  listTorrentsRoute,
  playlistRoute,
  probeRoute,
} from '../route-schemas.js';
import type { AddTorrentBody, DeleteQuery, FileParams, ProbeQuery, TorrentParams } from '../schemas.js';
import { streamPath, torrentJson } from '../torrent-json.js';

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

function tokenParam(request: FastifyRequest): string {
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? `&token=${encodeURIComponent(token)}` : '';
}

export const torrentRoutes: FastifyPluginAsync = async (app) => {
  const { catalog, probes } = app;
  const torrentOf = (infoHash: string) => {
    const entry = catalog.get(infoHash);
    if (!entry) throw statusError(404, `Unknown torrent ${infoHash}`);
    return entry;
  };

  app.post<{ Body: AddTorrentBody | Buffer }>(
    '/api/torrents',
    { schema: addTorrentRoute },
    async (request, reply) => {
      const input = addInput(request.body);
      const { entry, created } = await catalog.add(input);
      return reply.code(created ? 201 : 200).send(torrentJson(catalog, entry, baseUrl(request)));
    },
  );

  app.get('/api/torrents', { schema: listTorrentsRoute }, async (request) =>
    catalog.list().map((entry) => torrentJson(catalog, entry, baseUrl(request))),
  );

  app.get<{ Params: TorrentParams }>(
    '/api/torrents/:infoHash',
    { schema: getTorrentRoute },
    async (request) =>
      torrentJson(catalog, torrentOf(request.params.infoHash), baseUrl(request), { withRanges: true }),
  );

  app.delete<{ Params: TorrentParams; Querystring: DeleteQuery }>(
    '/api/torrents/:infoHash',
    { schema: deleteTorrentRoute },
    async (request, reply) => {
      const entry = torrentOf(request.params.infoHash);
      await catalog.remove(entry.infoHash, { deleteFiles: request.query.deleteFiles === true });
      probes.forget(entry.infoHash);
      app.keyframes.forget(entry.infoHash);
      await app.hls.drop(entry.infoHash);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: FileParams; Querystring: ProbeQuery }>(
    '/api/torrents/:infoHash/files/:index/probe',
    { schema: probeRoute },
    async (request, reply) => {
      const abort = new AbortController();
      reply.raw.on('close', () => abort.abort());
      const { entry, file } = await catalog.file(request.params.infoHash, request.params.index, abort.signal);
      const info = await probes.probe({ entry, file }, abort.signal);
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
        // Player software shows the title; strip line breaks a hostile name could use to forge entries.
        lines.push(`#EXTINF:-1,${file.name.replace(/[\r\n]+/g, ' ')}`);
        // Players seek and choose tracks themselves: they get the original bytes, with Range.
        const path = streamPath(entry.infoHash, file.index);
        lines.push(`${baseUrl(request)}${path}?mode=direct${tokenParam(request)}`);
      }
      return reply
        .type('audio/x-mpegurl; charset=utf-8')
        .header('Content-Disposition', `inline; filename="${entry.infoHash}.m3u"`)
        .send(`${lines.join('\n')}\n`);
    },
  );
};
