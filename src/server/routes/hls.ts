/**
 * GET /hls/:infoHash/:index/master.m3u8 and the parts it names (/hls/:infoHash/:index/:rendition/:part):
 * HLS of a file for every screen that cannot take the progressive stream. The plan, the playlists and the
 * segments come from src/stream/hls through HlsService; this file turns them into answers.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { statusError } from '../../catalog/status-error.js';
import type { HlsPlan } from '../../stream/hls/hls-plan.js';
import { masterPlaylist, mediaPlaylist, subtitlePlaylist } from '../../stream/hls/playlists.js';
import { type HlsPartParams, type HlsQuery, hlsMasterRoute, hlsPartRoute } from '../hls-schemas.js';
import type { HlsFile } from '../hls-service.js';
import type { FileParams } from '../schemas.js';
import { StreamStart } from '../start-phases.js';
import { streamLog } from '../stream-log.js';

const PLAYLIST = 'application/vnd.apple.mpegurl';

export const hlsRoutes: FastifyPluginAsync = async (app) => {
  const { hls, catalog, probes } = app;
  /** Per file, the start its last master playlist began, until its first media segment is answered. */
  const starts = new Map<string, StreamStart>();

  /**
   * Aborted when the client goes away (it stops waiting; the encoders go on for other viewers) or the torrent
   * is removed (hls.drop stops the encoders).
   */
  const clientSignal = (infoHash: string, reply: FastifyReply) => app.torrentRequests.signal(infoHash, reply);
  /**
   * What the playlists' URIs carry on. A request let in by its Authorization header alone gets the file's
   * capability in them: AVPlayer, TVs and casts fetch a playlist's URIs without the header.
   */
  const carried = (request: FastifyRequest<{ Params: FileParams; Querystring: HlsQuery }>) => {
    const { query, headers, params } = request;
    const byHeader =
      headers.authorization !== undefined && query.token === undefined && query.cap === undefined;
    const scope = { kind: 'file', infoHash: params.infoHash, index: params.index } as const;
    const cap = byHeader ? (app.capabilities?.issue(scope) ?? undefined) : undefined;
    return carriedQuery(cap === undefined ? query : { ...query, cap });
  };

  app.get<{ Params: FileParams; Querystring: HlsQuery }>(
    '/hls/:infoHash/:index/master.m3u8',
    { schema: hlsMasterRoute },
    async (request, reply) => {
      const { infoHash, index } = request.params;
      const signal = clientSignal(infoHash, reply);
      const start = new StreamStart(catalog, infoHash, index);
      reply.raw.on('close', () => {
        if (starts.get(`${infoHash}/${index}`) !== start) start.end();
      });
      // The metadata and probe waits of hls.file, seen apart: the probe is the one hls.file joins.
      const opened = await catalog.file(infoHash, index, signal);
      start.metadata();
      void probes.probe(opened, signal).then(
        () => start.probed(),
        () => undefined,
      );
      const file = await hls.file(infoHash, index, request.query, signal);
      start.probed();
      start.publish('hls');
      starts.get(`${infoHash}/${index}`)?.end();
      starts.set(`${infoHash}/${index}`, start);
      const { plan } = file;
      const playlist = masterPlaylist({
        video: plan.video && {
          codecs: plan.video.codecs,
          width: plan.video.width,
          height: plan.video.height,
          ...(plan.video.frameRate ? { frameRate: plan.video.frameRate } : {}),
          ...videoBandwidth(file),
        },
        audios: plan.audios.map((a) => ({ ...a, uri: `${a.id}/index.m3u8` })),
        subtitles: hls.subtitles(file).map((s) => ({ ...s, uri: `${s.id}/index.m3u8` })),
        videoUri: `${plan.video?.id}/index.m3u8`,
        query: carried(request),
      });
      return reply.type(PLAYLIST).header('Cache-Control', 'no-cache').send(playlist);
    },
  );

  app.get<{ Params: HlsPartParams; Querystring: HlsQuery }>(
    '/hls/:infoHash/:index/:rendition/:part',
    { schema: hlsPartRoute },
    async (request, reply) => {
      const { infoHash, index, rendition: id, part } = request.params;
      const signal = clientSignal(infoHash, reply);
      const file = await hls.file(infoHash, index, request.query, signal);
      const query = carried(request);
      if (id.startsWith('subtitles-')) return subtitlePart(file, id, part, query, reply, signal);
      // A rendition the plan does not have is a 404, for its playlist too (which needs nothing opened).
      hls.track(file, id);
      if (part === 'index.m3u8') {
        const body = mediaPlaylist({
          segmentTimes: file.plan.times,
          initUri: 'init.mp4',
          segmentUri: (i) => `${i}.m4s`,
          query,
        });
        return reply.type(PLAYLIST).header('Cache-Control', 'no-cache').send(body);
      }
      const which = part === 'init.mp4' ? 'init' : segmentNumber(part, '.m4s', file.plan);
      const path = await hls.part(file, id, which, signal);
      const { size } = await stat(path);
      const start = starts.get(`${infoHash}/${index}`);
      if (which !== 'init' && start?.out()) {
        starts.delete(`${infoHash}/${index}`);
        const about = { infoHash: file.entry.infoHash, file: index, name: file.file.name, mode: 'hls' };
        // An HLS playback is many requests: it counts as started once, at its first segment.
        app.metrics.started('hls');
        streamLog(request.log, about, app.metrics).firstOutput(start.phases);
      }
      return reply
        .type('video/mp4')
        .header('Content-Length', size)
        .header('Cache-Control', 'max-age=3600')
        .send(createReadStream(path));
    },
  );
};

