/** The `<video>` element's state as Preact state, kept current from its media events. */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface VideoState {
  currentTime: number;
  /** The element's own duration (direct play knows it; a live fMP4 stream usually does not). */
  duration: number;
  paused: boolean;
  muted: boolean;
  /** 0..1, apart from `muted`. */
  volume: number;
  /** Playback wants data it does not have (or the first frame has not arrived yet). */
  waiting: boolean;
  ended: boolean;
  /** Buffered ranges in the element's time. */
  buffered: Array<[number, number]>;
  /** MediaError code, or 0. */
  errorCode: number;
}

const initial: VideoState = {
  currentTime: 0,
  duration: Number.NaN,
  paused: true,
  muted: false,
  volume: 1,
  waiting: true,
  ended: false,
  buffered: [],
  errorCode: 0,
};

const events = [
  'loadstart',
  'loadedmetadata',
  'loadeddata',
  'canplay',
  'playing',
  'play',
  'pause',
  'waiting',
  'seeking',
  'seeked',
  'timeupdate',
  'progress',
  'volumechange',
  'durationchange',
  'ended',
  'error',
  'emptied',
];

function rangesOf(ranges: TimeRanges): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < ranges.length; i++) out.push([ranges.start(i), ranges.end(i)]);
  return out;
}

function snapshot(video: HTMLVideoElement, waiting: boolean): VideoState {
  return {
    currentTime: video.currentTime,
    duration: video.duration,
    paused: video.paused,
    muted: video.muted,
    volume: video.volume,
    waiting,
    ended: video.ended,
    buffered: rangesOf(video.buffered),
    errorCode: video.error?.code ?? 0,
  };
}

export function useVideoState(ref: RefObject<HTMLVideoElement | null>): VideoState {
  const [state, setState] = useState<VideoState>(initial);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let waiting = true;
    const onEvent = (event: Event) => {
      switch (event.type) {
        case 'loadstart':
        case 'waiting':
        case 'seeking':
        case 'emptied':
          waiting = true;
          break;
        case 'playing':
        case 'seeked':
        case 'canplay':
        case 'pause':
        case 'ended':
        case 'error':
          waiting = false;
          break;
        case 'timeupdate':
          // Time moving means data is there, whatever the last event said.
          if (!video.paused && video.readyState >= 3) waiting = false;
          break;
      }
      setState(snapshot(video, waiting));
    };
    for (const name of events) video.addEventListener(name, onEvent);
    setState(snapshot(video, waiting));
    return () => {
      for (const name of events) video.removeEventListener(name, onEvent);
    };
  }, [ref]);
  return state;
}
