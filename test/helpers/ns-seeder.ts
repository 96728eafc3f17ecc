/**
 * A webtorrent seeder run inside a test's network namespace (where the test process itself cannot listen):
 * seeds the folder it is given on the namespace's loopback, prints one JSON line `{ "magnet": ... }` (with
 * its address as `x.pe`), and seeds until SIGTERM.
 * Usage: ip netns exec NS node --import tsx ns-seeder.ts FOLDER
 */
import { startSeeder } from './swarm.js';

const seeder = await startSeeder(process.argv[2]!);
console.log(JSON.stringify({ magnet: seeder.magnet, infoHash: seeder.infoHash }));
process.once('SIGTERM', () => {
  void seeder.close().then(() => process.exit(0));
});
