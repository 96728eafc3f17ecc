/**
 * Bytes this engine has downloaded and uploaded since it started, over every torrent it ever held: counters
 * for operators (a torrent's own totals go when it is removed; these never go down).
 */
import type { Torrent } from 'webtorrent';

export class TransferTotals {
  downloaded = 0;
  uploaded = 0;

  count(torrent: Torrent): void {
    torrent.on('download', (bytes: number) => {
      this.downloaded += bytes;
    });
    torrent.on('upload', (bytes: number) => {
      this.uploaded += bytes;
    });
  }
}
