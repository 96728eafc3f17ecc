/**
 * Play positions of local files (`streamtide ./film.mkv`), kept across restarts as a torrent's are: one JSON
 * file in the download folder, by each file's id (a hash of its real path), written shortly after a change
 * (a player reports every few seconds) and at close, the way the engine's state file is (state-file.ts). A
 * file that cannot be read is moved aside, never written over; what is in it is read leniently
 * (PlayPositions skips what is not a position).
 */
import { CoalescedSave } from './coalesced-save.js';
import type { SavedPositions } from './play-positions.js';
import { moveAside, readStateFile, writeStateFile } from './state-file.js';

export const LOCAL_POSITIONS_FILE = 'streamtide-local-positions.json';
/** Changes within this long are written together. */
const SAVE_DELAY_MS = 2000;

export class LocalPositionsFile {
  private saved: Record<string, unknown> = {};
  private readonly soon = new CoalescedSave(SAVE_DELAY_MS, () => void this.flush());
  private writing: Promise<void> = Promise.resolve();
  /** Set when the file could be neither read nor moved aside: it is left as it is. */
  private keepOff = false;

  private constructor(
    private readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(path: string, warn: (message: string) => void = () => {}): Promise<LocalPositionsFile> {
    const file = new LocalPositionsFile(path, warn);
    const read = await readStateFile(path);
    if (read.kind === 'absent') return file;
    const value = read.kind === 'read' ? read.value : undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      file.saved = value as Record<string, unknown>;
      return file;
    }
    const why = read.kind === 'unreadable' ? read.why : 'not a JSON object';
    await moveAside(path).then(
      (aside) => warn(`${path} could not be read (${why}): moved to ${aside}`),
      () => file.unreadable(why),
    );
    return file;
  }

  private unreadable(why: string): void {
    this.keepOff = true;
    this.warn(`${this.path} could not be read (${why}): local files' play positions are not saved`);
  }

  /** What was saved for the file `id` (unchecked). */
  get(id: string): unknown {
    return this.saved[id];
  }

  /** The file `id`'s positions are now `positions`: written soon. */
  changed(id: string, positions: SavedPositions | undefined): void {
    if (positions) this.saved[id] = positions;
    else delete this.saved[id];
    this.soon.request();
  }

  /** Writes what changed now (one write at a time, the last one winning). */
  flush(): Promise<void> {
    this.soon.cancel();
    if (this.keepOff) return this.writing;
    const body = `${JSON.stringify(this.saved)}\n`;
    this.writing = this.writing
      .then(() => writeStateFile(this.path, body, 0o600))
      .catch((err: Error) => this.warn(`could not save local files' play positions: ${err.message}`));
    return this.writing;
  }
}
