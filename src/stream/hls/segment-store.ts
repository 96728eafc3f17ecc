/**
 * A rendition's segments on disk: the init segment and numbered media segments, each written whole
 * (a temporary name, then a rename) so a reader never sees half a segment. What is stored is known in
 * memory; a directory left by an earlier run is taken as it is, since its name fixes everything that
 * decides the bytes (see HlsService's rendition key).
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^(\d{1,6})\.m4s$/;

export class SegmentStore {
  readonly #stored = new Set<number>();
  #init = false;
  #bytes = 0;

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<SegmentStore> {
    await mkdir(dir, { recursive: true });
    const store = new SegmentStore(dir);
    for (const name of await readdir(dir)) {
      const match = SEGMENT.exec(name);
      if (name !== 'init.mp4' && !match) {
        await rm(join(dir, name), { force: true }); // an interrupted write
        continue;
      }
      store.#bytes += (await stat(join(dir, name))).size;
      if (match) store.#stored.add(Number(match[1]));
      else store.#init = true;
    }
    return store;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get hasInit(): boolean {
    return this.#init;
  }

  has(segment: number): boolean {
    return this.#stored.has(segment);
  }

  get initPath(): string {
    return join(this.dir, 'init.mp4');
  }

  segmentPath(segment: number): string {
    return join(this.dir, `${segment}.m4s`);
  }

  async writeInit(bytes: Buffer): Promise<void> {
    if (this.#init) return;
    await this.#write(this.initPath, [bytes]);
    this.#init = true;
  }

  async writeSegment(segment: number, parts: Buffer[]): Promise<void> {
    if (this.#stored.has(segment)) return;
    await this.#write(this.segmentPath(segment), parts);
    this.#stored.add(segment);
  }

  async #write(path: string, parts: Buffer[]): Promise<void> {
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    await writeFile(temporary, parts);
    await rename(temporary, path);
    this.#bytes += parts.reduce((n, p) => n + p.length, 0);
  }
}
