/**
 * `GET /api/torrents` on a cluster node: every node's own list (asked with the local header, so no node asks
 * further), merged in node order. A node that does not answer in time is left out and counted, so a dead
 * node costs the list its torrents, not the answer.
 */
import type { FastifyRequest } from 'fastify';
import { localHeader } from './cluster-options.js';
import { sendToNode } from './node-request.js';
import { passedHeaders } from './passed-headers.js';

/** Each node answers from memory: a node slower than this is stuck or gone. */
const nodeTimeoutMs = 5000;

interface Listed {
  infoHash: string;
}

export interface MergedList {
  torrents: Listed[];
  /** The nodes that did not answer with a list. */
  missing: string[];
}

export async function mergedList(nodes: string[], request: FastifyRequest): Promise<MergedList> {
  const headers = { ...passedHeaders(request), [localHeader]: '1', accept: 'application/json' };
  const lists = await Promise.all(
    nodes.map(async (node) => {
      try {
        const signal = AbortSignal.timeout(nodeTimeoutMs);
        const answer = await sendToNode(new URL(request.url, node), { method: 'GET', headers, signal });
        const list: unknown = answer.status === 200 ? JSON.parse(answer.body.toString('utf8')) : undefined;
        if (Array.isArray(list)) return list as Listed[];
        request.log.warn({ node, status: answer.status }, 'cluster: a node answered no torrent list');
      } catch (err) {
        request.log.warn({ node, err: (err as Error).message }, 'cluster: a node did not answer');
      }
      return undefined;
    }),
  );
  // One torrent on two nodes (re-added while its owner was down, which then came back): listed once.
  const seen = new Set<string>();
  const torrents: Listed[] = [];
  for (const torrent of lists.flatMap((list) => list ?? [])) {
    if (seen.has(torrent.infoHash)) continue;
    seen.add(torrent.infoHash);
    torrents.push(torrent);
  }
  return { torrents, missing: nodes.filter((_node, i) => lists[i] === undefined) };
}
