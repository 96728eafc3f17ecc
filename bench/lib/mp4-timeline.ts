/**
 * How much of a file's media a player holds after receiving its bytes in order: from the file's packet
 * table (ffprobe), the media time up to which every packet (video and audio) is complete. This is what a
 * player reading the raw file (streamtide's direct mode, webtorrent-cli, peerflix) can decode, counting the
 * MP4's index (`moov`, at the head) it needs first.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const run = promisify(execFile);

interface Packet {
  pts: number;
  pos: number;
  end: number;
  key: boolean;
  video: boolean;
}

export interface Timeline {
  duration: number;
  /** The video keyframe nearest to `seconds`. */
  keyframeNear(seconds: number): number;
  /** The first byte a player asks for to play from keyframe `keyframe` (the earliest packet at or after it). */
  byteOf(keyframe: number): number;
  /** A counter of the media (seconds past `keyframe`) complete once the bytes from `fromByte` are in. */
  reader(fromByte: number, keyframe: number): (bytesReceived: number) => number;
}

export async function mp4Timeline(path: string, duration: number): Promise<Timeline> {
  const { ffprobe } = await locateFfmpeg();
  const { stdout } = await run(
    ffprobe,
    [
      ...['-v', 'error', '-of', 'json'],
      ...['-show_entries', 'stream=index,codec_type:packet=stream_index,pts_time,pos,size,flags', path],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const probe = JSON.parse(stdout) as {
    streams: Array<{ index: number; codec_type: string }>;
    packets: Array<{ stream_index: number; pts_time: string; pos: string; size: string; flags: string }>;
  };
  const video = probe.streams.find((s) => s.codec_type === 'video')?.index;
  const packets: Packet[] = probe.packets.map((p) => ({
    pts: Number(p.pts_time),
    pos: Number(p.pos),
    end: Number(p.pos) + Number(p.size),
    key: p.flags.startsWith('K'),
    video: p.stream_index === video,
  }));
  const keyframes = packets
    .filter((p) => p.video && p.key)
    .map((p) => p.pts)
    .sort((a, b) => a - b);
  return {
    duration,
    keyframeNear: (seconds) =>
      keyframes.reduce((best, k) => (Math.abs(k - seconds) < Math.abs(best - seconds) ? k : best), 0),
    byteOf: (keyframe) => Math.min(...packets.filter((p) => p.pts >= keyframe).map((p) => p.pos)),
    reader(fromByte, keyframe) {
      // Packets this playback needs, by the byte that completes them; the media is complete up to the
      // earliest packet not yet complete.
      const needed = packets
        .filter((p) => p.pos >= fromByte && p.pts >= keyframe)
        .sort((a, b) => a.end - b.end);
      const earliestAfter: number[] = new Array(needed.length + 1);
      earliestAfter[needed.length] = duration;
      for (let i = needed.length - 1; i >= 0; i--) {
        earliestAfter[i] = Math.min(needed[i]!.pts, earliestAfter[i + 1]!);
      }
      let next = 0;
      return (bytesReceived) => {
        while (next < needed.length && needed[next]!.end <= fromByte + bytesReceived) next++;
        return Math.max(0, earliestAfter[next]! - keyframe);
      };
    },
  };
}
