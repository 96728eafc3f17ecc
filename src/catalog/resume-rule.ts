/**
 * When a saved play position is worth resuming, one rule for the web player, the CLI and the home page: past
 * the first few seconds (nothing to skip) and short of the end, where the credits roll — a file stopped there
 * counts as watched and starts over next time. Pure: the browser bundle imports it too.
 */

/** A position this early is no position: starting over costs nothing. */
export const RESUME_AFTER_SECONDS = 5;
/** The end: the last 10 seconds, or the last 5 % of a long file (its credits). */
const END_SECONDS = 10;
const END_FRACTION = 0.05;

/** Whether `seconds` into a file of `duration` seconds means it was watched to the end. */
export function watchedToEnd(seconds: number, duration: number | undefined): boolean {
  if (duration === undefined || !(duration > 0)) return false;
  return duration - seconds <= Math.max(END_SECONDS, duration * END_FRACTION);
}

/** Where to resume, or null to start at the beginning (too early to matter, or watched to the end). */
export function resumePoint(seconds: number, duration: number | undefined): number | null {
  if (!Number.isFinite(seconds) || seconds < RESUME_AFTER_SECONDS) return null;
  return watchedToEnd(seconds, duration) ? null : seconds;
}
