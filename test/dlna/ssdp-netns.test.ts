/**
 * `serve --dlna` found and played by real control points, in a network namespace of the test's own (so
 * SSDP's multicast never leaves it): the server binds one veth end, gssdp-discover (GUPnP) and a node-ssdp +
 * upnp-device-client control point (ns-control-point.ts) search from the other. Without --dlna nothing
 * answers. Needs root and iproute2; gssdp-discover is used where installed (.ci/run installs gupnp-tools).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliPath } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
import { createNetns, type Netns, netnsSupport } from '../helpers/netns.js';

const unsupported = netnsSupport();
const noGssdp =
  spawnSync('gssdp-discover', ['--help']).status === 0
    ? false
    : 'gssdp-discover (gupnp-tools) is not installed';
const controlPoint = fileURLToPath(new URL('./ns-control-point.ts', import.meta.url));
const token = 'netns-dlna-token';
const notifyListener = fileURLToPath(new URL('./ns-notify-listener.ts', import.meta.url));
const target = 'urn:schemas-upnp-org:device:MediaServer:1';
const service = 'urn:schemas-upnp-org:service:';

interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** `streamtide serve` inside the namespace on `host` (`ns.a`); resolves once it listens. Its URL is on `ns.a`. */
async function serve(ns: Netns, dir: string, extra: string[], host = ns.a): Promise<Server> {
  const port = 20000 + (process.pid % 20000);
  const args = [cliPath, 'serve', '--host', host, '--port', String(port), '--dir', dir, '--token', token];
  const child = ns.spawn(
    process.execPath,
    [...args, '--no-dht', '--no-lsd', '--no-nat', '--allow-lan', '--json', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('"url"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  return {
    child,
    url: `http://${ns.a}:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function runNode(
  ns: Netns,
  script: string,
  input: object,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = ns.spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

describe('serve --dlna in a network namespace', { skip: unsupported }, () => {
  let ns: Netns;
  let work: string;
  let folder: string;
  let video: string;

  before(async () => {
    ns = createNetns();
    work = mkdtempSync(join(tmpdir(), 'streamtide-dlna-ns-'));
    folder = join(work, 'Show');
    mkdirSync(folder);
    video = join(folder, 'Episode.mkv');
    copyFileSync(await makeMedia('mkv-h264-aac'), video);
  });
  after(() => {
    ns?.delete();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is discovered by a control point, browsed, and plays a res with Range and DLNA headers', async () => {
    const server = await serve(ns, join(work, 'dl'), ['--dlna']);
    try {
      const run = await runNode(ns, controlPoint, { server: server.url, token, bind: ns.b, folder });
      assert.equal(run.code, 0, run.err);
      const result = JSON.parse(run.out.trim().split('\n').pop()!);
      assert.equal(result.locations[0], `${server.url}/dlna/description.xml`);
      assert.equal(result.folders[0].title, 'Show');
      const item = result.items.find((i: { title: string }) => i.title === 'Episode.mkv');
      assert.ok(item, run.out);
      assert.equal(item.res[0].size, String(readFileSync(video).length));
      assert.match(item.res[0].protocolInfo, /^http-get:\*:video\/x-matroska:.*DLNA\.ORG_OP=01/);
      assert.match(item.res[0].url, new RegExp(`^${server.url}/stream/${result.infoHash}/0\\?.*cap=`));
      assert.equal(result.fetched.status, 206);
      assert.equal(result.fetched.contentRange, `bytes 1000-4999/${readFileSync(video).length}`);
      assert.equal(result.fetched.transferMode, 'Streaming');
      assert.match(result.fetched.contentFeatures, /DLNA\.ORG_OP=01/);
      assert.deepEqual(Buffer.from(result.fetched.body, 'base64'), readFileSync(video).subarray(1000, 5000));
      // The URL is its capability: without it (and without the token) the stream is refused.
      assert.equal(result.refused, 401);
    } finally {
      await server.stop();
    }
  });

  it('bound to every address, answers with the address it was reached on, and its res URLs use it', async () => {
    const server = await serve(ns, join(work, 'dl-any'), ['--dlna'], '0.0.0.0');
    try {
      const run = await runNode(ns, controlPoint, { server: server.url, token, bind: ns.b, folder });
      assert.equal(run.code, 0, run.err);
      const result = JSON.parse(run.out.trim().split('\n').pop()!);
      const port = new URL(server.url).port;
      // Both veth ends are this host's: LOCATION names one of them, never 0.0.0.0 or loopback.
      const origins = [ns.a, ns.b].map((address) => `http://${address}:${port}`);
      for (const location of result.locations) {
        assert.ok(
          origins.some((origin) => location === `${origin}/dlna/description.xml`),
          location,
        );
      }
      // Browsed at the first LOCATION: the res URLs are on that address, which the renderer can reach.
      const reached = new URL(result.locations[0]).origin;
      const item = result.items.find((i: { title: string }) => i.title === 'Episode.mkv');
      assert.ok(item.res[0].url.startsWith(`${reached}/stream/${result.infoHash}/0?`), item.res[0].url);
      assert.equal(result.fetched.status, 206);
      assert.equal(result.fetched.transferMode, 'Streaming');
    } finally {
      await server.stop();
    }
  });

  it('is found by GUPnP’s gssdp-discover', { skip: noGssdp }, async () => {
    const server = await serve(ns, join(work, 'dl-gssdp'), ['--dlna']);
    try {
      const found = ns.run('gssdp-discover', ['-i', 'st1', '-t', target, '-n', '5']);
      assert.match(found.stdout, new RegExp(`Location: ${server.url}/dlna/description\\.xml`), found.stderr);
    } finally {
      await server.stop();
    }
  });

  it('announces itself with NOTIFY alive, and says byebye for each of them when stopped', async () => {
    const listener = ns.spawn(process.execPath, ['--import', 'tsx', notifyListener, ns.b], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const heard: Array<{ nt: string; nts: string; location: string | null }> = [];
    let waiting: (() => void) | undefined;
    let pending = '';
    let listening = false;
    listener.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"nt"')) heard.push(JSON.parse(line));
        else if (line.includes('"listening"')) listening = true;
      }
      waiting?.();
    });
    const until = async (what: string, done: () => boolean) => {
      // Bounded only for a broken run: each datagram wakes the check.
      const deadline = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`${what}; heard ${JSON.stringify(heard)}`);
        await new Promise<void>((resolve) => {
          waiting = resolve;
          setTimeout(resolve, 1000);
        });
      }
    };
    const kinds = (nts: string) => new Set(heard.filter((n) => n.nts === nts).map((n) => n.nt));
    const announced = [
      'upnp:rootdevice',
      target,
      `${service}ContentDirectory:1`,
      `${service}ConnectionManager:1`,
    ];
    try {
      await until('the listener never started', () => listening);
      const server = await serve(ns, join(work, 'dl-notify'), ['--dlna']);
      try {
        await until('no NOTIFY alive for every USN', () =>
          announced.every((nt) => kinds('ssdp:alive').has(nt)),
        );
        const alive = heard.find((n) => n.nts === 'ssdp:alive' && n.nt === target)!;
        assert.equal(alive.location, `${server.url}/dlna/description.xml`);
      } finally {
        await server.stop();
      }
      // Renderers drop the server at once rather than listing it until its max-age runs out.
      await until('no byebye for every USN', () => announced.every((nt) => kinds('ssdp:byebye').has(nt)));
    } finally {
      listener.kill('SIGTERM');
      await once(listener, 'exit');
    }
  });

  it('answers no M-SEARCH without --dlna', async () => {
    const server = await serve(ns, join(work, 'dl-off'), []);
    try {
      // An absence can only be waited for: a few seconds of searching hear nothing.
      const run = await runNode(ns, controlPoint, {
        server: server.url,
        token,
        bind: ns.b,
        searchOnly: true,
        searchMs: 4000,
      });
      assert.equal(run.code, 0, run.err);
      assert.deepEqual(JSON.parse(run.out.trim()).locations, []);
      if (!noGssdp) {
        const found = ns.run('gssdp-discover', ['-i', 'st1', '-t', 'ssdp:all', '-n', '3']);
        assert.doesNotMatch(found.stdout, /Location:/);
      }
    } finally {
      await server.stop();
    }
  });
});
