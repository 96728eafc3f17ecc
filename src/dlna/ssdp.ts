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

/**
 * Answers searches only from the bound interfaces' subnets (the socket itself listens on 0.0.0.0:1900), and
 * knows which of its datagrams are still being sent.
 */
class ScopedServer extends ssdp.Server {
  private readonly sending = new Set<Promise<void>>();

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

  override _send(...args: unknown[]): void {
    const last = args.at(-1);
    const done = typeof last === 'function' ? (last as (...result: unknown[]) => void) : undefined;
    let sent!: () => void;
    const pending = new Promise<void>((resolve) => {
      sent = resolve;
    });
    this.sending.add(pending);
    const callback = (...result: unknown[]) => {
      this.sending.delete(pending);
      sent();
      done?.(...result);
    };
    super._send(...(done ? args.slice(0, -1) : args), callback);
  }

  /**
   * Byebye, then the sockets closed. node-ssdp's own stop() closes them in the tick it sends byebye in,
   * which drops the datagrams: renderers would list a server that is gone until its max-age (30 min).
   */
  async byebye(): Promise<void> {
    this.advertise(false);
    await Promise.all(this.sending);
    this.stop();
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
  /** Sends byebye and closes the sockets once it is out. */
  stop(): Promise<void>;
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
  return { addresses: Object.keys(server.sockets ?? {}), stop: () => server.byebye() };
}
