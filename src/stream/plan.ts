/**
 * Deciding how a file reaches the browser: its own bytes (`direct`), FFmpeg copying the streams into
 * fragmented MP4 (`remux`), or FFmpeg re-encoding what the browser cannot decode (`transcode`). Pure data
 * from the probe and the request; the streamer only executes it, so every choice is made here once.
 */
import { type ClientCaps, DESKTOP_CAPS, decodesAudio, decodesVideo } from './client-caps.js';
import type { MediaInfo, MediaStream } from './media-info.js';

export type StreamMode = 'direct' | 'remux' | 'transcode';

/**
 * How FFmpeg reads the source: piped from byte 0 (the `format` hint from the probe, as a pipe cannot be
 * sniffed by seeking), or from the seekable input, which it can seek (`startTime` > 0, or an MP4 whose
 * index is after its media data). `keyframe`: `startTime` is a keyframe of the copied video, taken from
 * the file's index (seek-point.ts), and the output starts exactly there, video and audio alike;
 * `reordered` when that video has B-frames, which makes FFmpeg aim its seek earlier (ffmpeg-args.ts).
 */
export type PlanInput =
  | { kind: 'pipe'; format: string }
  | { kind: 'seekable'; startTime: number; keyframe?: 'in-order' | 'reordered' };

export interface PlanRequest {
  /** Index among the audio streams; out of range is a PlanError (400). */
  audio?: number;
  /** A forced mode; automatic when absent. */
  mode?: StreamMode;
  /** Seconds into the source to start at; a `direct` stream has no start time (its client seeks by Range). */
  t?: number;
  /** What the client decodes beyond the baseline (client-caps.ts); absent: a desktop browser's set. */
  caps?: ClientCaps;
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
  /**
   * `deinterlace`: the source is interlaced, and re-encoded through a deinterlacer. `tag`: the copied
   * video's MP4 sample entry, when it must be a particular one (Safari plays HEVC only as `hvc1`).
   */
  video: { stream: number; action: 'copy' | 'h264'; deinterlace?: true; tag?: 'hvc1' } | null;
  /** `adtsToAsc`: copied AAC, which MP4 needs without the ADTS headers TS (and some AVIs) frame it with. */
  audio: { stream: number; action: 'copy' | 'aac'; adtsToAsc?: true } | null;
  mime: string;
  reason: string;
}

/** What FFmpeg's MP4 muxer takes as it is (a forced remux copies these even if the client may not play them). */
const MP4_VIDEO = new Set(['h264', 'vp9', 'av1', 'hevc', 'mpeg4', 'mpeg2video', 'mpeg1video', 'vp8']);
const MP4_AUDIO = new Set([
  'aac',
  'mp3',
  'opus',
  'flac',
  'ac3',
  'eac3',
  'mp2',
  'alac',
  'dts',
  'truehd',
  'vorbis',
]);
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
  const caps = opts.caps ?? DESKTOP_CAPS;
  const directMime = directType(info, video, audio, caps, opts.caps === undefined);
  const mp4Layout = info.container === 'mp4' || info.container === 'mov';

  if (opts.mode === 'direct' || (!opts.mode && directMime && !pickedNonDefault)) {
    return {
      mode: 'direct',
      video: video && { stream: video.index, action: 'copy' },
      audio: audio && { stream: audio.index, action: 'copy' },
      input: { kind: 'pipe', format: info.formatName },
      mime: directMime ?? fallbackMime(info),
      reason:
        opts.mode === 'direct' ? 'direct was asked for' : `${info.container} with codecs the client decodes`,
    };
  }

  // Forced remux copies whatever the MP4 muxer accepts and re-encodes only the rest (so it can still
  // become a transcode, and says so); forced transcode re-encodes both; auto copies what the client decodes.
  const force = opts.mode;
  const copyVideo = (s: MediaStream) =>
    force === 'transcode'
      ? false
      : force === 'remux'
        ? MP4_VIDEO.has(s.codec)
        : decodesVideo(caps, s) && !copySpoils(info, s);
  const copyAudio = (s: MediaStream) =>
    force === 'transcode' ? false : force === 'remux' ? MP4_AUDIO.has(s.codec) : decodesAudio(caps, s);
  const v: Plan['video'] = video && {
    stream: video.index,
    action: copyVideo(video) ? 'copy' : 'h264',
  };
  if (v?.action === 'h264' && video?.interlaced) v.deinterlace = true;
  if (v?.action === 'copy' && video?.codec === 'hevc') v.tag = 'hvc1';
  const a: Plan['audio'] = audio && { stream: audio.index, action: copyAudio(audio) ? 'copy' : 'aac' };
  if (a?.action === 'copy' && audio?.codec === 'aac') a.adtsToAsc = true;
  const reencoded = [
    v?.action === 'h264'
      ? `video ${video && videoName(video)}→h264${v.deinterlace ? ' (deinterlaced)' : ''}`
      : null,
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
        : `${info.container}: codecs the client decodes copied into fragmented MP4`,
  };
}

/**
 * A browser codec whose copy would still play badly, so it is re-encoded: interlaced video (browsers show
 * it combed; a re-encode can deinterlace it), and H.264 with B-frames in AVI, which stores no pts: FFmpeg
 * can only make them up in decode order, so reordered frames get timestamps going backwards.
 */
export function copySpoils(info: MediaInfo, video: MediaStream): boolean {
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

/** A video codec named with its depth when that matters to decoders ("h264 10-bit"). */
function videoName(video: MediaStream): string {
  return video.bitDepth && video.bitDepth > 8 ? `${video.codec} ${video.bitDepth}-bit` : video.codec;
}

/**
 * The Content-Type when the client can play the file's own bytes, else null. `assumeDesktop` (no caps
 * given): a desktop browser also plays WebM's VP8 and Vorbis, and any audio file (WAV's PCM…), which the
 * caps words do not name; a client that lists caps gets those re-encoded.
 */
function directType(
  info: MediaInfo,
  video: MediaStream | null,
  audio: MediaStream | null,
  caps: ClientCaps,
  assumeDesktop: boolean,
): string | null {
  const audioOk = !audio || decodesAudio(caps, audio);
  if (info.container === 'mp4' || info.container === 'mov') {
    // Safari plays HEVC only as `hvc1`; an `hev1` file is remuxed, which re-tags it.
    const videoOk =
      video && decodesVideo(caps, video) && (video.codec !== 'hevc' || video.codecTag === 'hvc1');
    if (video ? videoOk && audioOk : audio && audioOk) {
      return video ? 'video/mp4' : 'audio/mp4';
    }
    return null;
  }
  if (info.container === 'webm') {
    const webmVideo = video && WEBM_VIDEO.has(video.codec) && (decodesVideo(caps, video) || assumeDesktop);
    const webmAudio = !audio || (WEBM_AUDIO.has(audio.codec) && (decodesAudio(caps, audio) || assumeDesktop));
    if (video ? webmVideo && webmAudio : audio && webmAudio) return video ? 'video/webm' : 'audio/webm';
    return null;
  }
  if (!video && audio && (assumeDesktop || audioOk)) return AUDIO_CONTAINERS[info.container] ?? null;
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
