/**
 * The requests reading each torrent (streams, probes, subtitles, covers, HLS), so that removing a torrent ends
 * them. Cutting a request's connection aborts what it started (the pump, FFmpeg) the way a client leaving
 * does; failing the torrent's reads is not enough, since FFmpeg reads a file that is whole on disk itself.
 */
import type { FastifyReply } from 'fastify';

export class TorrentRequests {
  readonly #open = new Map<string, Set<FastifyReply>>();

  /** The signal of a request on `infoHash`: it aborts when the client leaves or the torrent is removed. */
  signal(infoHash: string, reply: FastifyReply): AbortSignal {
    const abort = new AbortController();
    const open = this.#open.get(infoHash) ?? new Set<FastifyReply>();
    this.#open.set(infoHash, open);
    open.add(reply);
    reply.raw.on('close', () => {
      abort.abort();
      open.delete(reply);
      if (open.size === 0 && this.#open.get(infoHash) === open) this.#open.delete(infoHash);
    });
    return abort.signal;
  }

  /** Cuts every request on `infoHash` (a stream already going out cannot end cleanly: it was not whole). */
  end(infoHash: string): void {
    for (const reply of this.#open.get(infoHash) ?? []) reply.raw.destroy();
  }
}
