/**
 * What HLS serves of a file for one client: one video rendition and one rendition per audio stream, each
 * copied when the client decodes it and fMP4 carries it, else encoded (H.264, AAC), and the segment times
 * every rendition is cut at. Pure data from the probe, the keyframe index and the client's caps, like
 * the progressive plan; the encoders only execute it.
 */
import { type ClientCaps, DESKTOP_CAPS, decodesAudio, decodesVideo } from '../client-caps.js';
import type { KeyframeIndex } from '../keyframes/index.js';
import type { MediaInfo, MediaStream } from '../media-info.js';
import { copySpoils, PlanError } from '../plan.js';
import { audioCodec, codecString, encodedH264 } from './codec-strings.js';
import { h264Level } from './h264-level.js';
import { fixedSegmentTimes, keyframeSegmentTimes, type SegmentTimes } from './segment-times.js';

export interface HlsVideo {
  id: 'video-copy' | 'video-h264';
  stream: number;
  codecs: string;
  width: number;
  height: number;
  frameRate?: number;
  /** Copied HEVC goes out as `hvc1`, the only tag Safari plays. */
  tag?: 'hvc1';
  deinterlace?: true;
  /** Encoded video: the H.264 level_idc its CODECS names, given to the encoder so they agree. */
  level?: number;
}

export interface HlsAudio {
  /** `audio<position>-copy|aac`: the URL names what the rendition holds, so plans sharing it share it. */
  id: string;
  stream: number;
  /** Index among the file's audio streams (the `audio=` of the API). */
  position: number;
  action: 'copy' | 'aac';
  adtsToAsc?: true;
  codecs: string;
  channels: number;
  language: string | null;
  name: string;
  default: boolean;
}

export interface HlsPlan {
  times: SegmentTimes;
  /** Source time of playlist time 0 (the file's start time). */
  startTime: number;
  video: HlsVideo | null;
  audios: HlsAudio[];
  /** Why the video is encoded, when it is ("no keyframe index", "hevc not decoded"…). */
  reason: string;
}

export interface HlsPlanRequest {
  caps?: ClientCaps;
  /** The default audio rendition (index among audio streams); default: the file's default, else the first. */
  audio?: number;
  /** The video's keyframe index, for cutting copied video; null: no usable index, the video is encoded. */
  keyframes: KeyframeIndex | null;
}

/** A file HLS cannot serve: no duration to build a complete playlist from. */
export class HlsPlanError extends Error {
  readonly statusCode = 415;
}

/** Audio HLS may copy into fMP4 when the client decodes it; MP3 is not taken by HLS players in fMP4. */
const HLS_COPY_AUDIO = new Set(['aac', 'ac3', 'eac3', 'opus', 'flac']);

export function planHls(info: MediaInfo, request: HlsPlanRequest): HlsPlan {
  const duration = info.duration;
  if (duration === null || !(duration > 0)) {
    throw new HlsPlanError('the file does not say how long it is, so no complete playlist can be made');
  }
  const caps = request.caps ?? DESKTOP_CAPS;
  const source = info.streams.find((s) => s.type === 'video' && !s.attachedPic) ?? null;
  const audios = info.streams.filter((s) => s.type === 'audio');
  if (request.audio !== undefined && !(request.audio >= 0 && request.audio < audios.length)) {
    throw new PlanError(
      `audio=${request.audio} is out of range: the file has ${audios.length} audio stream(s)`,
    );
  }
  const chosen =
    request.audio ??
    Math.max(
      0,
      audios.findIndex((s) => s.default),
    );
  const plannedAudios = audios.map((s, position) => hlsAudio(s, position, position === chosen, caps));

  const common = { startTime: info.startTime, audios: plannedAudios };
  if (!source) return { ...common, times: fixedSegmentTimes(duration), video: null, reason: '' };
  const copy = copiedVideo(info, source, caps, request.keyframes, duration);
  if (copy.video) return { ...common, times: copy.times, video: copy.video, reason: '' };
  return { ...common, times: fixedSegmentTimes(duration), video: encodedVideo(source), reason: copy.reason };
}

