/**
 * GET /subtitles/:infoHash/:index.vtt — WebVTT for the player's `<track>`: with `stream=N` the embedded text
 * stream N (absolute index, as the probe lists it) of video file :index, without it the subtitle file
 * :index of the torrent. `t` shifts the cues to a stream started at source time t.
 */

import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { isSubtitleName } from '../../catalog/mime.js';
import { statusError } from '../../catalog/status-error.js';
import type { CatalogEntry, CatalogFile } from '../../catalog/types.js';
import { isImageSubtitle, SubtitleError, SubtitleExtractor } from '../../stream/subtitles.js';
import { vttChunks } from '../../stream/vtt.js';
import { acquireAll } from '../limiter.js';
import { subtitlesRoute } from '../route-schemas.js';
import type { FileParams, SubtitleQuery } from '../schemas.js';
import type { LoadedSubtitles } from '../subtitle-files.js';

const vttHeaders = { 'Content-Type': 'text/vtt; charset=utf-8', 'Cache-Control': 'no-store' };

export const subtitleRoutes: FastifyPluginAsync = async (app) => {
  const { catalog, probes, ffmpeg, limits, subtitleFiles } = app;
  const acquire = () => acquireAll(limits.ffmpegProcesses);

  async function embedded(
    entry: CatalogEntry,
    file: CatalogFile,
    stream: number,
    t: number,
    reply: FastifyReply,
    signal: AbortSignal,
  ) {
    if (isSubtitleName(file.name)) {
      throw statusError(400, `${file.name} is a subtitle file: ask for it without stream=`);
    }
    const info = await probes.probe({ entry, file }, signal);
    const subtitleStreams = info.streams.filter((s) => s.type === 'subtitle').map((s) => s.index);
    const chosen = info.streams.find((s) => s.index === stream);
    if (!chosen) throw statusError(404, `${file.name} has no stream ${stream}`, { subtitleStreams });
    if (chosen.type !== 'subtitle') {
      throw statusError(400, `Stream ${stream} of ${file.name} is ${chosen.type}, not subtitles`, {
        subtitleStreams,
      });
    }
    if (isImageSubtitle(chosen.codec)) {
      throw statusError(
        415,
        `Stream ${stream} holds image subtitles (${chosen.codec}), which cannot become WebVTT text`,
        { codec: chosen.codec },
      );
    }
    if (reply.request.method === 'HEAD') return reply.headers(vttHeaders).send();
    const release = acquire();
    const source = await catalog.open(entry.infoHash, file.index).catch((err: unknown) => {
      release();
      throw err;
    });
    const extractor = SubtitleExtractor.start({
      source,
      tools: ffmpeg.tools,
      seekable: ffmpeg.seekable,
      stream,
      startTime: t,
    });
    // The client leaving (or the server closing) stops FFmpeg; `done` comes once it is reaped.
    signal.addEventListener('abort', () => void extractor.stop(), { once: true });
    void extractor.done.then(async (result) => {
      release();
      await source.close();
      if (result.error) {
        reply.log.warn(
          { stderr: result.error.stderr },
          `subtitle extraction failed: ${result.error.message}`,
        );
      }
    });
    // Headers go now: the first cue may be far into the file, and a <track> waits for it either way.
    return reply.headers(vttHeaders).send(extractor.output);
  }

  async function subtitleFile(
    entry: CatalogEntry,
    file: CatalogFile,
    t: number,
    reply: FastifyReply,
    signal: AbortSignal,
  ) {
    if (!isSubtitleName(file.name)) {
      throw statusError(
        400,
        `${file.name} is not a subtitle file (.srt, .vtt, .ass, .ssa); for a video's embedded subtitles add stream=N`,
      );
    }
    subtitleFiles.check(file);
    if (reply.request.method === 'HEAD') return reply.headers(vttHeaders).send();
    let loaded: LoadedSubtitles;
    try {
      loaded = await subtitleFiles.load(entry.infoHash, file, signal);
    } catch (err) {
      if (err instanceof SubtitleError) {
        throw statusError(422, `${file.name}: ${err.message}`, { stderr: err.stderr });
      }
      throw err;
    }
    // The job counts until its answer is sent, and sending is within its time bound too.
    const cut = () => reply.raw.destroy();
    loaded.deadline.addEventListener('abort', cut, { once: true });
    void finished(reply.raw)
      .catch(() => undefined)
      .then(() => {
        loaded.deadline.removeEventListener('abort', cut);
        loaded.release();
      });
    return reply
      .headers({ ...vttHeaders, 'X-Subtitle-Charset': loaded.encoding })
      .send(Readable.from(vttChunks(loaded.cues, Math.round(t * 1000))));
  }

  app.get<{ Params: FileParams; Querystring: SubtitleQuery }>(
    '/subtitles/:infoHash/:index.vtt',
    { schema: subtitlesRoute },
    async (request, reply) => {
      const { infoHash, index } = request.params;
      const { stream, t = 0 } = request.query;
      const signal = app.torrentRequests.signal(infoHash, reply);
      const { entry, file } = await catalog.file(infoHash, index, signal);
      return stream === undefined
        ? subtitleFile(entry, file, t, reply, signal)
        : embedded(entry, file, stream, t, reply, signal);
    },
  );
};
