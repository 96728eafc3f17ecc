/**
 * V8 settings for a long-running server, applied in-process before the rest of the program loads (main.ts
 * imports this first). Node's command line is not an option: a shebang with arguments breaks under some
 * `env`s, and re-executing node would stand between the user's Ctrl-C and the server.
 *
 * - The young generation keeps its initial 1 MiB semi-space (V8 sizes the heap from its command line only,
 *   but reads the growth factor each time it would grow it), instead of growing to 16 MiB as startup and
 *   streaming allocate. Collected more often, it also frees sooner the Buffers of chunks already sent,
 *   whose memory is outside the heap and goes only when a collection finds them dead.
 * - No optimizing compiler while the program loads: that code runs once (module bodies, schema compilers),
 *   so optimizing it is wasted, and TurboFan's compile memory stays behind in malloc's per-thread arenas.
 *   Nor the baseline compiler (Sparkplug): the machine code it makes for that run-once code stays in the
 *   idle server's code space. `startupDone()` turns both back on for the code that serves.
 * - Once listening, every full collection compacts: what loading left behind is scattered over old-space
 *   pages that V8's own heuristic leaves mostly in place, so the idle server kept ~1 MiB of pages that hold
 *   little. With a heap this small, a compacting full collection costs a few milliseconds, and full
 *   collections are rare (the memory reducer's at idle; streaming's garbage dies young).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--no-turbofan');
setFlagsFromString('--no-sparkplug');

/** Call once the server listens: from here on hot code is worth optimizing. */
export function startupDone(): void {
  setFlagsFromString('--turbofan');
  setFlagsFromString('--sparkplug');
  setFlagsFromString('--compact-on-every-full-gc');
}
