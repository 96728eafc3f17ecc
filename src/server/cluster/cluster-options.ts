/**
 * A node that runs behind the cluster's nginx front (docs/cluster.md): what it knows of the cluster, and the
 * headers the nodes and the front use between them.
 */

export interface IdentifiedSource {
  /** Lower-case hex. */
  infoHash: string;
  /** What to add in its place: a magnet, or the .torrent bytes (a URL's, once fetched). */
  torrentId: string | Uint8Array;
}

export interface ClusterOptions {
  /** Every node's own base URL, this one's too: `GET /api/torrents` merges their lists. */
  nodes: string[];
  /** The front's base URL: an add it did not route by info-hash goes back through it, naming the hash. */
  front: string;
  /** Parses an add's input as the engine will (a URL is fetched), for its info-hash. */
  identify(input: string | Uint8Array, signal: AbortSignal): Promise<IdentifiedSource>;
}

/** Set by a node passing on an add: the info-hash the front routes it by (its map reads it). */
export const routeHeader = 'x-streamtide-route';
/** Asks a node for its own torrents only: how the merging node asks the others, and never loops. */
export const localHeader = 'x-streamtide-local';
/** On a merged list: how many nodes did not answer (their torrents are missing from it). */
export const missingHeader = 'x-streamtide-missing-nodes';
