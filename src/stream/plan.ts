/**
 * Deciding how a file reaches the browser: its own bytes (`direct`), FFmpeg copying the streams into
 * fragmented MP4 (`remux`), or FFmpeg re-encoding what the browser cannot decode (`transcode`). Pure data
 * from the probe and the request; the streamer only executes it, so every choice is made here once.
 */
import type { MediaInfo, MediaStream } from './media-info.js';

export type StreamMode = 'direct' | 'remux' | 'transcode';

/**
 * How FFmpeg reads the source: piped from byte 0 (the `format` hint from the probe, as a pipe cannot be
 * sniffed by seeking), or from the seekable input, which it can seek (`startTime` > 0, or an MP4 whose
 * index is after its media data).
 */
export type PlanInput = { kind: 'pipe'; format: string } | { kind: 'seekable'; startTime: number };

export interface PlanRequest {
  /** Index among the audio streams; out of range is a PlanError (400). */
  audio?: number;
  /** A forced mode; automatic when absent. */
  mode?: StreamMode;
  /** Seconds into the source to start at; a `direct` stream has no start time (its client seeks by Range). */
  t?: number;
}

/** A request the file cannot satisfy: the client's mistake, answered 400. */
export class PlanError extends RangeError {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export interface Plan {
  mode: StreamMode;
  /** For `direct` a pipe from byte 0, never used: the route serves the file's own bytes. */
  input: PlanInput;
  /** `deinterlace`: the source is interlaced, and re-encoded through a deinterlacer. */
  video: { stream: number; action: 'copy' | 'h264'; deinterlace?: true } | null;
  /** `adtsToAsc`: copied AAC, which MP4 needs without the ADTS headers TS (and some AVIs) frame it with. */
  audio: { stream: number; action: 'copy' | 'aac'; adtsToAsc?: true } | null;
  mime: string;
  reason: string;
}

/** Codecs every current browser decodes inside MP4. */
const BROWSER_VIDEO = new Set(['h264', 'vp9', 'av1']);
const BROWSER_AUDIO = new Set(['aac', 'mp3', 'opus', 'flac']);
/** What FFmpeg's MP4 muxer takes as it is (a forced remux copies these even if a browser may not play them). */
const MP4_VIDEO = new Set([...BROWSER_VIDEO, 'hevc', 'mpeg4', 'mpeg2video', 'mpeg1video', 'vp8']);
const MP4_AUDIO = new Set([...BROWSER_AUDIO, 'ac3', 'eac3', 'mp2', 'alac', 'dts', 'truehd', 'vorbis']);
const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1']);
const WEBM_AUDIO = new Set(['vorbis', 'opus']);
const AUDIO_CONTAINERS: Record<string, string> = {
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

export function planStream(info: MediaInfo, opts: PlanRequest = {}): Plan {
  const video = info.streams.find((s) => s.type === 'video' && !s.attachedPic) ?? null;
  const audio = pickAudio(info.streams, opts.audio);
  const pickedNonDefault = opts.audio !== undefined && audio !== pickAudio(info.streams, undefined);
  const directMime = directType(info, video, audio);
  const mp4Layout = info.container === 'mp4' || info.container === 'mov';

  if (opts.mode === 'direct' || (!opts.mode && directMime && !pickedNonDefault)) {
    return {
      mode: 'direct',
      video: video && { stream: video.index, action: 'copy' },
      audio: audio && { stream: audio.index, action: 'copy' },
      input: { kind: 'pipe', format: info.formatName },
      mime: directMime ?? fallbackMime(info),
      reason: opts.mode === 'direct' ? 'direct was asked for' : `${info.container} with browser codecs`,
    };
  }

  // Forced remux copies whatever the MP4 muxer accepts and re-encodes only the rest (so it can still
  // become a transcode, and says so); forced transcode re-encodes both; auto copies browser codecs only.
  const force = opts.mode;
  const copyVideo = (s: MediaStream) =>
    force === 'transcode'
      ? false
      : force === 'remux'
        ? MP4_VIDEO.has(s.codec)
        : BROWSER_VIDEO.has(s.codec) && !copySpoils(info, s);
  const copyAudio = (s: MediaStream) =>
    force === 'transcode' ? false : force === 'remux' ? MP4_AUDIO.has(s.codec) : BROWSER_AUDIO.has(s.codec);
  const v: Plan['video'] = video && {
    stream: video.index,
    action: copyVideo(video) ? 'copy' : 'h264',
  };
  if (v?.action === 'h264' && video?.interlaced) v.deinterlace = true;
  const a: Plan['audio'] = audio && { stream: audio.index, action: copyAudio(audio) ? 'copy' : 'aac' };
  if (a?.action === 'copy' && audio?.codec === 'aac') a.adtsToAsc = true;
  const reencoded = [
    v?.action === 'h264' ? `video ${video?.codec}→h264${v.deinterlace ? ' (deinterlaced)' : ''}` : null,
    a?.action === 'aac' ? `audio ${audio?.codec}→aac` : null,
  ].filter(Boolean);
  const mode: StreamMode = reencoded.length > 0 ? 'transcode' : 'remux';
  const startTime = opts.t !== undefined && opts.t > 0 ? opts.t : 0;
  return {
    mode,
    video: v,
    audio: a,
    // A pipe cannot seek: not to `t`, nor to an index at the end.
    input:
      startTime > 0 || (mp4Layout && info.moovAtEnd)
        ? { kind: 'seekable', startTime }
        : { kind: 'pipe', format: info.formatName },
    mime: v ? 'video/mp4' : 'audio/mp4',
    reason:
      mode === 'transcode'
        ? `${info.container}: ${reencoded.join(', ')}`
        : `${info.container}: browser codecs copied into fragmented MP4`,
  };
}

/**
 * A browser codec whose copy would still play badly, so it is re-encoded: interlaced video (browsers show
 * it combed; a re-encode can deinterlace it), and H.264 with B-frames in AVI, which stores no pts: FFmpeg
 * can only make them up in decode order, so reordered frames get timestamps going backwards.
 */
function copySpoils(info: MediaInfo, video: MediaStream): boolean {
  return (
    Boolean(video.interlaced) ||
    (info.container === 'avi' && video.codec === 'h264' && video.hasBFrames === true)
  );
}

/** The chosen audio: index among audio streams when asked, else the default-flagged one, else the first. */
function pickAudio(streams: MediaStream[], wanted: number | undefined): MediaStream | null {
  const audios = streams.filter((s) => s.type === 'audio');
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 0 || wanted >= audios.length) {
      throw new PlanError(`audio=${wanted} is out of range: the file has ${audios.length} audio stream(s)`);
    }
    return audios[wanted]!;
  }
  return audios.find((s) => s.default) ?? audios[0] ?? null;
}

