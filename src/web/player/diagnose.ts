/** Why a stream failed: the `<video>` element only says "error", the server's answer says what. */
import { request } from '../api.js';

const mediaErrors: Record<number, string> = {
  1: 'playback was aborted',
  2: 'a network error interrupted the stream',
  3: 'the browser could not decode the stream',
  4: 'the browser cannot play this format',
};

/** What a MediaError code means, in words. */
export const mediaErrorText = (code: number | undefined) =>
  (code && mediaErrors[code]) || `media error ${code ?? 'unknown'}`;

export async function diagnoseStream(url: string, code: number): Promise<string> {
  const controller = new AbortController();
  try {
    // One byte is enough to see the status; aborting right after stops any FFmpeg it started.
    await request(url, { signal: controller.signal, headers: { Range: 'bytes=0-0' } });
    return `Playback failed: ${mediaErrorText(code)}.`;
  } catch (err) {
    return `The stream failed: ${(err as Error).message}`;
  } finally {
    controller.abort();
  }
}
