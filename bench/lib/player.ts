/**
 * The constrained-swarm section's player: it starts once it holds `START_BUFFER_S` of media, then plays at
 * real time (one second of media per second); when the playhead reaches the end of what it holds it stalls
 * until it holds `START_BUFFER_S` ahead again. It reads as fast as the server sends (a browser's buffer is
 * larger than anything a window of this length fills). Its input is when each amount of media was complete
 * (`Arrival`s), however the bytes were turned into media time (mp4-timeline.ts, fmp4-clock.ts).
 */

export const START_BUFFER_S = 2;

export interface Arrival {
  /** Milliseconds since the reference (the add, or the peer's HTTP server answering). */
  ms: number;
  /** Seconds of media complete from where playback starts. */
  media: number;
}

export interface Playback {
  /** Reference → `START_BUFFER_S` of media held; null when it never got there. */
  startupMs: number | null;
  /** Stalled time within the window after the start, and how many stalls. */
  stallMs: number;
  stalls: number;
  windowMs: number;
  /** Stalled time / window. */
  rebufferRatio: number;
}

/** When `arrivals` first hold `seconds` of media (ms since the reference), or null. */
export function reached(arrivals: Arrival[], seconds: number): number | null {
  return arrivals.find((a) => a.media >= seconds)?.ms ?? null;
}

/** Plays `arrivals` for `windowMs` after the start; `mediaS` is the media's length from its start. */
export function play(arrivals: Arrival[], windowMs: number, mediaS: number): Playback {
  const startAt = arrivals.findIndex((a) => a.media >= Math.min(START_BUFFER_S, mediaS));
  if (startAt < 0) return { startupMs: null, stallMs: windowMs, stalls: 0, windowMs, rebufferRatio: 1 };
  const startupMs = arrivals[startAt]!.ms;
  const end = startupMs + windowMs;
  let clock = startupMs;
  let playhead = 0;
  let held = arrivals[startAt]!.media;
  let stalledSince: number | null = null;
  let stallMs = 0;
  let stalls = 0;
  for (let i = startAt + 1; i <= arrivals.length; i++) {
    const next = Math.min(arrivals[i]?.ms ?? end, end);
    if (stalledSince === null) {
      const runsOutAt = clock + (held - playhead) * 1000;
      if (runsOutAt < next && held < mediaS) {
        playhead = held;
        stalledSince = runsOutAt;
        stalls++;
      } else playhead += (next - clock) / 1000;
    }
    clock = next;
    if (clock >= end) break;
    held = arrivals[i]!.media;
    if (stalledSince !== null && held >= Math.min(playhead + START_BUFFER_S, mediaS)) {
      stallMs += clock - stalledSince;
      stalledSince = null;
    }
  }
  if (stalledSince !== null) stallMs += end - stalledSince;
  return { startupMs, stallMs, stalls, windowMs, rebufferRatio: stallMs / windowMs };
}