/** The Content-Type when the browser can play the file's own bytes, else null. */
function directType(info: MediaInfo, video: MediaStream | null, audio: MediaStream | null): string | null {
  const audioOk = (set: Set<string>) => !audio || set.has(audio.codec);
  if (info.container === 'mp4' || info.container === 'mov') {
    if (video ? BROWSER_VIDEO.has(video.codec) && audioOk(BROWSER_AUDIO) : audio && audioOk(BROWSER_AUDIO)) {
      return video ? 'video/mp4' : 'audio/mp4';
    }
    return null;
  }
  if (info.container === 'webm') {
    if (video ? WEBM_VIDEO.has(video.codec) && audioOk(WEBM_AUDIO) : audio && audioOk(WEBM_AUDIO)) {
      return video ? 'video/webm' : 'audio/webm';
    }
    return null;
  }
  if (!video && audio) return AUDIO_CONTAINERS[info.container] ?? null;
  return null;
}

/** Content-Type for a forced direct of a file the browser may not play: still the honest type. */
function fallbackMime(info: MediaInfo): string {
  const byContainer: Record<string, string> = {
    matroska: 'video/x-matroska',
    avi: 'video/x-msvideo',
    mpegts: 'video/mp2t',
    mp4: 'video/mp4',
    mov: 'video/quicktime',
    webm: 'video/webm',
    ...AUDIO_CONTAINERS,
  };
  return byContainer[info.container] ?? 'application/octet-stream';
}
