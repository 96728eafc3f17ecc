/**
 * URLs of the server's routes. Pure (no DOM), so they can be tested anywhere. Media URLs carry the token as
 * `?token=` because a `<video src>` or `<track src>` cannot send an Authorization header.
 */

type Params = Record<string, string | number | undefined | null>;

/** Empty values are left out, but for the keys in `keepEmpty`, where empty says something. */
function withQuery(path: string, params: Params, keepEmpty: string[] = []): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || (value === '' && !keepEmpty.includes(key))) continue;
    query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

const hashPart = (infoHash: string) => encodeURIComponent(infoHash);

/** Seconds rounded to milliseconds: enough precision, and a short URL. */
const seconds = (t: number | undefined) => (t && t > 0 ? Math.round(t * 1000) / 1000 : undefined);

export interface StreamOptions {
  /** Start at this source time (remux/transcode only). */
  t?: number;
  /** Audio stream, 0-based among the file's audio streams. */
  audio?: number | null;
  mode?: 'direct' | 'remux' | 'transcode';
  /**
   * What the browser decodes beyond the baseline (caps.ts). Empty is sent (`caps=`: the baseline client),
   * since leaving it out makes the server assume a desktop browser.
   */
  caps?: string;
  token?: string | null;
}

export function streamUrl(infoHash: string, index: number, options: StreamOptions = {}): string {
  return withQuery(
    `/stream/${hashPart(infoHash)}/${index}`,
    {
      mode: options.mode,
      t: seconds(options.t),
      audio: options.audio,
      caps: options.caps,
      token: options.token,
    },
    ['caps'],
  );
}

export interface HlsOptions {
  /** Audio stream (0-based among the file's audio streams) to be the playlist's DEFAULT rendition. */
  audio?: number | null;
  /** As for streamUrl (sent even empty). */
  caps?: string;
  token?: string | null;
  /** The file's `hlsUrl` from the torrent API, when it has one: its path is kept, on the page's own origin. */
  given?: string;
}

/** The multivariant (master) HLS playlist of file `index`: remux/transcode as segments on the file's timeline. */
export function hlsUrl(infoHash: string, index: number, options: HlsOptions = {}): string {
  const path = options.given
    ? new URL(options.given, 'http://server').pathname
    : `/hls/${hashPart(infoHash)}/${index}/master.m3u8`;
  return withQuery(path, { audio: options.audio, caps: options.caps, token: options.token }, ['caps']);
}

/** The probe, whose `plan` is for a client that decodes `caps` (sent even empty, as for streamUrl). */
export function probePath(infoHash: string, index: number, caps?: string): string {
  return withQuery(`/api/torrents/${hashPart(infoHash)}/files/${index}/probe`, { caps }, ['caps']);
}

/** Embedded text subtitle stream `stream` of file `index`, shifted so cue times match a stream started at t. */
export function embeddedSubtitleUrl(
  infoHash: string,
  index: number,
  stream: number,
  t?: number,
  token?: string | null,
) {
  return withQuery(`/subtitles/${hashPart(infoHash)}/${index}.vtt`, { stream, t: seconds(t), token });
}

/** A subtitle file of the torrent, as WebVTT. */
export function subtitleFileUrl(infoHash: string, fileIndex: number, t?: number, token?: string | null) {
  return withQuery(`/subtitles/${hashPart(infoHash)}/${fileIndex}.vtt`, { t: seconds(t), token });
}

/** The cover picture of a music file (its attached_pic stream). */
export function coverUrl(infoHash: string, index: number, token?: string | null): string {
  return withQuery(`/cover/${hashPart(infoHash)}/${index}`, { token });
}

export function playlistUrl(infoHash: string, token?: string | null): string {
  return withQuery(`/playlist/${hashPart(infoHash)}.m3u`, { token });
}

export function playerPath(infoHash: string, index: number, token?: string | null): string {
  return withQuery(`/play/${hashPart(infoHash)}/${index}`, { token });
}

/** The player route's parameters, or null when `pathname` is not `/play/:infoHash/:index`. */
export function parsePlayerPath(pathname: string): { infoHash: string; index: number } | null {
  const match = /^\/play\/([0-9a-zA-Z]+)\/(\d+)\/?$/.exec(pathname);
  if (!match) return null;
  return { infoHash: match[1]!, index: Number(match[2]) };
}
