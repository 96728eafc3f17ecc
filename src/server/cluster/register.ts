/**
 * Makes a node a cluster member (docs/cluster.md): the two routes that name no torrent, and so reach any
 * node, answer for the whole cluster. `GET /api/torrents` merges every node's list; `POST /api/torrents`
 * goes on to the node that owns the new torrent. Everything else is routed by info-hash by the front.
 */
import type { FastifyInstance } from 'fastify';
import { type ClusterOptions, localHeader, missingHeader } from './cluster-options.js';
import { mergedList } from './merged-list.js';
import { routeAdd } from './routed-add.js';

export function registerCluster(app: FastifyInstance, cluster: ClusterOptions): void {
  // preHandler: after security and body validation, so the node asks no one on behalf of a bad request.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== '/api/torrents') return;
    if (request.method === 'GET' && request.headers[localHeader] === undefined) {
      const { torrents, missing } = await mergedList(cluster.nodes, request);
      if (missing.length > 0) reply.header(missingHeader, String(missing.length));
      return reply.send(torrents);
    }
    if (request.method === 'POST') return routeAdd(request, reply, cluster);
  });
}
