/**
 * A magnet's metadata asked of a Transmission peer before its extended handshake comes
 * (src/torrent/early-metadata.ts). The peer here is a script on a TCP socket that introduces itself with a
 * Transmission peer id and, like Transmission, sends its extended handshake and its answer in one batch: it
 * sends them only once the early request is in, and answers no other. The real transmission-daemon is
 * streamed from in real-clients.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { isTransmissionPeer, TRANSMISSION_UT_METADATA_ID } from '../../src/torrent/early-metadata.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { bencode as encode } from '../helpers/bencode.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { startTestEngine } from '../helpers/swarm.js';

let work: string;
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-early-metadata-'));
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  rmSync(work, { recursive: true, force: true });
});

it('knows Transmission by its peer id', () => {
  const hex = (id: string) => Buffer.from(id, 'latin1').toString('hex');
  assert.equal(isTransmissionPeer(hex('-TR3000-abcdefghijkl')), true);
  assert.equal(isTransmissionPeer(hex('-TR4060-abcdefghijkl')), true);
  assert.equal(isTransmissionPeer(hex('-qB4500-abcdefghijkl')), false);
  assert.equal(isTransmissionPeer(hex('A2-1-36-0-abcdefghij')), false);
  assert.equal(isTransmissionPeer(null), false);
});

it('asks a Transmission peer for the metadata after its own extended handshake and before the peer’s, and takes the answer', {
  timeout: 30_000,
}, async () => {
  const info = encode({
    length: 3 * 16384,
    name: 'Film.mkv',
    'piece length': 16384,
    pieces: randomBytes(60),
  });
  const infoHash = createHash('sha1').update(info).digest();
  const { entry } = await engine.add(`magnet:?xt=urn:btih:${infoHash.toString('hex')}`);
  const socket = connect(engine.port, '127.0.0.1');
  await once(socket, 'connect');
  const peer = new ScriptedPeer(socket, infoHash, '-TR3000-abcdefghijkl');
  try {
    const first = await peer.nextExtended();
    assert.equal(first.ext, 0, 'our extended handshake first: it names our id for ut_metadata');
    const ours = (first.body.m as Record<string, number>).ut_metadata;
    assert.equal(typeof ours, 'number');
    const early = await peer.nextExtended();
    assert.equal(early.ext, TRANSMISSION_UT_METADATA_ID, 'addressed to Transmission’s id for ut_metadata');
    assert.deepEqual(early.body, { msg_type: 0, piece: 0 });
    // Its extended handshake and the answer, in one write, as Transmission batches them.
    const handshake = encode({ m: { ut_metadata: TRANSMISSION_UT_METADATA_ID }, metadata_size: info.length });
    const answer = Buffer.concat([encode({ msg_type: 1, piece: 0, total_size: info.length }), info]);
    peer.sendExtended(0, handshake);
    peer.sendExtended(ours!, answer);
    const ready = await engine.waitForMetadata(entry.infoHash);
    assert.equal(ready.name, 'Film.mkv');
  } finally {
    socket.destroy();
    await engine.remove(entry.infoHash);
  }
});
