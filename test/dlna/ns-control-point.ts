/**
 * A UPnP control point run inside a test's network namespace (ssdp-netns.test.ts): seeds a folder on the
 * namespace's loopback and adds it to the server, finds the server by SSDP (node-ssdp's Client on the
 * other veth end), browses it with upnp-device-client, fetches one res with Range; prints one JSON line.
 * Usage: node --import tsx ns-control-point.ts '{"server":"http://A:P","token":"T","bind":"B","folder":"…"}'
 */
import ssdp from 'node-ssdp';
import DeviceClient from 'upnp-device-client';
import { startSeeder } from '../helpers/swarm.js';
import { parseDidl } from './dlna-client.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  server: string;
  token: string;
  bind: string;
  folder?: string;
  searchOnly?: boolean;
  searchMs?: number;
};
const auth = { Authorization: `Bearer ${args.token}` };

function search(target: string, ms: number): Promise<string[]> {
  const client = new ssdp.Client({ interfaces: ['st1'], explicitSocketBind: true, customLogger: () => {} });
  const locations: string[] = [];
  client.on('response', (headers) => {
    if (headers.ST === target && headers.LOCATION) locations.push(headers.LOCATION);
  });
  return new Promise((resolve) => {
    void client.start().then(() => client.search(target));
    setTimeout(() => {
      client.stop();
      resolve(locations);
    }, ms);
  });
}

function call(client: DeviceClient, action: string, params: Record<string, string>) {
  return new Promise<Record<string, string>>((resolve, reject) =>
    client.callAction('urn:upnp-org:serviceId:ContentDirectory', action, params, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
}

async function main() {
  const target = 'urn:schemas-upnp-org:device:MediaServer:1';
  if (args.searchOnly) {
    console.log(JSON.stringify({ locations: await search(target, args.searchMs ?? 4000) }));
    return;
  }
  const seeder = await startSeeder(args.folder!);
  try {
    const added = await fetch(`${args.server}/api/torrents`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: seeder.magnet }),
    });
    if (!added.ok) throw new Error(`add: ${added.status} ${await added.text()}`);
    // Until the server has the file list (it has the seeder's magnet with its address).
    for (;;) {
      const torrent = await (
        await fetch(`${args.server}/api/torrents/${seeder.infoHash}`, { headers: auth })
      ).json();
      if ((torrent as { files: unknown[] }).files.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    let locations: string[] = [];
    while (locations.length === 0) locations = await search(target, 2000);
    const client = new DeviceClient(locations[0]!);
    const root = await call(client, 'Browse', {
      ObjectID: '0',
      BrowseFlag: 'BrowseDirectChildren',
      Filter: '*',
      StartingIndex: '0',
      RequestedCount: '0',
      SortCriteria: '',
    });
    const folders = parseDidl(root.Result!);
    const children = await call(client, 'Browse', {
      ObjectID: folders[0]!.id,
      BrowseFlag: 'BrowseDirectChildren',
      Filter: '*',
      StartingIndex: '0',
      RequestedCount: '0',
      SortCriteria: '',
    });
    const items = parseDidl(children.Result!);
    const video = items.find((item) => item.upnpClass === 'object.item.videoItem')!;
    const res = await fetch(video.res[0]!.url, {
      headers: { Range: 'bytes=1000-4999', 'getcontentFeatures.dlna.org': '1' },
    });
    const body = Buffer.from(await res.arrayBuffer());
    const withoutCap = new URL(video.res[0]!.url);
    withoutCap.searchParams.delete('cap');
    const refused = (await fetch(withoutCap, { method: 'HEAD' })).status;
    console.log(
      JSON.stringify({
        locations,
        infoHash: seeder.infoHash,
        folders,
        items,
        fetched: {
          status: res.status,
          contentRange: res.headers.get('content-range'),
          transferMode: res.headers.get('transfermode.dlna.org'),
          contentFeatures: res.headers.get('contentfeatures.dlna.org'),
          body: body.toString('base64'),
        },
        refused,
      }),
    );
  } finally {
    await seeder.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
