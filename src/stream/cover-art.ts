/**
 * A music file's cover picture (the attached_pic stream of an MP3, FLAC or M4A), for the player's poster.
 * Read through the seekable input: the picture sits in a tag at the start (ID3, FLAC) or in the moov
 * (M4A), wherever that is. JPEG and PNG come out as they are stored; anything else as JPEG.
 */
import { abortError } from './abort.js';
import type { DataSource } from './data-source.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { runFfmpeg } from './ffmpeg-runner.js';
import type { SeekableInputServer } from './seekable-input.js';

/** Cover art is tens to hundreds of kilobytes; more is not a picture worth holding in memory. */
const MAX_COVER_BYTES = 16 * 1024 * 1024;

export class CoverError extends Error {
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
  const registration = new AbortController();
  const stop = () => registration.abort();
  signal?.addEventListener('abort', stop, { once: true });
  const url = seekable.register(source, registration.signal);
  const asStored = codec === 'png' || codec === 'mjpeg';
  const args = ['-hide_banner', '-loglevel', 'error', '-i', url, '-map', `0:${stream}`, '-frames:v', '1'];
  args.push('-c:v', asStored ? 'copy' : 'mjpeg', '-f', 'image2pipe', 'pipe:1');
  const proc = runFfmpeg(tools.ffmpeg, args);
  const kill = () => void proc.kill();
  signal?.addEventListener('abort', kill, { once: true });
  try {
    proc.stdin.end();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_COVER_BYTES) throw new CoverError('the cover picture is too large', []);
      chunks.push(chunk);
    }
    const { code } = await proc.exited;
    if (signal?.aborted) throw abortError(signal);
    if (code !== 0 || size === 0) throw new CoverError('FFmpeg could not read the cover', proc.stderrTail());
    return { bytes: Buffer.concat(chunks), type: codec === 'png' ? 'image/png' : 'image/jpeg' };
  } finally {
    signal?.removeEventListener('abort', kill);
    signal?.removeEventListener('abort', stop);
    registration.abort();
    await proc.kill();
  }
}
