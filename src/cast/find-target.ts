/** Finds the renderer `--cast` names, on the network of the server's address. */

import { searchDlna } from './dlna-discovery.js';
import { DlnaRenderer } from './dlna-renderer.js';
import { findRenderer } from './find-renderer.js';
import type { CastTarget } from './target.js';
import type { Renderer } from './types.js';

/** Long enough for SSDP's MX (3 s) and a retry; short enough that a typo is told soon. */
export const SEARCH_MS = 6000;

/** Finds the renderer on the LAN of `host` (the server's address, which it will fetch from). */
export async function findTarget(target: CastTarget, host: string, timeoutMs = SEARCH_MS): Promise<Renderer> {
  if (target.kind === 'dlna') {
    const device = await findRenderer(searchDlna(host), {
      wanted: target.name,
      timeoutMs,
      what: 'DLNA renderer',
      hint: `is the TV on, and on the network of ${host}?`,
    });
    return new DlnaRenderer(device);
  }
  // castv2's protobuf stack loads only for a Chromecast.
  const { Chromecast, searchChromecasts } = await import('./chromecast.js');
  const found = await findRenderer(searchChromecasts, {
    wanted: target.name,
    timeoutMs,
    what: 'Chromecast',
    hint: `is it on, and on the network of ${host}?`,
  });
  return new Chromecast(found);
}
