/** The API's shapes as the UI reads them: the parts of docs/api.md the UI uses. */

export interface TorrentFile {
  index: number;
  name: string;
  path: string;
  length: number;
  progress: number;
  mime: string;
  streamUrl: string;
  /** The file's HLS multivariant playlist (absolute URL); servers before HLS leave it out. */
  hlsUrl?: string;
  /** Verified byte ranges, inclusive [start, end]; only from `GET /api/torrents/:infoHash`. */
  downloaded?: Array<[number, number]>;
  /** Where playback last stopped; absent when never played (or from servers before positions). */
  position?: Position;
}

/** `GET/PUT /api/torrents/:infoHash/files/:index/position`. */
export interface Position {
  seconds: number;
  /** The file's duration, when the server had probed it. */
  duration?: number;
  /** ISO 8601; absent when never played. */
  updatedAt?: string;
}

export interface Torrent {
  infoHash: string;
  name: string;
  ready: boolean;
  length: number;
  progress: number;
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
  /** Why a reader is waiting ("no peers", "fetching metadata"...), or null when nothing waits. */
  stallReason?: string | null;
  files: TorrentFile[];
}

/** POST /api/torrents/:infoHash/files/:index/share. */
export interface ShareLinks {
  streamUrl: string;
  playlistUrl: string;
}

export type Plan = 'direct' | 'remux' | 'transcode';

export interface ProbeStream {
  index: number;
  type: string;
  codec?: string | null;
  language?: string | null;
  title?: string | null;
  channels?: number | null;
  default?: boolean;
  forced?: boolean;
  /** A cover picture (music files), served by /cover/. */
  attachedPic?: boolean;
}

export interface SubtitleFile {
  index: number;
  name: string;
  language?: string | null;
}

export interface Probe {
  container?: string | null;
  duration?: number | null;
  streams: ProbeStream[];
  subtitleFiles?: SubtitleFile[];
  plan: Plan;
}
