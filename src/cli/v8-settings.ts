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
 * - From listening to the first request, every full collection compacts: what loading left behind is
 *   scattered over old-space pages that V8's own heuristic leaves mostly in place, so an idle server kept
 *   ~1 MiB of pages holding little (the memory reducer's collections, some seconds after listening, are the
 *   ones that compact). Serving then runs with V8's default, as before.
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

/** Call at the first request: from here on full collections compact only where V8 judges it worth it. */
export function servingStarted(): void {
  setFlagsFromString('--no-compact-on-every-full-gc');
}
