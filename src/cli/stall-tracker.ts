/**
 * Turns a torrent's stalled/flowing state, sampled on every tick, into the two moments worth a log line:
 * it stalled (only once it has stayed so for a few ticks, so a moment's wait is not reported) and it resumed
 * (only after a reported stall).
 */
export class StallTracker {
  private stalledTicks = 0;
  private reported = false;

  constructor(private readonly ticksBeforeReport = 3) {}

  update(stalled: boolean): 'stalled' | 'resumed' | null {
    if (stalled) {
      this.stalledTicks++;
      if (this.reported || this.stalledTicks < this.ticksBeforeReport) return null;
      this.reported = true;
      return 'stalled';
    }
    this.stalledTicks = 0;
    if (!this.reported) return null;
    this.reported = false;
    return 'resumed';
  }
}
