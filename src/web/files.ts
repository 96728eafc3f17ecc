/** Which files of a torrent the UI offers to play, and in what order. Pure. */
import type { TorrentFile } from './types.js';

const videoExtensions = /\.(mkv|mp4|m4v|webm|avi|mov|wmv|flv|ts|m2ts|mts|mpg|mpeg|ogv|3gp|vob)$/i;
const audioExtensions = /\.(mp3|m4a|aac|flac|ogg|oga|opus|wav|wma)$/i;

export function isVideo(file: Pick<TorrentFile, 'name' | 'mime'>): boolean {
  return file.mime.startsWith('video/') || videoExtensions.test(file.name);
}

export function isPlayable(file: Pick<TorrentFile, 'name' | 'mime'>): boolean {
  return isVideo(file) || file.mime.startsWith('audio/') || audioExtensions.test(file.name);
}

const byPath = (a: TorrentFile, b: TorrentFile) =>
  a.path.localeCompare(b.path, undefined, { numeric: true, sensitivity: 'base' });

/** Video files first, then other playable media, then the rest; each group in natural path order. */
export function sortFiles(files: readonly TorrentFile[]): TorrentFile[] {
  const rank = (file: TorrentFile) => (isVideo(file) ? 0 : isPlayable(file) ? 1 : 2);
  return [...files].sort((a, b) => rank(a) - rank(b) || byPath(a, b));
}
