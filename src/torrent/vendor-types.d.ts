/**
 * The slice of webtorrent@3, parse-torrent@11 and bittorrent-tracker@11 that streamtide uses. None of them ship
 * types. webtorrent's private members are declared in webtorrent-internals.ts, the one module that uses them.
 */
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';

  export interface ChunkStore {
    get(
      index: number,
      opts: { offset?: number; length?: number } | null,
      cb: (err: Error | null, buf?: Uint8Array) => void,
    ): void;
  }

  export interface TorrentFile extends EventEmitter {
    name: string;
    path: string;
    length: number;
    offset: number;
    readonly progress: number;
  }

  export interface BitField {
    get(index: number): boolean;
    buffer: Uint8Array;
  }

  /** A block asked of a peer (bittorrent-protocol's public `wire.requests` entries). */
  export interface BlockRequest {
    piece: number;
    offset: number;
    length: number;
  }

  export interface Wire extends EventEmitter {
    /** e.g. 'tcpOutgoing', 'utpIncoming', 'webSeed' */
    type?: string;
    peerChoking: boolean;
    amInterested: boolean;
    /** Whether we choke the peer, and whether it said it is interested. */
    amChoking: boolean;
    peerInterested: boolean;
    unchoke(): void;
    /** Payload bytes received from this peer. */
    downloaded: number;
    interested(): void;
    remoteAddress?: string;
    remotePort?: number;
    readonly destroyed: boolean;
    /** Our requests the peer has not answered yet, oldest first. */
    requests: BlockRequest[];
    peerPieces: BitField;
    /** Pieces the peer lets us ask for while it chokes us (BEP 6 allowed-fast). */
    peerAllowedFastSet: number[];
    peerExtendedHandshake?: { reqq?: unknown };
    /** The peer's id from its handshake (hex), and the extensions it says it supports. */
    peerId?: string | null;
    peerExtensions?: { extended?: boolean };
    /** Sends an extended (BEP 10) message: by the peer's id for it, or by name once the peer named it. */
    extended(ext: number | string, payload: Uint8Array | object): void;
    /** Bytes per second received lately (a 5 s window); called with a count, bittorrent-protocol adds it. */
    downloadSpeed(delta?: number): number;
    request(
      piece: number,
      offset: number,
      length: number,
      cb: (err: Error | null, chunk?: Uint8Array | null) => void,
    ): void;
    /** Drops our request (its callback gets an error) and tells the peer. */
    cancel(piece: number, offset: number, length: number): void;
    destroy(): void;
  }

  export interface Torrent extends EventEmitter {
    infoHash: string;
    magnetURI: string;
    torrentFile: Uint8Array;
    /** Tracker URLs, the torrent's own then the client's; read by discovery after the 'infoHash' event. */
    announce: string[];
    name: string;
    ready: boolean;
    done: boolean;
    destroyed: boolean;
    length: number;
    pieceLength: number;
    files: TorrentFile[];
    bitfield?: BitField;
    store: ChunkStore | null;
    wires: Wire[];
    metadata: Uint8Array | null;
    readonly downloaded: number;
    readonly progress: number;
    readonly downloadSpeed: number;
    readonly uploadSpeed: number;
    readonly numPeers: number;
    addPeer(peer: string, source?: string): boolean;
    /** A web seed: its URL, or a connection object with a `connId`. */
    addWebSeed(urlOrConn: string | object): void;
    /** Trackers, as the .torrent or magnet gave them (plus the client's own). */
    announce: string[];
    /** Web seeds (BEP 19: url-list, a magnet's ws= / as=). */
    urlList: string[];
    /** A magnet's exact sources (xs=): URLs of the .torrent. */
    xs?: string | string[];
    deselect(start: number, end: number): void;
    destroy(opts?: { destroyStore?: boolean } | null, cb?: (err?: Error | null) => void): void;
  }

  export interface TorrentOptions {
    path?: string;
    announce?: string[];
    store?: unknown;
    bitfield?: Uint8Array;
    deselect?: boolean;
    skipVerify?: boolean;
  }

  export interface ClientOptions {
    dht?: boolean;
    lsd?: boolean;
    natUpnp?: boolean;
    natPmp?: boolean;
    utp?: boolean;
    utPex?: boolean;
    torrentPort?: number;
    tracker?: false | object;
    /** false: web seeds are not contacted by webtorrent itself. */
    webSeeds?: boolean;
    /** Bytes per second over all peers; -1 = unlimited. */
    downloadLimit?: number;
    uploadLimit?: number;
  }

  export interface SeedOptions {
    announce?: string[];
    name?: string;
    pieceLength?: number;
    path?: string;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(options?: ClientOptions);
    static VERSION: string;
    torrentPort: number;
    destroyed: boolean;
    add(
      torrentId: string | Uint8Array | object,
      opts?: TorrentOptions,
      onTorrent?: (t: Torrent) => void,
    ): Torrent;
    seed(input: string | string[] | Uint8Array, opts?: SeedOptions, onSeed?: (t: Torrent) => void): Torrent;
    throttleUpload(rate: number): void;
    destroy(cb?: (err?: Error | null) => void): void;
  }
}

/** Only its prototype is read: webtorrent-internals.ts checks the private members it relies on. */
declare module 'webtorrent/lib/torrent.js' {
  const Torrent: { prototype: object };
  export default Torrent;
}

/** A web seed's connection; webtorrent-internals.ts replaces how it makes its HTTP requests. */
declare module 'webtorrent/lib/webconn.js' {
  import type { EventEmitter } from 'node:events';
  import type { Torrent } from 'webtorrent';

  export default class WebConn extends EventEmitter {
    constructor(url: string, torrent: Torrent);
    readonly url: string;
    destroyed: boolean;
    httpRequest(
      pieceIndex: number,
      offset: number,
      length: number,
      cb: (err: Error | null, data?: Uint8Array) => void,
    ): void;
  }
}

declare module 'parse-torrent' {
  export interface ParsedFile {
    length: number;
    /** The file's path inside the torrent, its name first. */
    path: string;
  }
  export interface ParsedTorrent {
    infoHash: string;
    peerAddresses?: string[];
    files?: ParsedFile[];
    length?: number;
    pieceLength?: number;
    pieces?: string[];
    info?: unknown;
  }
  export default function parseTorrent(torrentId: string | Uint8Array | object): Promise<ParsedTorrent>;
  export function toTorrentFile(parsed: object): Uint8Array;
}

declare module 'bencode' {
  const bencode: { decode(data: Uint8Array): unknown; encode(value: unknown): Uint8Array };
  export default bencode;
}

declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';

  export class Server extends EventEmitter {
    constructor(opts?: { udp?: boolean; http?: boolean; ws?: boolean; stats?: boolean });
    http: import('node:http').Server | null;
    listen(port: number, hostname: string, onListening?: () => void): void;
    close(cb?: (err?: Error | null) => void): void;
  }
}
