/**
 * `streamtide SOURCE` with every kind of SOURCE the contract names besides a magnet and a local file (tested in
 * cli-swarm and cli-local): a .torrent path, an http URL of a .torrent, a 40-hex and a 32-base32 info-hash.
 * Each prints `stream:` and `player:` for the video and stops with exit 0. The info-hashes name a
 * torrent the same --dir saved: with no peer to ask, its saved metadata is what makes it ready.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STATE_FILE } from '../../src/torrent/state-store.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
import { makeTorrent } from '../helpers/real-seeders.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-sources-'));
const dir = join(work, 'library');
let torrentPath = '';
let infoHash = '';
let http: Server;
let httpBase = '';

before(async () => {
  const made = makeTorrent(await makeMedia('mkv-h264-aac'));
  torrentPath = join(work, 'pack.torrent');
  writeFileSync(torrentPath, made.torrent);
  infoHash = made.infoHash;
  http = createServer((request, response) => {
    if (request.url !== '/pack.torrent') return response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'application/x-bittorrent' }).end(made.torrent);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpBase = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});

after(async () => {
  await new Promise((resolve) => http?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI on `source` in the shared --dir: its two URLs, then SIGINT and exit 0. */
async function play(source: string): Promise<{ stream: URL; player: URL }> {
  const cli = runCli([source, ...isolatedFlags(dir), '--quiet']);
  try {
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no stream: line for ${source}: ${cli.stderr()}`)), 30_000).unref(),
    );
    const stream = await Promise.race([cli.line(/^stream: /), deadline]);
    const player = await Promise.race([cli.line(/^player: /), deadline]);
    return {
      stream: new URL(stream.slice('stream: '.length)),
      player: new URL(player.slice('player: '.length)),
    };
  } finally {
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.exit, { code: 0, signal: null }, cli.stderr());
  }
}

function base32(hex: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...Buffer.from(hex, 'hex')].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  return bits.replace(/.{5}/g, (five) => alphabet[Number.parseInt(five, 2)]!);
}

describe('streamtide SOURCE, every kind of source', () => {
  it('a .torrent path, the same file saved without its extension, then its http URL', async () => {
    const unnamed = join(work, 'download');
    writeFileSync(unnamed, readFileSync(torrentPath));
    for (const source of [torrentPath, unnamed, `${httpBase}/pack.torrent`]) {
      const { stream, player } = await play(source);
      assert.equal(stream.pathname, `/stream/${infoHash}/0`, source);
      assert.equal(player.pathname, `/play/${infoHash}/0`, source);
    }
  });

  it('a 40-hex and a 32-base32 info-hash of a saved torrent open from its saved metadata, which stays saved', async () => {
    await play(torrentPath);
    for (const source of [
      infoHash,
      infoHash.toUpperCase(),
      base32(infoHash),
      base32(infoHash).toLowerCase(),
    ]) {
      const { stream } = await play(source);
      assert.equal(stream.pathname, `/stream/${infoHash}/0`, source);
      const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as {
        torrents: Array<{ infoHash: string; torrent?: string }>;
      };
      const saved = state.torrents.find((torrent) => torrent.infoHash === infoHash);
      assert.ok(saved?.torrent, `the metadata is still saved after ${source}`);
    }
  });
});
