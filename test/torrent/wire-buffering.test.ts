/**
 * copyOnlyCutMessages against the installed bittorrent-protocol: it recognises the Wire, and a patched wire
 * parses any byte stream, cut anywhere into socket reads, into exactly the messages an untouched wire does.
 * joinSmallMessages: a wire sends the same bytes in the same order, its small messages of one turn in one
 * chunk. findRequestsInOrder: blocks arriving in any order answer the requests an untouched wire's would.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type WebTorrent from 'webtorrent';
import type { Wire } from 'webtorrent';
import {
  copyOnlyCutMessages,
  findRequestsInOrder,
  joinSmallMessages,
  skipDebugMessages,
} from '../../src/torrent/wire-buffering.js';
import { isolatedClient, type Seeder, startSeeder } from '../helpers/swarm.js';

interface RawWire extends Wire {
  write(chunk: Uint8Array): boolean;
  handshake(infoHash: string, peerId: string, extensions?: object): void;
  have(index: number): void;
  piece(index: number, offset: number, data: Uint8Array): void;
  keepAlive(): void;
  unchoke(): void;
}

let work: string;
let seeder: Seeder;
let client: WebTorrent;
let WireClass: new () => RawWire;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-wire-'));
  writeFileSync(join(work, 'data.bin'), randomBytes(64 * 1024));
  seeder = await startSeeder(join(work, 'data.bin'), { pieceLength: 16 * 1024 });
  client = isolatedClient({ utp: false });
  await once(client, 'listening');
  const torrent = client.add(seeder.torrentFile, { path: join(work, 'dl'), announce: [] });
  torrent.once('infoHash', () => torrent.addPeer(`127.0.0.1:${seeder.port}`));
  const [wire] = (await once(torrent, 'wire')) as [Wire];
  WireClass = wire.constructor as new () => RawWire;
});

after(async () => {
  await new Promise<void>((resolve) => client?.destroy(() => resolve()));
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A BitTorrent handshake without extensions (info-hash 0x01…, peer id 0x02…). */
const HANDSHAKE = Buffer.concat([
  Buffer.from([19]),
  Buffer.from('BitTorrent protocol'),
  Buffer.alloc(8),
  Buffer.alloc(20, 1),
  Buffer.alloc(20, 2),
]);

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** A handshake (no extensions), then per block a `piece` message, with a `have` and a keep-alive between. */
function stream(blocks: Buffer[]): Buffer {
  const messages = blocks.flatMap((block, i) => [
    Buffer.concat([u32(9 + block.length), Buffer.from([7]), u32(i), u32(i * 16), block]),
    Buffer.concat([u32(5), Buffer.from([4]), u32(1000 + i)]),
    u32(0),
  ]);
  return Buffer.concat([HANDSHAKE, ...messages]);
}

/** What a wire makes of `bytes` given in reads cut at `cuts`. */
async function parse(bytes: Buffer, cuts: number[], patched: boolean): Promise<string[]> {
  const wire = new WireClass();
  if (patched) assert.equal(copyOnlyCutMessages(wire), true, 'the installed Wire is recognised');
  const seen: string[] = [];
  wire.on('handshake', (infoHash: string) => seen.push(`handshake ${infoHash}`));
  wire.on('piece', (index: number, offset: number, data: Uint8Array) =>
    seen.push(`piece ${index} ${offset} ${Buffer.from(data).toString('hex')}`),
  );
  wire.on('have', (index: number) => seen.push(`have ${index}`));
  wire.on('keep-alive', () => seen.push('keep-alive'));
  const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to > from) wire.write(bytes.subarray(from, to));
    from = to;
  }
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  wire.destroy();
  return seen;
}

it('a patched wire parses any cut of the stream into the messages an untouched one does', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      async (sizes, cuts) => {
        const blocks = sizes.map((size) => randomBytes(size));
        const bytes = stream(blocks);
        const expected = await parse(bytes, cuts, false);
        assert.equal(expected.filter((e) => e.startsWith('piece')).length, blocks.length);
        assert.deepEqual(await parse(bytes, cuts, true), expected);
      },
    ),
    { numRuns: 60 },
  );
});

it('leaves alone an object that is not the Wire it knows', () => {
  const notAWire = { _write() {} } as unknown as Wire;
  assert.equal(copyOnlyCutMessages(notAWire), false);
  assert.equal(findRequestsInOrder(notAWire), false);
  assert.equal(typeof (notAWire as unknown as { _write: unknown })._write, 'function');
});

type Send =
  | { kind: 'request' }
  | { kind: 'have' }
  | { kind: 'keep-alive' }
  | { kind: 'unchoke' }
  | { kind: 'piece'; size: number };

