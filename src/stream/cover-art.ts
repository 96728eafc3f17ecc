/**
 * A music file's cover picture (the attached_pic stream of an MP3, FLAC or M4A), for the player's poster.
 * Read through the seekable input: the picture sits in a tag at the start (ID3, FLAC) or in the moov
 * (M4A), wherever that is. JPEG and PNG come out as they are stored; anything else as JPEG.
 */
import { abortError } from './abort.js';
import type { DataSource } from './data-source.js';
import { FfmpegJob } from './ffmpeg-job.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { SeekableInputServer } from './seekable-input.js';

/** Cover art is tens to hundreds of kilobytes; more is not a picture worth holding in memory. */
const MAX_COVER_BYTES = 16 * 1024 * 1024;

/** No cover to be had from the file: 422 when it reaches HTTP. */
export class CoverError extends Error {
  readonly statusCode = 422;
  constructor(
    message: string,
    readonly stderr: string[],
  ) {
    super(message);
    this.name = 'CoverError';
  }
}

export async function extractCover(options: {
  source: DataSource;
  tools: FfmpegTools;
  seekable: SeekableInputServer;
  stream: number;
  codec: string;
  signal?: AbortSignal;
}): Promise<{ bytes: Buffer; type: string }> {
  const { source, tools, seekable, stream, codec, signal } = options;
  const asStored = codec === 'png' || codec === 'mjpeg';
  const job = FfmpegJob.start({
    binary: tools.ffmpeg,
    args: (url) => [
      ...['-hide_banner', '-loglevel', 'error', '-i', url, '-map', `0:${stream}`, '-frames:v', '1'],
      ...['-c:v', asStored ? 'copy' : 'mjpeg', '-f', 'image2pipe', 'pipe:1'],
    ],
    input: { kind: 'seekable', source, server: seekable },
    signal,
  });
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of job.output as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_COVER_BYTES) throw new CoverError('the cover picture is too large', []);
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof CoverError) throw err;
      // The output cut by a stop: the result says why.
    }
    const result = await job.done;
    if (result.outcome === 'stopped') throw abortError(signal);
    if (result.outcome === 'failed' || size === 0) {
      throw new CoverError('FFmpeg could not read the cover', result.stderr);
    }
    return { bytes: Buffer.concat(chunks), type: codec === 'png' ? 'image/png' : 'image/jpeg' };
  } finally {
    await job.stop();
  }
}
