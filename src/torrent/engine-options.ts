/** The engine's options and their defaults (network features on, as in any BitTorrent client; off in tests). */
import type { CatalogEntry } from '../catalog/types.js';
import type { AddressKind } from './address-policy.js';
import type { ClientSettings } from './client.js';

/** What happens to the torrents, for whoever reports it (the server's log); torrents restored at start are not 'added'. */
export interface EngineEvents {
  added: [CatalogEntry];
  /** Metadata in and data checked: its files are known (not again when its data was evicted). */
  ready: [CatalogEntry];
  removed: [CatalogEntry];
  /** Its data was dropped to keep the cache under the cap (it stays listed). */
  evicted: [string];
}

export interface EngineOptions {
  dir: string;
  /** BitTorrent listening port; default 6881, falling back to a random port when taken. 0 = random. */
  torrentPort?: number;
  dht?: boolean;
  lsd?: boolean;
  natUpnp?: boolean;
  natPmp?: boolean;
  utp?: boolean;
  tracker?: boolean;
  /**
   * Caps in bytes per second over every torrent and peer (TCP and uTP alike: webtorrent throttles each
   * peer's connection through one shared bucket); unset means unlimited. Streaming priority still holds
   * under them: they slow the bytes, not the order in which pieces are asked for.
   */
  downloadLimit?: number;
  uploadLimit?: number;
  /** Cap on downloaded data; default 50 GiB. */
  maxCacheBytes?: number;
  /** Bytes kept elsewhere for a torrent (HLS segments), counted under the cap and dropped with it. */
  extraBytes?: (infoHash: string) => number;
  /** Remember torrents across restarts (default true). */
  persist?: boolean;
  /** Resume the saved torrents at start (default true); when false they stay saved, untouched, until added. */
  restore?: boolean;
  /** Extra trackers announced for every torrent. */
  announce?: string[];
  /**
   * Whether torrent-supplied trackers, web seeds and peers may be loopback or private addresses (default
   * true: a server on loopback; off it only with --allow-lan). Link-local addresses are never contacted.
   */
  allowLan?: boolean;
  /** How addresses are classed (address-policy.ts); tests stand 127.0.0.x in for the internet and the LAN. */
  classifyAddress?: (address: string) => AddressKind;
  /** Where non-fatal problems go (default console.warn). */
  onWarning?: (message: string) => void;
}

export const DEFAULT_TORRENT_PORT = 6881;
export const defaultWarning = (message: string) => console.warn(`streamtide torrent: ${message}`);
export const DEFAULT_MAX_CACHE_BYTES = 50 * 1024 ** 3;
/** Whole bytes per second, at least 1 (webtorrent takes 0 as "stop everything" and needs an integer). */
function bandwidthLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = Math.round(value);
  if (!Number.isSafeInteger(rate) || rate < 1) {
    throw new RangeError(`${name} must be a positive number of bytes per second, not ${value}`);
  }
  return rate;
}

export function clientSettings(options: EngineOptions): ClientSettings {
  return {
    downloadLimit: bandwidthLimit('downloadLimit', options.downloadLimit),
    uploadLimit: bandwidthLimit('uploadLimit', options.uploadLimit),
    torrentPort: options.torrentPort ?? DEFAULT_TORRENT_PORT,
    portFallback: options.torrentPort === undefined,
    dht: options.dht ?? true,
    lsd: options.lsd ?? true,
    natUpnp: options.natUpnp ?? true,
    natPmp: options.natPmp ?? true,
    utp: options.utp ?? true,
    tracker: options.tracker ?? true,
    outbound: { lan: options.allowLan ?? true, classify: options.classifyAddress },
    warn: options.onWarning ?? defaultWarning,
  };
}
