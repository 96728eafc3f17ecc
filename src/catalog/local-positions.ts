/**
 * Play positions of local files (`streamtide ./film.mkv`), kept across restarts as a torrent's are: one JSON
 * file in the download folder, by each file's id (a hash of its real path), written shortly after a change
 * (a player reports every few seconds) and at close. A file that cannot be read is moved aside, never
 * written over; what is in it is read leniently (PlayPositions skips what is not a position).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { SavedPositions } from './play-positions.js';

export const LOCAL_POSITIONS_FILE = 'streamtide-local-positions.json';
/** Changes within this long are written together. */
const SAVE_DELAY_MS = 2000;

export class LocalPositionsFile {
  private saved: Record<string, unknown> = {};
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Set when the file could be neither read nor moved aside: it is left as it is. */
  private keepOff = false;

  private constructor(
    private readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(path: string, warn: (message: string) => void = () => {}): Promise<LocalPositionsFile> {
    const file = new LocalPositionsFile(path, warn);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') file.unreadable((err as Error).message);
    }
    if (text === undefined) return file;
    try {
      const value: unknown = JSON.parse(text);
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      file.saved = value as Record<string, unknown>;
    } catch (err) {
      const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(path, aside).then(
        () => warn(`${path} could not be read (${(err as Error).message}): moved to ${aside}`),
        () => file.unreadable((err as Error).message),
      );
    }
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
    this.timer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS);
    // Shutdown flushes: the timer need not keep the process alive.
    this.timer.unref();
  }

  /** Writes what changed now (one write at a time, the last one winning). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.keepOff) return this.writing;
    const body = `${JSON.stringify(this.saved)}\n`;
    this.writing = this.writing
      .then(() => replace(this.path, body))
      .catch((err: Error) => this.warn(`could not save local files' play positions: ${err.message}`));
    return this.writing;
  }
}

/** A temporary file renamed over `path`: a crash leaves the old file or the new one, never half of one. */
async function replace(path: string, body: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
