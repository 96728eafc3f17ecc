/**
 * Which addresses a URL fetch may reach. A server that fetches user-supplied URLs must not become a way into
 * the network it sits in (SSRF): a .torrent URL on a public host may not redirect to loopback, private,
 * link-local or other non-public addresses. The check runs on the address actually connected to (the DNS
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

/** True for an address that is not on the public internet (loopback, private, link-local...). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  const family = isIP(bare);
  if (family === 0) return true; // not an address: never treat as public
  return nonPublic.check(bare, family === 4 ? 'ipv4' : 'ipv6');
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
