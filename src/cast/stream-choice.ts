/**
 * Which URL a renderer gets: the file's original bytes (with Range) when it says it plays the file's type,
 * else the server's stream for a baseline client (H.264 + AAC in fragmented MP4; already-baseline MP4 goes
 * as is). A Chromecast gets the file's HLS, which its receiver plays and seeks best. Each URL carries the
 * file's capability, never the token.
 */
import type { Capabilities } from '../server/capabilities.js';
import { sharedStreamUrl } from '../server/share-urls.js';
import { streamPath } from '../server/torrent-json.js';
import { type CastMedia, HLS_MIME, type Renderer } from './types.js';

export interface CastFile {
  infoHash: string;
  index: number;
  mime: string;
  title: string;
}

export async function chooseMedia(
  renderer: Renderer,
  origin: string,
  capabilities: Capabilities | null,
  file: CastFile,
): Promise<CastMedia> {
  if (await renderer.accepts(file.mime)) {
    const url = sharedStreamUrl(origin, capabilities, file.infoHash, file.index);
    return { url, mime: file.mime, title: file.title, direct: true };
  }
  const cap = capabilities?.issue({ kind: 'file', infoHash: file.infoHash, index: file.index });
  if (renderer.kind === 'chromecast') {
    const hls = `${origin}/hls/${file.infoHash}/${file.index}/master.m3u8?caps=${cap ? `&cap=${cap}` : ''}`;
    return { url: hls, mime: HLS_MIME, title: file.title, direct: false };
  }
  // An empty `caps`: the baseline client, so nothing but H.264 8-bit and AAC/MP3 is copied.
  const url = `${origin}${streamPath(file.infoHash, file.index)}?caps=${cap ? `&cap=${cap}` : ''}`;
  const mime = file.mime.startsWith('audio/') ? 'audio/mp4' : 'video/mp4';
  return { url, mime, title: file.title, direct: false };
}
