/**
 * Asks a Transmission peer for a magnet's metadata before its extended handshake arrives, not after.
 *
 * Transmission (2.x to 4.0) sends its protocol messages in batches from a 500 ms pulse: a batch is started
 * at one pulse and, when it holds an urgent message (its extended handshake, have-all), sent at the next.
 * A ut_metadata answer queued once that batch is out starts a batch of its own that waits 1–2 s more (its
 * "high priority" period, on a seconds clock): a lone transmission seeder sent the metadata ~3 s after its
 * extended handshake. A request it reads before its first pulse after the handshake is answered into the
 * batch of its extended handshake, so the first metadata piece comes with that handshake.
 *
 * Asking that early needs its id for ut_metadata, which Transmission fixes at 3 in every version, and ours,
 * which it learns from our extended handshake, sent with our handshake. The request goes a moment after
 * them: Transmission leaves whatever arrived with a peer's handshake unread until more data comes (or its
 * next pulse), so the request must arrive on its own to be read — with our extended handshake before it —
 * at once. Only the first piece (16 KiB of metadata, ~800 piece hashes): Transmission answers one metadata
 * request per pulse, so asking for more would not bring it sooner, and a piece past the end is rejected.
 */
import bencode from 'bencode';
import type { Torrent, Wire } from 'webtorrent';

/** Transmission's fixed extended-message id for ut_metadata (UT_METADATA_ID in libtransmission/peer-msgs). */
export const TRANSMISSION_UT_METADATA_ID = 3;
/** Long enough for the request to reach the peer apart from our handshake; far below its 500 ms pulse. */
export const EARLY_REQUEST_DELAY_MS = 15;

/** Azureus-style peer ids of Transmission: `-TR` and its version, e.g. `-TR3000-`; `peerId` is hex. */
export function isTransmissionPeer(peerId: string | null | undefined): boolean {
  return typeof peerId === 'string' && peerId.toLowerCase().startsWith('2d5452');
}

export function askTransmissionForMetadataEarly(torrent: Torrent): void {
  torrent.on('wire', (wire: Wire) => {
    if (torrent.metadata || !wire.peerExtensions?.extended || !isTransmissionPeer(wire.peerId)) return;
    setTimeout(() => {
      if (torrent.metadata || torrent.destroyed || wire.destroyed) return;
      wire.extended(TRANSMISSION_UT_METADATA_ID, bencode.encode({ msg_type: 0, piece: 0 }));
    }, EARLY_REQUEST_DELAY_MS).unref();
  });
}
