/** Shared bits of the stream tests: running a streamer to the end and checking what came out. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressiveStreamer, StreamResult } from '../../src/stream/progressive-streamer.js';

/** Consumes the streamer's output; resolves with the bytes and the final result. */
export async function drain(streamer: ProgressiveStreamer): Promise<{ bytes: Buffer; result: StreamResult }> {
  const chunks: Buffer[] = [];
  streamer.output.on('data', (c: Buffer) => chunks.push(c));
  const result = await streamer.done;
  return { bytes: Buffer.concat(chunks), result };
}

export function writeTemp(bytes: Buffer, name: string): string {
  const path = join(tmpdir(), `streamtide-out-${process.pid}-${Date.now()}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Top-level MP4 boxes of a buffer, in order. */
export function topBoxes(buf: Buffer): Array<{ type: string; offset: number; size: number }> {
  const boxes: Array<{ type: string; offset: number; size: number }> = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    let size = buf.readUInt32BE(offset);
    if (size === 1) size = Number(buf.readBigUInt64BE(offset + 8));
    if (size < 8) break;
    boxes.push({ type: buf.toString('latin1', offset + 4, offset + 8), offset, size });
    offset += size;
  }
  return boxes;
}
