/** Content types by extension for the files a torrent usually holds; the probe decides how to stream. */
const types: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  ts: 'video/mp2t',
  m2ts: 'video/mp2t',
  mts: 'video/mp2t',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  ogv: 'video/ogg',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
  ass: 'text/x-ssa',
  ssa: 'text/x-ssa',
  txt: 'text/plain',
  nfo: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function mimeOf(name: string): string {
  return types[extensionOf(name)] ?? 'application/octet-stream';
}

export function isVideoName(name: string): boolean {
  return mimeOf(name).startsWith('video/');
}

export function isMediaName(name: string): boolean {
  const mime = mimeOf(name);
  return mime.startsWith('video/') || mime.startsWith('audio/');
}

export function isSubtitleName(name: string): boolean {
  return ['srt', 'vtt', 'ass', 'ssa'].includes(extensionOf(name));
}
