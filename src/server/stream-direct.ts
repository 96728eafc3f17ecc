/**
 * `direct` mode: the file's own bytes with exact Range semantics. The pump writes the range straight
 * into the socket, so a slow client holds back reading (and the torrent's readahead) instead of filling memory.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from '../stream/byte-range.js';
import type { DataSource } from '../stream/data-source.js';
import { StreamPump } from '../stream/stream-pump.js';
import type { StreamLog } from './stream-log.js';

export interface DirectStreamOptions {
  source: DataSource;
  contentType: string;
  duration: number | null;
  signal: AbortSignal;
  log: StreamLog;
}

export async function serveDirect(
  request: FastifyRequest,
  reply: FastifyReply,
  options: DirectStreamOptions,
) {
  const { source } = options;
  const size = source.size;
  const range = parseRange(request.headers.range, size);
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': options.contentType,
    'X-Stream-Mode': 'direct',
    'Cache-Control': 'no-store',
  };
  if (options.duration !== null) headers['X-Content-Duration'] = options.duration.toFixed(3);
  if (range.kind === 'unsatisfiable') {
    return reply
      .code(416)
      .headers({ ...headers, 'Content-Range': `bytes */${size}`, 'Content-Type': 'application/json' })
      .send({ error: `Range not satisfiable for a file of ${size} bytes` });
  }
  const start = range.kind === 'range' ? range.start : 0;
  const end = range.kind === 'range' ? range.end + 1 : size;
  headers['Content-Length'] = end - start;
  if (range.kind === 'range') headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  const status = range.kind === 'range' ? 206 : 200;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(status, headers);
  // Written by hand: Fastify would replace the Content-Length of a bodiless HEAD answer with 0.
  if (request.method === 'HEAD') return void raw.end();
  const pump = new StreamPump(source, { start, end, signal: options.signal });
  options.log.started({ start, end });
  const result = await pump.pumpTo(raw);
  if (result.outcome === 'complete') raw.end();
  else raw.destroy(); // headers are out: a cut connection is the only honest signal of a failed body
  const fields = { start, end, bytes: result.bytes };
  if (result.outcome === 'failed' || pump.lastError) {
    options.log.failed(pump.lastError?.message ?? 'the source failed', [], fields);
  } else options.log.ended(result.outcome === 'complete' ? 'complete' : 'stopped', fields);
}
