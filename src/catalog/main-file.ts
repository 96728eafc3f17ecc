/** The file a torrent is watched (or listened to) by default, and the order its media files play in. */
import { isMediaName, isVideoName } from './mime.js';

interface NamedFile {
  name: string;
  path: string;
  length: number;
}

const byPath = (a: NamedFile, b: NamedFile) =>
  a.path.localeCompare(b.path, undefined, { numeric: true, sensitivity: 'base' });

/** The largest video; with no video (a music torrent), the first audio file by path: track 1. */
export function mainMediaFile<F extends NamedFile>(files: readonly F[]): F | undefined {
  const videos = files.filter((file) => isVideoName(file.name));
  if (videos.length > 0) return videos.reduce((a, b) => (b.length > a.length ? b : a));
  return mediaFiles(files)[0];
}

/** Every video (in the torrent's order), then every audio file in path order (an album's track order). */
export function mediaFiles<F extends NamedFile>(files: readonly F[]): F[] {
  const videos = files.filter((file) => isVideoName(file.name));
  const audios = files.filter((file) => isMediaName(file.name) && !isVideoName(file.name)).sort(byPath);
  return [...videos, ...audios];
}
