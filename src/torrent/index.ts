/** BitTorrent as DataSources: the engine (a Catalog), its input errors and the per-file source. */
export {
  DEFAULT_MAX_CACHE_BYTES,
  DEFAULT_TORRENT_PORT,
  type EngineOptions,
  TorrentEngine,
} from './engine.js';
export { TorrentInputError, type TorrentInputErrorCode } from './errors.js';
export { TorrentSource } from './torrent-source.js';
