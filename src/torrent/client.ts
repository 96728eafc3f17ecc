/** Starts the webtorrent client and waits until it listens; a taken default port falls back to a random one. */
import WebTorrent from 'webtorrent';
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
  const client = new WebTorrent({
    dht: settings.dht,
    lsd: settings.lsd,
    natUpnp: settings.natUpnp,
    natPmp: settings.natPmp,
    utp: settings.utp,
    tracker: settings.tracker ? {} : false,
    torrentPort: port,
    // -1 is webtorrent's "unlimited".
    downloadLimit: settings.downloadLimit ?? -1,
    uploadLimit: settings.uploadLimit ?? -1,
  });
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
