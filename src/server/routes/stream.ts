/** GET|HEAD /stream/:infoHash/:index — direct bytes with Range, or FFmpeg's fragmented MP4. */
import type { FastifyPluginAsync } from 'fastify';
import { extensionOf, isMediaName } from '../../catalog/mime.js';
import type { CatalogEntry, CatalogFile } from '../../catalog/types.js';
import { dlnaHeaders } from '../../dlna/protocol-info.js';
import { untilAborted } from '../../stream/abort.js';
import { parseCaps } from '../../stream/client-caps.js';
import { openOptions } from '../../stream/media-info.js';
import { planStream } from '../../stream/plan.js';
import { readIndexAhead } from '../index-ahead.js';
import { streamRoute } from '../route-schemas.js';
import type { FileParams, StreamQuery } from '../schemas.js';
import { startSeek } from '../seek-start.js';
import { limitersFor } from '../services.js';
import { discard, startSpare } from '../spare-ffmpeg.js';
import { StreamStart } from '../start-phases.js';
import { serveDirect } from '../stream-direct.js';
import { confirmLater, EarlyStart } from '../stream-early.js';
import { ffmpegHeaders, serveThroughFfmpeg } from '../stream-ffmpeg.js';
import { streamLog } from '../stream-log.js';

export const streamRoutes: FastifyPluginAsync = async (app) => {
  const { catalog, probes, ffmpeg, keyframes } = app;
  const { limits } = app;
  app.get<{ Params: FileParams; Querystring: StreamQuery }>(
    '/stream/:infoHash/:index',
    { schema: streamRoute },
    async (request, reply) => {
      const { infoHash, index } = request.params;
      const { mode = 'auto', t = 0, audio, caps, dlna } = request.query;
      // The client leaving, or the torrent removed, aborts all this request started: the probe, the pump, FFmpeg.
      const signal = app.torrentRequests.signal(infoHash, reply);
      // Its phases (start-phases.ts) go to the log and the torrent object's lastStart; HEAD is no start.
      const start = new StreamStart(catalog, infoHash, index);
      reply.raw.on('close', () => start.end());

      const planRequest = {
        audio,
        mode: mode === 'auto' ? undefined : mode,
        t,
        caps: caps === undefined ? undefined : parseCaps(caps),
      };
      const starter = { request: planRequest, tools: ffmpeg.tools, seekable: ffmpeg.seekable, limits };
      // A cold torrent's file is not known yet: a spare FFmpeg on the likeliest plan starts now, while the
      // metadata comes (spare-ffmpeg.ts); the early start below keeps it if the header plans the same.
      const spare =
        request.method === 'GET' && start.cold && mode !== 'direct' && t <= 0
          ? startSpare(starter, `file ${index} of ${infoHash}`)
          : null;
      let early: EarlyStart | null = null;
      try {
        const { entry, file } = await catalog.file(infoHash, index, signal);
        start.metadata();
        // A direct stream of a media file asked for as such needs nothing from the probe: its bytes go out
        // as they come (a probe done before still gives the duration). `audio=N` still waits, to be checked.
        const unprobed = mode === 'direct' && audio === undefined && isMediaName(file.name);
        // A seek reads the file's index (often at its end) while the probe reads its head: a torrent fetches
        // both at once. The container is guessed from the name until the probe says.
        if (t > 0 && !unprobed && request.method === 'GET') {
          keyframes
            .index({ entry, file }, { formatName: extensionOf(file.name) }, signal)
            .catch(() => undefined);
        }
        // A first open of the file starts FFmpeg from the container's header while ffprobe runs
        // (stream-early.ts).
        if (request.method === 'GET' && !unprobed && t <= 0 && !probes.known(entry.infoHash, index)) {
          early = EarlyStart.begin({ ...starter, catalog, infoHash: entry.infoHash, index, signal, spare });
        }
        return await respond(entry, file, unprobed, early);
      } finally {
        if (early) await early.drop();
        else if (spare) await discard(spare);
      }

      async function respond(
        entry: CatalogEntry,
        file: CatalogFile,
        unprobed: boolean,
        early: EarlyStart | null,
      ): Promise<void> {
        // Not bound to this request: a settled header's stream goes out at once, and the probe, started once
        // that stream's init segment is out, still marks its phase and checks that stream when done.
        const probe = () => probes.probe({ entry, file });
        const probing = unprobed
          ? Promise.resolve(probes.known(entry.infoHash, index))
          : early
            ? early.probeMayStart(file.name).then(probe)
            : probe();
        probing.then(
          (known) => known && start.probed(),
          () => undefined,
        );
        const settled = (await early?.settled()) ?? null;
        if (settled) confirmLater(settled, probing, planRequest, (text) => request.log.warn(text));
        const info = settled?.info ?? (await untilAborted(probing, signal));
        const plan = settled?.plan ?? (info ? planStream(info, planRequest) : undefined);
        const taken = settled ?? (plan && early ? await early.take(plan) : null);
        if (early?.outcome === 'differed') request.log.debug('the header planned otherwise than the probe');
        const streamMode = plan?.mode ?? 'direct';
        // DLNA renderers ask for these (or get them on the DLNA tree's URLs): many refuse a stream without.
        if (dlna || request.headers['getcontentfeatures.dlna.org'] === '1') {
          const headers = dlnaHeaders(plan?.mime ?? file.mime, { original: streamMode === 'direct' });
          for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
        }
        const source =
          taken?.source ??
          (await catalog.open(entry.infoHash, index, info ? openOptions(info, file.length) : {}));
        const about = { infoHash: entry.infoHash, file: index, name: file.name, mode: streamMode };
        const log = streamLog(request.log, about, app.metrics);
        if (request.method === 'GET') start.publish(streamMode);
        // Once the stream is out, a later seek's keyframe index is read in the background (index-ahead.ts).
        const indexAhead = () =>
          readIndexAhead({
            catalog,
            keyframes,
            opened: { entry, file },
            container: info ?? { formatName: extensionOf(file.name) },
          });
        const firstOut = () => {
          if (start.out()) log.firstOutput(start.phases);
          indexAhead();
        };
        try {
          if (!plan || !info || plan.mode === 'direct') {
            return await serveDirect(request, reply, {
              source: start.outOnFirstRead(source, () => {
                log.firstOutput(start.phases);
                indexAhead();
              }),
              contentType: plan?.mime ?? file.mime,
              duration: info?.duration ?? null,
              signal,
              log,
            });
          }
          // Transcodes also count against their own, CPU-sized limit. Past either, the request waits briefly
          // (a seek's previous stream may still be closing), then answers 503.
          const release =
            taken?.release ??
            (await limits.queue.acquire(limitersFor(limits, plan.mode === 'transcode'), signal));
          try {
            // A seek's real start (the keyframe copied video starts at) goes into the headers of HEAD too.
            const started = await startSeek({
              catalog,
              keyframes,
              opened: { entry, file },
              info,
              plan,
              source,
              signal,
              prefetch: request.method === 'GET',
            });
            if (request.method === 'HEAD') {
              // Written raw: Fastify would add Content-Length: 0 to an empty HEAD answer, a length it does not know.
              reply.hijack();
              reply.raw.writeHead(200, ffmpegHeaders(started, info));
              reply.raw.end();
              return;
            }
            return await serveThroughFfmpeg(reply, {
              source,
              info,
              plan: started,
              tools: ffmpeg.tools,
              seekable: ffmpeg.seekable,
              signal,
              log,
              firstOut,
              streamer: taken?.streamer,
            });
          } finally {
            release();
          }
        } finally {
          await taken?.streamer.stop(); // already stopped when it served; not when the way out came before
          await source.close();
        }
      }
    },
  );
};
