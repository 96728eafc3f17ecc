/**
 * `POST /api/torrents` on a cluster node. The front cannot read a body, so an add reaches any node first;
 * that node parses the source for its info-hash (fetching a URL once: the .torrent bytes go on in its place)
 * and sends it through the front again naming the hash, which routes it to the node that owns the torrent.
 * There the named hash matches and the add is done locally. A named hash that does not match is refused:
 * the torrent would land on a node that requests about it never reach.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusError } from '../../catalog/status-error.js';
import { addInput } from '../add-input.js';
import { type ClusterOptions, routeHeader } from './cluster-options.js';
import { sendToNode } from './node-request.js';
import { passedHeaders } from './passed-headers.js';

/** Adding answers once the torrent is attached, before its metadata: long only on a stuck node. */
const forwardTimeoutMs = 60_000;

/** Undefined when this node is the one to add it (the handler goes on); else the owner's answer, relayed. */
export async function routeAdd(
  request: FastifyRequest,
  reply: FastifyReply,
  cluster: ClusterOptions,
): Promise<FastifyReply | undefined> {
  const left = new AbortController();
  reply.raw.on('close', () => left.abort());
  const { infoHash, torrentId } = await cluster.identify(addInput(request.body), left.signal);
  const named = request.headers[routeHeader];
  if (typeof named === 'string') {
    if (named.toLowerCase() === infoHash) return undefined;
    throw statusError(400, `${routeHeader} names ${named}, but the source's info-hash is ${infoHash}`);
  }
  const bytes = typeof torrentId !== 'string';
  const body = bytes ? Buffer.from(torrentId) : Buffer.from(JSON.stringify({ source: torrentId }));
  const headers = {
    ...passedHeaders(request),
    [routeHeader]: infoHash,
    'content-type': bytes ? 'application/x-bittorrent' : 'application/json',
  };
  let answer: Awaited<ReturnType<typeof sendToNode>>;
  try {
    const signal = AbortSignal.any([left.signal, AbortSignal.timeout(forwardTimeoutMs)]);
    answer = await sendToNode(new URL(request.url, cluster.front), { method: 'POST', headers, body, signal });
  } catch (err) {
    if (left.signal.aborted) throw err;
    throw statusError(
      502,
      `could not pass the add on to its node through ${cluster.front}: ${(err as Error).message}`,
    );
  }
  const type = answer.headers['content-type'];
  if (type) reply.type(type);
  return reply.code(answer.status).send(answer.body);
}
