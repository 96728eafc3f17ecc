// peerflix 0.39 through its JS API, as its CLI runs it (same engine, same HTTP server, 100 connections)
// but with DHT and trackers off, which its CLI cannot turn off, and the swarm's peers dialled by hand.
// Usage: node peerflix-engine.cjs '{"magnet":…,"peers":["127.0.0.2:6881"],"dir":…,"port":…,"peerPort":…}'.
const peerflix = require('peerflix');

const config = JSON.parse(process.argv[2]);
const engine = peerflix(config.magnet, {
  dht: false,
  tracker: false,
  connections: 100,
  path: config.dir,
  tmp: config.dir,
  port: config.port,
  peerPort: config.peerPort,
  hostname: '127.0.0.1',
});
for (const peer of config.peers) engine.connect(peer);
const stop = () => engine.destroy(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
