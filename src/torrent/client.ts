/**
 * Starts the webtorrent client and waits until it listens; a taken default port falls back to a random one.
 * Its trackers, web seeds and peers connect only where the outbound policy allows (outbound.ts).
 */
import WebTorrent from 'webtorrent';
import type { OutboundPolicy } from './address-policy.js';
import { OutboundGuard } from './outbound.js';
import { assertSupportedWebtorrent } from './webtorrent-internals.js';

export interface ClientSettings {
  torrentPort: number;
  /** When the port is taken, listen on a random one instead of failing. */
  portFallback: boolean;
  dht: boolean;
  lsd: boolean;
  natUpnp: boolean;
  natPmp: boolean;
  utp: boolean;
  tracker: boolean;
  /** Bytes per second over all peers; undefined: unlimited. */
  downloadLimit?: number;
  uploadLimit?: number;
  /** Where torrent-supplied trackers, web seeds and peers may take the client. */
  outbound: OutboundPolicy;
  /** Told what was not contacted, and why. */
  warn: (message: string) => void;
}

/** The client, and the guard its connections go through: closed together. */
class GuardedClient extends WebTorrent {
  guard?: OutboundGuard;

  override destroy(cb?: (err?: Error | null) => void): void {
    void this.guard?.close().catch(() => {});
    super.destroy(cb);
  }
}

export async function startClient(settings: ClientSettings): Promise<WebTorrent> {
  // An unverified webtorrent fails the engine's start, not a stream or a dial later on.
  assertSupportedWebtorrent();
  try {
    return await listen(settings, settings.torrentPort);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !settings.portFallback) throw err;
    return listen(settings, 0);
  }
}

function listen(settings: ClientSettings, port: number): Promise<WebTorrent> {
  const guard = new OutboundGuard(settings.outbound, settings.warn);
  const client = new GuardedClient({
    dht: settings.dht,
    lsd: settings.lsd,
    natUpnp: settings.natUpnp,
    natPmp: settings.natPmp,
    utp: settings.utp,
    // HTTP trackers fetch through the guard's dispatcher (bittorrent-tracker hands it to fetch).
    tracker: settings.tracker
      ? { proxyOpts: { httpAgent: guard.dispatcher, httpsAgent: guard.dispatcher } }
      : false,
    // webtorrent's web seeds fetch unchecked: the guard adds its own (outbound.ts).
    webSeeds: false,
    torrentPort: port,
    // -1 is webtorrent's "unlimited".
    downloadLimit: settings.downloadLimit ?? -1,
    uploadLimit: settings.uploadLimit ?? -1,
  });
  client.guard = guard;
  guard.watch(client);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      // A uTP failure is reported as an error but webtorrent carries on over TCP; only a dead client is fatal.
      if (!client.destroyed) return;
      client.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      client.removeListener('error', onError);
      resolve(client);
    };
    client.on('error', onError);
    client.once('listening', onListening);
  });
}
