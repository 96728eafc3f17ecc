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
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import bencode from 'bencode';
import { isTransmissionPeer, TRANSMISSION_UT_METADATA_ID } from '../../src/torrent/early-metadata.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { bencode as encode } from '../helpers/bencode.js';
import { startTestEngine } from '../helpers/swarm.js';

const LTEP = 20;

interface Message {
  id: number;
  payload: Buffer;
}

/** A peer on a socket: sends a handshake, then hands out the length-prefixed messages that come back. */
class ScriptedPeer {
  private buffer = Buffer.alloc(0);
  private handshakeSeen = false;
  private readonly waiting: Array<(message: Message) => void> = [];
  private readonly queued: Message[] = [];

  constructor(
    readonly socket: Socket,
    infoHash: Buffer,
    peerId: string,
  ) {
    const reserved = Buffer.alloc(8);
    reserved[5] = 0x10; // extended messages (BEP 10)
    const pstr = Buffer.from('BitTorrent protocol');
    socket.write(Buffer.concat([Buffer.from([pstr.length]), pstr, reserved, infoHash, Buffer.from(peerId)]));
    socket.on('data', (chunk: Buffer) => this.take(chunk));
  }

  next(): Promise<Message> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next extended message, skipping the others (interested, bitfield, keep-alives). */
  async nextExtended(): Promise<{ ext: number; body: Record<string, unknown>; trailer: Buffer }> {
    for (;;) {
      const message = await this.next();
      if (message.id !== LTEP) continue;
      const rest = message.payload.subarray(1);
      const end = dictEnd(rest);
      const body = bencode.decode(rest.subarray(0, end)) as Record<string, unknown>;
      return { ext: message.payload[0]!, body, trailer: rest.subarray(end) };
    }
  }

  sendExtended(ext: number, body: Buffer): void {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length + 2);
    this.socket.write(Buffer.concat([length, Buffer.from([LTEP, ext]), body]));
  }

  private take(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.handshakeSeen) {
      if (this.buffer.length < 68) return;
      this.buffer = this.buffer.subarray(68);
      this.handshakeSeen = true;
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      const message = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      if (length === 0) continue; // keep-alive
      this.deliver({ id: message[0]!, payload: Buffer.from(message.subarray(1)) });
    }
  }

  private deliver(message: Message): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(message);
    else this.queued.push(message);
  }
}

/** Where the bencoded dictionary at the start of `bytes` ends (a ut_metadata data message trails bytes). */
function dictEnd(bytes: Buffer): number {
  let i = 1;
  let depth = 1;
  while (depth > 0) {
    const c = bytes[i]!;
    if (c === 0x65) {
      depth--;
      i++;
    } else if (c === 0x64 || c === 0x6c) {
      depth++;
      i++;
    } else if (c === 0x69) i = bytes.indexOf(0x65, i) + 1;
    else {
      const colon = bytes.indexOf(0x3a, i);
      i = colon + 1 + Number(bytes.toString('latin1', i, colon));
    }
  }
  return i;
}

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