type CopyAttempt = { video: HlsVideo; times: SegmentTimes; reason?: never } | { video: null; reason: string };

/**
 * Whether the file's video could be copied for this client, given a keyframe index: the caller reads the
 * index (which may mean fetching a torrent's last pieces) only then.
 */
export function wantsKeyframes(info: MediaInfo, caps: ClientCaps = DESKTOP_CAPS): boolean {
  const s = info.streams.find((v) => v.type === 'video' && !v.attachedPic);
  return s !== undefined && typeof uncopyable(info, s, caps) !== 'string';
}

/** Why the video cannot be copied whatever the index says, or its codec string. */
function uncopyable(info: MediaInfo, s: MediaStream, caps: ClientCaps): string | { codecs: string } {
  if (!decodesVideo(caps, s)) return `the client does not decode ${s.codec}`;
  if (copySpoils(info, s)) return `${s.codec} in ${info.container} plays badly copied`;
  const codecs = codecString({ ...s, profile: s.profile ?? null, level: s.level ?? null });
  return codecs ? { codecs } : `${s.codec} has no HLS codec string`;
}

/** Copied video needs a client that decodes it, a codec string, and keyframes at most 6 s apart. */
function copiedVideo(
  info: MediaInfo,
  s: MediaStream,
  caps: ClientCaps,
  keyframes: KeyframeIndex | null,
  duration: number,
): CopyAttempt {
  const verdict = uncopyable(info, s, caps);
  if (typeof verdict === 'string') return { video: null, reason: verdict };
  const { codecs } = verdict;
  if (!keyframes || keyframes.times.length === 0) {
    return { video: null, reason: `${info.container} gives no keyframe index to cut copied video at` };
  }
  const times = keyframeSegmentTimes(
    keyframes.times.map((t) => t - info.startTime),
    duration,
  );
  if (!times) return { video: null, reason: 'keyframes are more than 6 s apart' };
  const video: HlsVideo = {
    id: 'video-copy',
    stream: s.index,
    codecs,
    width: s.width ?? 0,
    height: s.height ?? 0,
    ...(s.frameRate ? { frameRate: s.frameRate } : {}),
  };
  if (s.codec === 'hevc') video.tag = 'hvc1';
  return { video, times };
}

function encodedVideo(s: MediaStream): HlsVideo {
  const width = s.width ?? 1280;
  const height = s.height ?? 720;
  const video: HlsVideo = {
    id: 'video-h264',
    stream: s.index,
    codecs: encodedH264(width, height, s.frameRate),
    width,
    height,
    level: h264Level(width, height, s.frameRate),
    ...(s.frameRate ? { frameRate: s.frameRate } : {}),
  };
  if (s.interlaced) video.deinterlace = true;
  return video;
}

function hlsAudio(s: MediaStream, position: number, isDefault: boolean, caps: ClientCaps): HlsAudio {
  const copied =
    HLS_COPY_AUDIO.has(s.codec) && decodesAudio(caps, s)
      ? audioCodec({ ...s, profile: s.profile ?? null })
      : null;
  const action = copied ? 'copy' : 'aac';
  const audio: HlsAudio = {
    id: `audio${position}-${action}`,
    stream: s.index,
    position,
    action,
    codecs: copied ?? 'mp4a.40.2',
    channels: copied ? (s.channels ?? 2) : Math.min(2, s.channels ?? 2),
    language: s.language,
    name: s.title ?? s.language ?? `Audio ${position + 1}`,
    default: isDefault,
  };
  if (copied && s.codec === 'aac') audio.adtsToAsc = true;
  return audio;
}

/** The rendition of `plan` an URL names, or null. */
export function renditionOf(plan: HlsPlan, id: string): { video: HlsVideo } | { audio: HlsAudio } | null {
  if (plan.video?.id === id) return { video: plan.video };
  const audio = plan.audios.find((a) => a.id === id);
  return audio ? { audio } : null;
}
