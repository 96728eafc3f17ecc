/**
 * Subtitle files of a torrent that belong to a video: same folder and a name that starts with the video's
 * stem (`Movie.2019.en.srt` for `Movie.2019.mkv`), or any subtitle when the torrent has a single video.
 * The language comes from the name's last tag (`.en.`, `.eng.`, `.English.`) when there is one.
 */
import { extensionOf, isSubtitleName, isVideoName } from './mime.js';
import type { CatalogFile } from './types.js';

export interface SubtitleFileMatch {
  index: number;
  name: string;
  language: string | null;
}

const languageNames: Record<string, string> = {
  english: 'en',
  french: 'fr',
  german: 'de',
  spanish: 'es',
  italian: 'it',
  portuguese: 'pt',
  russian: 'ru',
  dutch: 'nl',
  japanese: 'ja',
  chinese: 'zh',
  korean: 'ko',
  arabic: 'ar',
  polish: 'pl',
  swedish: 'sv',
  turkish: 'tr',
};

function stem(name: string): string {
  const ext = extensionOf(name);
  return (ext ? name.slice(0, -(ext.length + 1)) : name).toLowerCase();
}

function folder(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash).toLowerCase();
}

export function languageFromName(name: string): string | null {
  const parts = stem(name).split(/[._\- ]/);
  const tag = parts.length > 1 ? parts[parts.length - 1] : '';
  if (/^[a-z]{2,3}$/.test(tag) && !['srt', 'sub', 'hi', 'sdh', 'cc'].includes(tag)) return tag;
  return languageNames[tag] ?? null;
}

export function matchSubtitleFiles(files: CatalogFile[], video: CatalogFile): SubtitleFileMatch[] {
  const subtitles = files.filter((file) => isSubtitleName(file.name));
  const singleVideo = files.filter((file) => isVideoName(file.name)).length === 1;
  const videoStem = stem(video.name);
  return subtitles
    .filter(
      (file) =>
        singleVideo || (folder(file.path) === folder(video.path) && stem(file.name).startsWith(videoStem)),
    )
    .map((file) => ({ index: file.index, name: file.name, language: languageFromName(file.name) }));
}
