/**
 * A UPnP device description (the LOCATION an SSDP answer gives): its friendly name and the services we
 * call. Control URLs must stay on the description's own host: a device on the LAN does not get to point
 * our requests anywhere else.
 */
import type { Service } from './soap.js';
import { child, children, parseXml, readXml, text, type XmlValue } from './xml-read.js';

export interface DeviceDescription {
  name: string;
  location: string;
  services: Service[];
}

const TIMEOUT_MS = 3000;

/** The device and its embedded devices, depth first. */
function devices(device: XmlValue | undefined): XmlValue[] {
  if (!device) return [];
  const embedded = children(child(device, 'deviceList'), 'device');
  return [device, ...embedded.flatMap(devices)];
}

export function parseDescription(xml: string, location: string): DeviceDescription {
  const root = child(parseXml(xml), 'root');
  const base = text(child(root, 'URLBase')) || location;
  const all = devices(child(root, 'device'));
  const services: Service[] = [];
  for (const device of all) {
    for (const service of children(child(device, 'serviceList'), 'service')) {
      const serviceType = text(child(service, 'serviceType'));
      const control = text(child(service, 'controlURL'));
      if (!serviceType || !control) continue;
      const controlUrl = new URL(control, base);
      if (controlUrl.host !== new URL(location).host || !/^https?:$/.test(controlUrl.protocol)) continue;
      services.push({ serviceType, controlUrl: controlUrl.href });
    }
  }
  const name = text(child(all[0], 'friendlyName')) || new URL(location).host;
  return { name, location, services };
}

export async function fetchDescription(location: string): Promise<DeviceDescription> {
  const response = await fetch(location, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${location}: HTTP ${response.status}`);
  return parseDescription(await readXml(response), location);
}

/** The first service of a type (any version: `...:AVTransport:1` or `:2`). */
export function findService(device: DeviceDescription, type: string): Service | undefined {
  return device.services.find((s) => s.serviceType.startsWith(`urn:schemas-upnp-org:service:${type}:`));
}
