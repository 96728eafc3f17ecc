/**
 * A save asked for often (a player reports its position every few seconds) written at most once per
 * `delayMs`: the first request starts the wait, the ones during it ride along, and a full save made meanwhile
 * (`cancel`) covers them all. The timer does not keep the process alive: shutdown saves anyway.
 */
export class CoalescedSave {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly save: () => void,
  ) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.delayMs);
    this.timer.unref?.();
  }

  /** A save is about to write everything: the pending one has nothing left to do. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}
