// webtorrent-cli always starts its client with DHT, LSD, UPnP and NAT-PMP on, and has no flag to turn them off;
// the bench must not send a packet off 127.0.0.1. This loader hands webtorrent-cli (and only it) a WebTorrent
// with those four off; its command line, HTTP server and download logic are untouched. Casting modules,
// which search the LAN, are refused outright.
const refused = new Set(['chromecasts', 'airplay-js', 'dlnacasts', 'nodebmc']);

export async function resolve(specifier, context, nextResolve) {
  const fromCli = context.parentURL?.includes('/node_modules/webtorrent-cli/');
  if (fromCli && specifier === 'webtorrent') {
    return { url: new URL('./loopback-webtorrent.mjs', import.meta.url).href, shortCircuit: true };
  }
  if (fromCli && refused.has(specifier))
    throw new Error(`${specifier} is disabled in the bench (loopback only)`);
  return nextResolve(specifier, context);
}