/** The chunks a wire sends for `sends`, made over `turns` turns of the event loop. */
async function sent(sends: Send[][], joined: boolean): Promise<Buffer[]> {
  const wire = new WireClass();
  if (joined) joinSmallMessages(wire);
  const chunks: Buffer[] = [];
  wire.on('data', (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)));
  wire.handshake('01'.repeat(20), '02'.repeat(20), { dht: false });
  wire.unchoke();
  (wire as { peerChoking: boolean }).peerChoking = false; // as if the peer had unchoked us: requests go out
  let index = 0;
  for (const turn of sends) {
    for (const send of turn) {
      index++;
      if (send.kind === 'request') wire.request(index, 0, 16384, () => {});
      else if (send.kind === 'have') wire.have(index);
      else if (send.kind === 'keep-alive') wire.keepAlive();
      else if (send.kind === 'unchoke') wire.unchoke();
      else if (send.kind === 'piece') wire.piece(index, 0, Buffer.alloc(send.size, index));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  wire.destroy();
  return chunks;
}

it('a wire joining small messages sends the same bytes in the same order, a turn’s small ones at once', async () => {
  const send = fc.oneof(
    fc.constantFrom<Send>({ kind: 'request' }, { kind: 'have' }, { kind: 'keep-alive' }, { kind: 'unchoke' }),
    fc.integer({ min: 1, max: 20_000 }).map((size): Send => ({ kind: 'piece', size })),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(send, { maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      async (turns) => {
        const plain = await sent(turns, false);
        const joined = await sent(turns, true);
        assert.ok(Buffer.concat(joined).equals(Buffer.concat(plain)), 'the same bytes in the same order');
        assert.ok(joined.length <= plain.length);
      },
    ),
    { numRuns: 40 },
  );
  const requests = await sent([Array.from({ length: 50 }, (): Send => ({ kind: 'request' }))], true);
  // The handshake (68 bytes) alone, then the unchoke (5) and the 50 requests (17 each) of that turn as one chunk.
  assert.deepEqual(
    requests.map((chunk) => chunk.length),
    [68, 5 + 50 * 17],
  );
});

/**
 * The requests (by number) whose callbacks got a block, in order, how many are still in flight, and whether
 * those are in the order asked.
 */
async function answered(arrivals: number[], requested: number, patched: boolean, wire = new WireClass()) {
  if (patched) assert.equal(findRequestsInOrder(wire), true, 'the installed Wire is recognised');
  (wire as { peerChoking: boolean }).peerChoking = false;
  const got: number[] = [];
  for (let i = 0; i < requested; i++) {
    wire.request(i, 0, 16, (err) => {
      if (!err) got.push(i);
    });
  }
  wire.write(HANDSHAKE);
  for (const i of arrivals)
    wire.write(Buffer.concat([u32(9 + 16), Buffer.from([7]), u32(i), u32(0), Buffer.alloc(16)]));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  const inFlight = wire.requests.length;
  const pieces = wire.requests.map((request) => request.piece);
  const ordered = pieces.every((piece, i) => i === 0 || pieces[i - 1]! < piece);
  wire.destroy();
  return { got, inFlight, ordered };
}

it('a wire looking at the oldest request first answers the same requests, blocks in any order, keeping the order asked', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.integer({ min: 0, max: 45 }), { maxLength: 60 }),
      async (requested, arrivals) => {
        const expected = await answered(arrivals, requested, false);
        const patched = await answered(arrivals, requested, true);
        assert.deepEqual([patched.got, patched.inFlight], [expected.got, expected.inFlight]);
        assert.ok(patched.ordered, 'those still in flight stay in the order asked');
      },
    ),
    { numRuns: 80 },
  );
  const inOrder = await answered([0, 1, 2, 3], 6, true);
  assert.deepEqual(inOrder, { got: [0, 1, 2, 3], inFlight: 2, ordered: true });
  // The wire's own removal moves the newest into the gap an early block leaves.
  assert.equal((await answered([3], 6, false)).ordered, false);
  assert.deepEqual(await answered([3, 0, 5, 1], 8, true), { got: [3, 0, 5, 1], inFlight: 4, ordered: true });
  // Past COMPACT_ABOVE, the array is copied once it has shrunk by half: those after still find their request.
  const many = Array.from({ length: 15_000 }, (_, i) => i);
  assert.deepEqual(await answered([...many.slice(0, 10_000), 12_000, ...many.slice(10_000)], 20_000, true), {
    got: [...many.slice(0, 10_000), 12_000, ...many.slice(10_000).filter((i) => i !== 12_000)],
    inFlight: 5_000,
    ordered: true,
  });
  assert.deepEqual(await answered([3, 4, 5, 0, 1, 2], 8, true), {
    got: [3, 4, 5, 0, 1, 2],
    inFlight: 2,
    ordered: true,
  });
});

it('a wire skips building its debug messages only while DEBUG is unset, and still answers requests', async () => {
  const saved = process.env.DEBUG;
  try {
    process.env.DEBUG = 'bittorrent-protocol';
    const printing = new WireClass();
    const own = (printing as unknown as { _debug: unknown })._debug;
    skipDebugMessages(printing);
    assert.equal((printing as unknown as { _debug: unknown })._debug, own, 'DEBUG set: left as it is');
    printing.destroy();
    delete process.env.DEBUG;
    const wire = new WireClass();
    let built = 0;
    (wire as unknown as { _debug: () => void })._debug = () => built++;
    skipDebugMessages(wire);
    assert.deepEqual((await answered([1, 0], 3, false, wire)).got, [1, 0]);
    assert.equal(built, 0, 'no message built');
  } finally {
    if (saved === undefined) delete process.env.DEBUG;
    else process.env.DEBUG = saved;
  }
});
