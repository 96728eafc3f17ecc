/**
 * Which addresses the engine may reach. A server that fetches user-supplied URLs must not become a way into
 * the network it sits in (SSRF): a .torrent URL on a public host may not redirect to loopback, private,
 * link-local or other non-public addresses, and what a torrent itself names (trackers, web seeds, peers) is
 * held to the OutboundPolicy (outbound.ts). The check runs on the address actually connected to (the DNS
 * lookup of each hop), so a name that resolves publicly for a check and privately for the connection cannot
 * slip through.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

/** How far from the public internet an address is: link-local (cloud metadata) is the most sensitive. */
export type AddressKind = 'public' | 'private' | 'link-local';

/** True for an address that is not on the public internet (loopback, private, link-local...). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  const family = isIP(bare);
  if (family === 0) return true; // not an address: never treat as public
  return nonPublic.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export function addressKind(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '');
  const unmapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1] ?? bare;
  const family = isIP(unmapped);
  if (family !== 0 && linkLocal.check(unmapped, family === 4 ? 'ipv4' : 'ipv6')) return 'link-local';
  return isPrivateAddress(unmapped) ? 'private' : 'public';
}

/**
 * Where what a torrent supplies (trackers, web seeds, peers) may make the engine connect. Loopback and private
 * addresses only when `lan` allows them (a server on loopback, or --allow-lan); link-local never.
 */
export interface OutboundPolicy {
  lan: boolean;
  /** How addresses are classed; tests stand 127.0.0.x addresses in for the internet and the LAN. */
  classify?: (address: string) => AddressKind;
}

/** Why `policy` refuses to connect to `address`, or undefined when it may. */
export function refusal(policy: OutboundPolicy, address: string): string | undefined {
  const kind = (policy.classify ?? addressKind)(address.replace(/^\[|\]$/g, ''));
  if (kind === 'link-local')
    return `${address} is link-local (where cloud metadata services live): never contacted`;
  if (kind === 'private' && !policy.lan) {
    return `${address} is a loopback or private address: refused off loopback without --allow-lan`;
  }
  return undefined;
}

/** A DNS lookup for http.request that hands every resolved address to `check` (which throws to refuse). */
export function checkedLookup(check: (address: string) => void): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      try {
        for (const each of addresses) check(each);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, address, family);
      }
      callback(null, address, family);
    });
  };
}
