/**
 * URLs meant to leave the server — for another player, another device, a playlist file — made from the
 * request's origin. With a token set they carry a capability for just what they open (capabilities.ts),
 * never the token; without one they need nothing.
 */
import type { Capabilities } from './capabilities.js';
import { streamPath } from './torrent-json.js';

/** The file's original bytes with Range (`mode=direct`): what players want. */
export function sharedStreamUrl(
  origin: string,
  capabilities: Capabilities | null,
  infoHash: string,
  index: number,
): string {
  const cap = capabilities?.issue({ kind: 'file', infoHash, index });
  return `${origin}${streamPath(infoHash, index)}?mode=direct${cap ? `&cap=${cap}` : ''}`;
}

/** The torrent's M3U, whose entries carry their own file capabilities. */
export function sharedPlaylistUrl(
  origin: string,
  capabilities: Capabilities | null,
  infoHash: string,
): string {
  const cap = capabilities?.issue({ kind: 'playlist', infoHash });
  return `${origin}/playlist/${infoHash}.m3u${cap ? `?cap=${cap}` : ''}`;
}
