/**
 * What the server says about a torrent, made safe to show: its names and titles come from the torrent, so
 * control and bidi characters go (catalog/display-name.ts) before any of it reaches the page, its title or
 * an aria-label. Applied once, where answers arrive (api.ts).
 */
import { displayName } from '../catalog/display-name.js';
import type { Probe, Torrent } from './types.js';

export function displayTorrent(torrent: Torrent): Torrent {
  return {
    ...torrent,
    name: displayName(torrent.name),
    stallReason: torrent.stallReason ? displayName(torrent.stallReason) : torrent.stallReason,
    files: torrent.files.map((file) => ({
      ...file,
      name: displayName(file.name),
      path: displayName(file.path),
    })),
  };
}

export function displayProbe(probe: Probe): Probe {
  return {
    ...probe,
    streams: probe.streams.map((stream) =>
      stream.title ? { ...stream, title: displayName(stream.title) } : stream,
    ),
    subtitleFiles: probe.subtitleFiles?.map((file) => ({ ...file, name: displayName(file.name) })),
  };
}
