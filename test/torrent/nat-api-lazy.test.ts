/**
 * vendor/nat-api-lazy stands in for @silentbot1/nat-api (npm overrides): webtorrent imports it as it loads,
 * the real one (and execa, xml2js… behind it) loads only when webtorrent constructs it, i.e. with UPnP or
 * NAT-PMP on. Both protocols stay off here: nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import StandIn from '@silentbot1/nat-api';
import Real from 'nat-api-impl';

const off = { enableUPNP: false, enablePMP: false };

it('is what webtorrent gets, and a client without NAT traversal never loads the real one', () => {
  const script = `
    import { createRequire } from 'node:module';
    import WebTorrent from 'webtorrent';
    const client = new WebTorrent({ natUpnp: false, natPmp: false, dht: false, lsd: false, tracker: false, utp: false, torrentPort: 0 });
    const require = createRequire(import.meta.url);
    const xml2js = require.resolve('xml2js', { paths: [require.resolve('nat-api-impl')] });
    console.log(JSON.stringify({ loaded: xml2js in require.cache, nat: client.natTraversal ?? null }));
    client.destroy();
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { loaded: false, nat: null });
});

it('answers as the real one does, from the real one', async () => {
  const standIn = new StandIn(off);
  const real = new Real(off);
  const outcome = (p: Promise<unknown>) =>
    p.then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
  const mapping = { publicPort: 6881, privatePort: 6881, protocol: 'tcp' };
  assert.deepEqual(await outcome(standIn.map(mapping)), await outcome(real.map(mapping)));
  await standIn.destroy();
  await real.destroy();
  // The same instance underneath: destroyed once, it says so as the real one does.
  assert.deepEqual(await outcome(standIn.destroy()), await outcome(real.destroy()));
  assert.match(((await outcome(standIn.destroy())) as { error: string }).error, /destroyed/);
});