/** A WebVTT rendition's playlist (the video's cut times) or segment N.vtt. */
async function subtitlePart(
  file: HlsFile,
  id: string,
  part: string,
  query: string,
  reply: FastifyReply,
  signal: AbortSignal,
) {
  const { hls } = reply.server;
  if (!hls.subtitles(file).some((s) => s.id === id)) {
    throw statusError(404, `${file.file.name} has no subtitle rendition ${id}`);
  }
  if (part === 'index.m3u8') {
    const body = subtitlePlaylist({ segmentTimes: file.plan.times, segmentUri: (i) => `${i}.vtt`, query });
    return reply.type(PLAYLIST).header('Cache-Control', 'no-cache').send(body);
  }
  const vtt = await hls.subtitleSegment(file, id, segmentNumber(part, '.vtt', file.plan), signal);
  // A segment's cues are final once it is answered: it caches like a media segment.
  return reply.type('text/vtt; charset=utf-8').header('Cache-Control', 'max-age=3600').send(vtt);
}

function segmentNumber(part: string, extension: string, plan: HlsPlan): number {
  const n = part.endsWith(extension) ? Number(part.slice(0, -extension.length)) : Number.NaN;
  if (!Number.isInteger(n) || n >= plan.times.starts.length) {
    throw statusError(404, `no segment ${part}: the playlist has ${plan.times.starts.length}`);
  }
  return n;
}

/** What every URI in the playlists carries on: the client's caps and audio, and its token or capability. */
function carriedQuery(query: HlsQuery): string {
  const carried = new URLSearchParams();
  if (query.audio !== undefined) carried.set('audio', String(query.audio));
  if (query.caps !== undefined) carried.set('caps', query.caps);
  if (query.token !== undefined) carried.set('token', query.token);
  if (query.cap !== undefined) carried.set('cap', query.cap);
  return carried.toString();
}

/**
 * BANDWIDTH of the variant. Copied video: the file's average rate, its peak taken as half again (HLS asks
 * for the peak segment rate, which is not known before the segments exist). Encoded: what veryfast x264
 * at its default quality spends, about 0.1 bit per pixel and frame.
 */
function videoBandwidth({ plan, file, info }: HlsFile): { bandwidth: number; averageBandwidth: number } {
  const video = plan.video!;
  const average =
    video.id === 'video-copy' && info.duration
      ? (file.length * 8) / info.duration
      : video.width * video.height * (video.frameRate ?? 30) * 0.1;
  return { bandwidth: Math.round(average * 1.5), averageBandwidth: Math.round(average) };
}
