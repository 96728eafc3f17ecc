/**
 * The last play position of each file of one catalog entry (a torrent, a local file): where a player stopped,
 * the file's duration when the server knew it, and when it was saved. A torrent's are saved with it in the
 * state file (src/torrent); the form they take there is `SavedPositions`, read back leniently.
 */

export interface PlayPosition {
  seconds: number;
  /** The file's duration in seconds, when it was known (probed) at the time. */
  duration?: number;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

/** As saved: by file index. */
export type SavedPositions = Record<string, PlayPosition>;

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export class PlayPositions {
  private readonly byFile = new Map<number, PlayPosition>();
  /** Told of every change (the torrent engine saves the state soon after). */
  onChange: () => void = () => {};

  /** From the saved form; entries that are not positions (a hand-edited file) are skipped. */
  constructor(saved?: unknown) {
    if (!saved || typeof saved !== 'object') return;
    for (const [key, value] of Object.entries(saved)) {
      const index = Number(key);
      const { seconds, duration, updatedAt } = (value ?? {}) as Partial<PlayPosition>;
      if (!Number.isSafeInteger(index) || index < 0 || !finite(seconds) || seconds < 0) continue;
      this.byFile.set(index, {
        seconds,
        ...(finite(duration) && duration > 0 ? { duration } : {}),
        updatedAt: finite(updatedAt) ? updatedAt : 0,
      });
    }
  }

  get(index: number): PlayPosition | undefined {
    return this.byFile.get(index);
  }

  set(index: number, position: PlayPosition): void {
    this.byFile.set(index, position);
    this.onChange();
  }

  /** The saved form; undefined when there is nothing to save. */
  saved(): SavedPositions | undefined {
    if (this.byFile.size === 0) return undefined;
    return Object.fromEntries([...this.byFile].map(([index, position]) => [String(index), position]));
  }
}
