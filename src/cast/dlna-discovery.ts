/**
 * DLNA renderers on the LAN: SSDP M-SEARCH for MediaRenderer devices (repeated, since UDP may drop it),
 * then each answer's device description. Only the interface holding the server's address searches, so
 * the renderers found are ones that can reach the stream.
 */
import { networkInterfaces } from 'node:os';
import ssdp from 'node-ssdp';
import type { Search } from './find-renderer.js';
import { type DeviceDescription, fetchDescription, findService } from './upnp-device.js';

export const MEDIA_RENDERER = 'urn:schemas-upnp-org:device:MediaRenderer:1';

const RESEARCH_MS = 1000;

/** The name of the interface that holds `address`, if any. */
export function interfaceOf(address: string): string | undefined {
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    if (infos?.some((info) => info.address === address)) return name;
  }
  return undefined;
}

export function searchDlna(host: string): Search<DeviceDescription> {
  return (onFound, onError) => {
    const iface = interfaceOf(host);
    const client = new ssdp.Client({ ...(iface ? { interfaces: [iface] } : {}), customLogger: () => {} });
    const asked = new Set<string>();
    let stopped = false;
    client.on('response', (headers) => {
      const location = typeof headers.LOCATION === 'string' ? headers.LOCATION : undefined;
      if (!location || asked.has(location) || !/^https?:\/\//i.test(location)) return;
      asked.add(location);
      fetchDescription(location).then(
        (device) => {
          // A renderer without AVTransport cannot be told what to play.
          if (!stopped && findService(device, 'AVTransport')) onFound(device);
        },
        () => asked.delete(location),
      );
    });
    const search = () => {
      Promise.resolve(client.search(MEDIA_RENDERER)).catch((err: Error) => onError(err));
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      search();
      timer = setInterval(search, RESEARCH_MS);
    } catch (err) {
      queueMicrotask(() => onError(err as Error));
    }
    return () => {
      stopped = true;
      clearInterval(timer);
      client.stop();
    };
  };
}
