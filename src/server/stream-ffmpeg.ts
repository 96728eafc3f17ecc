/**
 * `remux` / `transcode`: the ProgressiveStreamer's fragmented MP4 as the response body. Headers go out only
 * once FFmpeg has produced its init segment, so a failure before the first byte can still answer 502.
 */
import type { FastifyReply } from 'fastify';
import type { DataSource } from '../stream/data-source.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import type { MediaInfo } from '../stream/media-info.js';
import type { Plan } from '../stream/plan.js';
import { ProgressiveStreamer, StreamError } from '../stream/progressive-streamer.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';
import type { StreamLog } from './stream-log.js';

export interface FfmpegStreamOptions {
  source: DataSource;
  info: MediaInfo;
  plan: Plan;
  tools: FfmpegTools;
  seekable: SeekableInputServer;
  signal: AbortSignal;
  log: StreamLog;
  /** Called once, as the first fragment starts to go out (the init segment alone plays nothing). */
  firstOut?: () => void;
  /** FFmpeg already started on this plan and source (stream-early.ts); else one starts here. */
  streamer?: ProgressiveStreamer;
}

/**
 * The headers of an FFmpeg stream, for GET and HEAD alike. No Content-Length: FFmpeg's output size is unknown
 * until it ends (GET is chunked; HEAD must not claim a length either).
 */
export function ffmpegHeaders(plan: Plan, info: MediaInfo): Record<string, string> {
  const startTime = planStart(plan);
  const headers: Record<string, string> = {
    'Content-Type': plan.mime,
    'X-Stream-Mode': plan.mode,
    // Where output time 0 is in the file: the asked t, or the keyframe before it for copied video.
    'X-Stream-Start': startTime.toFixed(3),
    'Cache-Control': 'no-store',
  };
  if (info.duration !== null) {
    headers['X-Content-Duration'] = Math.max(0, info.duration - startTime).toFixed(3);
  }
  return headers;
}

/** The source time the output starts at. */
function planStart(plan: Plan): number {
  return plan.input.kind === 'seekable' ? plan.input.startTime : 0;
}

export async function serveThroughFfmpeg(reply: FastifyReply, options: FfmpegStreamOptions): Promise<void> {
  const { log } = options;
  const t = planStart(options.plan);
  log.started({ t });
  const streamer =
    options.streamer ??
    ProgressiveStreamer.start({
      source: options.source,
      plan: options.plan,
      info: options.info,
      tools: options.tools,
      seekable: options.seekable,
    });
  const stop = () => void streamer.stop();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    try {
      await streamer.ready;
    } catch (err) {
      if (options.signal.aborted) return log.ended('stopped', { t, bytes: 0 });
      const stderr = err instanceof StreamError ? err.stderr : [];
      const message = err instanceof Error ? err.message : String(err);
      log.failed(`FFmpeg failed before the first byte: ${message}`, stderr, {
        t,
        bytes: 0,
      });
      return reply.code(502).send({ error: `FFmpeg failed: ${message}`, stderr });
    }
    reply.hijack();
    reply.raw.writeHead(200, ffmpegHeaders(options.plan, options.info));
    // A closed connection stops FFmpeg (the abort listener, and the output seeing its destination close).
    streamer.sendTo(reply.raw, options.firstOut);
    const result = await streamer.done;
    // A failure mid-stream (FFmpeg died, the source failed) cuts the response instead of ending it: a
    // clean end would pass a truncated video off as complete.
    if (result.outcome === 'failed') reply.raw.destroy();
    else reply.raw.end();
    const fields = {
      t,
      bytes: result.bytesOut,
      bytesIn: result.bytesIn,
      stalledMs: result.stalledMs,
    };
    if (result.outcome === 'failed') {
      log.failed(result.error?.message ?? 'the stream failed', result.error?.stderr ?? [], fields);
    } else log.ended(result.outcome, fields);
  } finally {
    options.signal.removeEventListener('abort', stop);
    await streamer.stop();
  }
}
