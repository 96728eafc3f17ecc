/**
 * The engine's torrents across restarts, through the state file (state-store.ts). At start the saved torrents
 * are resumed, or, on a one-shot run (`restore: false`), kept as they were: saved again untouched by every
 * write, and resumed only when the user adds one of them again (`take`). Resumed torrents are not announced
 * as 'added' (the server's log says what the user did, not what a restart brought back). Small frequent
 * changes (play positions) are written coalesced, at most once per POSITION_SAVE_MS, and with every save.
 */
import { CoalescedSave } from '../catalog/coalesced-save.js';
import { parseInput } from './parse-input.js';
import { type SavedTorrent, StateStore, savedBitfield } from './state-store.js';
import { TorrentRecord } from './torrent-record.js';

/** How long a change that can wait (a play position) waits to be written: what a crash could lose of it. */
export const POSITION_SAVE_MS = 10_000;

export class Persistence {
  private readonly store: StateStore | null;
  private readonly soon = new CoalescedSave(POSITION_SAVE_MS, () => void this.saveOrWarn());
  private closed = false;

  constructor(
    dir: string,
    enabled: boolean,
    private readonly records: ReadonlyMap<string, TorrentRecord>,
    private readonly warn: (message: string) => void,
  ) {
    this.store = enabled ? new StateStore(dir, warn) : null;
  }

  /** Resumes every saved torrent through `resume` (a failure is a warning), or keeps them all when `restore` is off. */
  async restore(restore: boolean, resume: (saved: SavedTorrent) => Promise<void>): Promise<void> {
    if (!this.store) return;
    const torrents = await this.store.load();
    if (!restore) return this.store.keep(torrents);
    for (const saved of torrents) {
      try {
        await resume(saved);
      } catch (err) {
        this.warn(`could not restore ${saved.infoHash}: ${(err as Error).message}`);
      }
    }
  }

  /** A kept torrent being added again: its saved pieces and dates, and from now on it is saved live. */
  take(infoHash: string): SavedTorrent | undefined {
    return this.store?.take(infoHash);
  }

  /** Puts a taken torrent back (its add failed). */
  keep(saved: SavedTorrent): void {
    this.store?.keep([saved]);
  }

  /** Writes every live torrent (and the kept ones); rejects when the write fails. Nothing after saveLast. */
  async save(): Promise<void> {
    if (this.closed) return;
    this.soon.cancel();
    await this.store?.save([...this.records.values()].map((record) => record.saved()));
  }

  /** A save within POSITION_SAVE_MS, shared with every other change until then. */
  saveSoon(): void {
    if (this.store && !this.closed) this.soon.request();
  }

  /**
   * The engine's last save, as it shuts down: one asked for later (a torrent turning ready as it closes)
   * would land after it, on a state file that another engine may own by then.
   */
  saveLast(): Promise<void> {
    const last = this.saveOrWarn();
    this.closed = true;
    return last;
  }

  /** Saves, warning instead of failing: a state file that cannot be written (a full disk) stops nothing else. */
  saveOrWarn(): Promise<void> {
    return this.save().catch((err: Error) => this.warn(`saving state failed: ${err.message}`));
  }
}

/** A saved torrent's new record and what to hand webtorrent for it; null when nothing was saved to add. */
export async function resumable(saved: SavedTorrent, folder: string) {
  const source = saved.torrent ? Buffer.from(saved.torrent, 'base64') : saved.magnet;
  if (!source) return null;
  const parsed = await parseInput(source);
  if (parsed.infoHash !== saved.infoHash) throw new Error('saved torrent does not match its info-hash');
  const extra = { magnet: saved.magnet, bitfield: savedBitfield(saved) };
  return { record: new TorrentRecord(saved.infoHash, folder, saved), torrentId: parsed.torrentId, extra };
}
