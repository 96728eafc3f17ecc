/**
 * The player's HTTP side: opens a stream as a browser's <video> does (a fresh connection, `Range` when
 * asked), asking again every 10 ms while the server does not know the file yet (webtorrent-cli answers 404
 * until the metadata is in), then records when each amount of media is complete.
 */
import { type IncomingMessage, request } from 'node:http';
import type { Arrival } from './player.js';
import { now } from './stats.js';

export interface MediaRead {
  arrivals: Arrival[];
  /** Reference → first body byte. */
  firstByteMs: number | null;
  bytes: number;
  status: number;
}

function get(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The first 200/206 answer of `url`, asking again while it answers 404. */
export async function openMedia(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<IncomingMessage> {
  const until = now() + timeoutMs;
  for (;;) {
    const res = await get(url, headers);
    if (res.statusCode === 200 || res.statusCode === 206) return res;
    res.resume();
    if (res.statusCode !== 404 || now() > until) throw new Error(`${url} answered ${res.statusCode}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Reads `url` from `reference` (a `now()`), turning received bytes into media seconds with `media`, until
 * `enough(arrivals)` holds, the body ends, or `timeoutMs` from the reference; the response is then cut.
 */
export async function readMedia(
  url: string,
  headers: Record<string, string>,
  reference: number,
  media: (chunk: Buffer, bytesSoFar: number) => number,
  enough: (arrivals: Arrival[]) => boolean,
  timeoutMs: number,
): Promise<MediaRead> {
  const res = await openMedia(url, headers, timeoutMs);
  const read: MediaRead = { arrivals: [], firstByteMs: null, bytes: 0, status: res.statusCode ?? 0 };
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.removeAllListeners('data');
      res.destroy();
      resolve(read);
    };
    const timer = setTimeout(done, Math.max(0, timeoutMs - (now() - reference)));
    res.on('data', (chunk: Buffer) => {
      const ms = now() - reference;
      read.firstByteMs ??= ms;
      read.bytes += chunk.length;
      read.arrivals.push({ ms, media: media(chunk, read.bytes) });
      if (enough(read.arrivals)) done();
    });
    res.once('end', done);
    res.once('error', done);
  });
}
