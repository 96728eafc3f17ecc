/**
 * SSDP for the MediaServer, through node-ssdp: NOTIFY alive (and byebye on stop) and answers to M-SEARCH,
 * on the IPv4 interfaces whose address the HTTP server binds (all of them for 0.0.0.0), never others.
 * node-ssdp leaves the multicast interface to the routing table and answers searches from anywhere the
 * socket hears: both are pinned here to the bound interfaces.
 */
import { networkInterfaces } from 'node:os';
import ssdp, { type RemoteInfo, type SsdpOptions } from 'node-ssdp';
import { CONNECTION_MANAGER, CONTENT_DIRECTORY, MEDIA_SERVER } from './description.js';
import { dlnaPaths } from './paths.js';

export interface BoundInterface {
  name: string;
  address: string;
  netmask: string;
}

/** The non-loopback IPv4 interfaces the server listens on when bound to `host`. */
export function boundInterfaces(host: string): BoundInterface[] {
  const any = host === '0.0.0.0' || host === '::';
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal && (any || a.address === host))
      .map((a) => ({ name, address: a.address, netmask: a.netmask })),
  );
}

function ipv4(address: string): number {
  return address.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function onSubnet(address: string, bound: BoundInterface): boolean {
  const mask = ipv4(bound.netmask);
  return (ipv4(address) & mask) >>> 0 === (ipv4(bound.address) & mask) >>> 0;
}

/** Answers searches only from the bound interfaces' subnets (the socket itself listens on 0.0.0.0:1900). */
class ScopedServer extends ssdp.Server {
  constructor(
    options: SsdpOptions,
    private readonly bound: BoundInterface[],
  ) {
    super(options);
  }

  override _respondToSearch(serviceType: string, rinfo: RemoteInfo): void {
    const address = rinfo.address.replace(/^::ffff:/, '');
    if (this.bound.some((b) => onSubnet(address, b))) super._respondToSearch(serviceType, rinfo);
  }
}

export interface AnnounceOptions {
  host: string;
  /** The HTTP port, for LOCATION. */
  port: number;
  udn: string;
  /** SERVER header: `OS/version UPnP/1.0 product/version`. */
  signature: string;
}

export interface Announcer {
  /** The interface addresses it announces on. */
  addresses: string[];
  /** Sends byebye and closes the sockets. */
  stop(): void;
}

/** Starts announcing; undefined when `host` has no interface to announce on (loopback, IPv6 only). */
export async function announce(options: AnnounceOptions): Promise<Announcer | undefined> {
  const bound = boundInterfaces(options.host);
  if (bound.length === 0) return undefined;
  const server = new ScopedServer(
    {
      udn: options.udn,
      ssdpSig: options.signature,
      // UPnP asks for a TTL of 2: the announcements stay on the local network.
      ssdpTtl: 2,
      adInterval: 30_000,
      interfaces: [...new Set(bound.map((b) => b.name))],
      // LOCATION is built per socket from its interface address.
      location: { protocol: 'http://', port: options.port, path: dlnaPaths.description },
      customLogger: () => {},
    },
    bound,
  );
  for (const usn of ['upnp:rootdevice', MEDIA_SERVER, CONTENT_DIRECTORY, CONNECTION_MANAGER]) {
    server.addUSN(usn);
  }
  await server.start();
  const addresses = bound.map((b) => b.address);
  for (const [address, socket] of Object.entries(server.sockets ?? {})) {
    if (addresses.includes(address)) socket.setMulticastInterface(address);
  }
  return { addresses: Object.keys(server.sockets ?? {}), stop: () => server.stop() };
}
