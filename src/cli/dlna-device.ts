/** Who the DLNA MediaServer is: a UDN stable for a download folder (TVs remember servers by it) and a name. */
import { createHash } from 'node:crypto';
import { hostname, platform, release } from 'node:os';
import { resolve } from 'node:path';
import type { DeviceInfo } from '../dlna/description.js';
import { version } from '../version.js';

export function dlnaDevice(dir: string): DeviceInfo & { signature: string } {
  const hex = createHash('sha1')
    .update(`streamtide-dlna:${resolve(dir)}`)
    .digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return {
    udn: `uuid:${uuid}`,
    friendlyName: `streamtide on ${hostname()}`,
    version,
    signature: `${platform()}/${release()} UPnP/1.0 streamtide/${version}`,
  };
}
