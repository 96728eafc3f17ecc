/**
 * MPEG-TS without its service description table (SDT, PID 0x11), for ffprobe. Newer FFmpeg decodes the
 * SDT's service names with iconv, and a static build (the npm ffprobe) then dlopens the system's gconv
 * module ISO_6937.so into itself and crashes (SIGSEGV) on every broadcast capture; a static ffmpeg of
 * that age would do the same while streaming, so its input is filtered too. The names are not
 * needed: those packets become null packets (PID 0x1FFF), so sizes and offsets stay the same and the
 * filtered source serves pipes and the seekable input alike.
 */
import type { DataSource, ReadOptions } from './data-source.js';

const SYNC = 0x47;
const SDT_PID = 0x11;

export interface TsLayout {
  packet: number;
  prefix: number;
}

/** The packet layout of a TS head: 188-byte packets, or 192 (M2TS: a 4-byte timestamp first), else null. */
export function tsLayout(head: Buffer): TsLayout | null {
  for (const [packet, prefix] of [
    [188, 0],
    [192, 4],
  ] as const) {
    const checks = Math.min(5, Math.floor(head.length / packet));
    let synced = checks > 0;
    for (let i = 0; i < checks && synced; i++) synced = head[prefix + i * packet] === SYNC;
    if (synced) return { packet, prefix };
  }
  return null;
}

export function withoutServiceNames(source: DataSource, layout: TsLayout): DataSource {
  const { packet, prefix } = layout;
  // No completePath: the file on disk still has the SDT, so FFmpeg must be fed these bytes by the pump.
  return {
    size: source.size,
    name: source.name,
    close: () => source.close(),
    async read(offset: number, length: number, options?: ReadOptions): Promise<Buffer> {
      // From the start of the first packet, so its header is seen; to the end of the last header cut by
      // the range. Not to the end of that packet: a torrent may not have those bytes yet.
      const start = Math.floor(offset / packet) * packet;
      const into = (offset + length) % packet;
      const end = offset + length + (into > 0 && into < prefix + 3 ? prefix + 3 - into : 0);
      const bytes = Buffer.from(await source.read(start, end - start, options));
      for (let at = prefix; at + 3 <= bytes.length; at += packet) {
        if (bytes[at] !== SYNC) continue;
        const pid = ((bytes[at + 1]! & 0x1f) << 8) | bytes[at + 2]!;
        if (pid !== SDT_PID) continue;
        bytes[at + 1] = (bytes[at + 1]! & 0xe0) | 0x1f;
        bytes[at + 2] = 0xff;
      }
      return bytes.subarray(offset - start, offset - start + length);
    },
  };
}
