/**
 * BEP 19 web seeds: the bytes of a piece fetched over HTTP with Range — from the file itself for a
 * single-file torrent (the URL is the file), else from each file the piece spans (the URL, then the file's
 * path in the torrent). Through the outbound dispatcher (outbound.ts), so every connection, redirects
 * included, is checked. An answer that is not the range asked for fails the request; webtorrent tries again
 * later, and the piece's hash has the last word on the bytes.
 */
import type { Agent } from 'undici';
import type { Torrent } from 'webtorrent';
import { version } from '../version.js';

const TIMEOUT_MS = 60_000;

export interface WebSeed {
  torrent: Torrent;
  url: string;
  dispatcher: Agent;
}

interface Part {
  url: string;
  start: number;
  end: number;
}

export async function fetchWebSeedPiece(
  seed: WebSeed,
  pieceIndex: number,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const { torrent } = seed;
  const start = pieceIndex * torrent.pieceLength + offset;
  const end = start + length - 1;
  const parts: Part[] =
    torrent.files.length <= 1
      ? [{ url: seed.url, start, end }]
      : torrent.files
          .filter((file) => file.length > 0 && file.offset <= end && file.offset + file.length > start)
          .map((file) => ({
            url: fileUrl(seed.url, file.path),
            start: Math.max(start - file.offset, 0),
            end: Math.min(file.offset + file.length - 1, end) - file.offset,
          }));
  if (parts.length === 0) throw new Error(`no file of the torrent holds bytes ${start}-${end}`);
  return Buffer.concat(await Promise.all(parts.map((part) => fetchRange(seed.dispatcher, part))));
}

function fileUrl(base: string, path: string): string {
  const encoded = path.split(/[/\\]/).map(encodeURIComponent).join('/');
  return `${base}${base.endsWith('/') ? '' : '/'}${encoded}`;
}

/** Exactly the part's bytes, reading no more of the answer than that (a server may ignore Range). */
async function fetchRange(dispatcher: Agent, part: Part): Promise<Buffer> {
  const expected = part.end - part.start + 1;
  // Loaded with the dispatcher, by its first use.
  const { fetch } = await import('undici');
  const response = await fetch(part.url, {
    dispatcher,
    headers: {
      range: `bytes=${part.start}-${part.end}`,
      'cache-control': 'no-store',
      'user-agent': `streamtide/${version}`,
    },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const whole = response.status === 200 && part.start === 0;
  if ((response.status !== 206 && !whole) || !response.body) {
    await response.body?.cancel();
    throw new Error(`web seed ${part.url} answered ${response.status} to a Range request`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    while (total < expected) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (total < expected) throw new Error(`web seed ${part.url} sent ${total} of ${expected} bytes`);
  return Buffer.concat(chunks).subarray(0, expected);
}
