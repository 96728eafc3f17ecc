/** Hand-made probe results for plan tests: a stream, and a file of such streams lasting 10 s. */
import type { MediaInfo, MediaStream } from '../../src/stream/media-info.js';

export function fakeStream(
  index: number,
  type: MediaStream['type'],
  codec: string,
  extra: Partial<MediaStream> = {},
): MediaStream {
  return { index, type, codec, language: null, title: null, default: false, forced: false, ...extra };
}

export function fakeInfo(container: string, streams: MediaStream[], moovAtEnd = false): MediaInfo {
  return { container, formatName: container, duration: 10, streams, moovAtEnd, startTime: 0 };
}
