/** What POST /api/torrents was given: the bytes of a .torrent, or the `source` of its JSON body, trimmed. */
import { statusError } from '../catalog/status-error.js';

export function addInput(body: unknown): string | Uint8Array {
  let input: string | Uint8Array;
  if (Buffer.isBuffer(body)) input = body;
  else if (
    body &&
    typeof body === 'object' &&
    typeof (body as { source?: unknown }).source === 'string' &&
    Object.keys(body).length === 1
  ) {
    input = (body as { source: string }).source.trim();
  } else {
    throw statusError(
      400,
      'Send JSON {"source": "<magnet, info-hash or URL>"}, or the bytes of a .torrent as application/x-bittorrent',
    );
  }
  if (input.length === 0) throw statusError(400, 'source is empty');
  if (input.length > (typeof input === 'string' ? 16_384 : 10 * 1024 * 1024))
    throw statusError(400, 'source is too long');
  return input;
}
