/**
 * Hears SSDP NOTIFYs inside a test's network namespace (ssdp-netns.test.ts), as a renderer does: joins
 * 239.255.255.250 on the given address and prints one JSON line per NOTIFY (`{ nt, nts, location }`), after
 * a first `{ "listening": true }`. Runs until killed.
 * Usage: node --import tsx ns-notify-listener.ts ADDRESS
 */
import dgram from 'node:dgram';

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (message) => {
  const [start, ...lines] = message.toString('utf8').split('\r\n');
  if (!start?.startsWith('NOTIFY')) return;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toUpperCase(), line.slice(colon + 1).trim());
  }
  const nt = headers.get('NT');
  const nts = headers.get('NTS');
  console.log(JSON.stringify({ nt, nts, location: headers.get('LOCATION') ?? null }));
});
socket.bind(1900, '0.0.0.0', () => {
  socket.addMembership('239.255.255.250', process.argv[2]!);
  console.log(JSON.stringify({ listening: true }));
});
