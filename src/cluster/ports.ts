/**
 * The ports of a cluster on 127.0.0.1:P: nginx on P, node i (1-based) on P+i for HTTP and P+N+i for
 * BitTorrent. Fixed by P, so a restart with the same P finds the same ring (nginx hashes a node by its
 * address) and every node gets its own torrents back.
 */
import { createServer } from 'node:net';

export interface ClusterPorts {
  front: number;
  nodes: Array<{ http: number; torrent: number }>;
}

export function clusterPorts(front: number, nodes: number): ClusterPorts {
  if (front < 1 || front + 2 * nodes > 65535) {
    throw new Error(`--port ${front} leaves no room for ${nodes} nodes (they use the ports above it)`);
  }
  return {
    front,
    nodes: Array.from({ length: nodes }, (_, i) => ({ http: front + 1 + i, torrent: front + nodes + 1 + i })),
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Fails naming the ports already taken: better than a node or nginx failing halfway through the start. */
export async function assertFree(ports: ClusterPorts): Promise<void> {
  const all = [ports.front, ...ports.nodes.flatMap((node) => [node.http, node.torrent])];
  const free = await Promise.all(all.map(isFree));
  const taken = all.filter((_port, i) => !free[i]);
  if (taken.length > 0) {
    throw new Error(
      `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} in use (a cluster on P uses P to P+2N)`,
    );
  }
}
