/** BitTorrent as DataSources: the engine (the Catalog's torrent side), its options, its input errors and the per-file source. */
export { TorrentEngine } from './engine.js';
export { DEFAULT_MAX_CACHE_BYTES, DEFAULT_TORRENT_PORT, type EngineOptions } from './engine-options.js';
export { TorrentInputError, type TorrentInputErrorCode } from './errors.js';
export { TorrentSource } from './torrent-source.js';
