import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataSource } from '../../src/stream/data-source.js';
import { tsLayout, withoutServiceNames } from '../../src/stream/ts-service-filter.js';

/** TS packets with the given PIDs, each payload filled with its index. */
function packets(pids: number[], size = 188, prefix = 0): Buffer {
  return Buffer.concat(
    pids.map((pid, i) => {
      const packet = Buffer.alloc(size, i);
      packet[prefix] = 0x47;
      packet[prefix + 1] = 0x40 | (pid >> 8);
      packet[prefix + 2] = pid & 0xff;
      return packet;
    }),
  );
}

function memory(bytes: Buffer): DataSource {
  return { size: bytes.length, name: 'x.ts', read: async (o, l) => bytes.subarray(o, o + l), close() {} };
}

const pidAt = (b: Buffer, at: number) => ((b[at + 1]! & 0x1f) << 8) | b[at + 2]!;

test('TS and M2TS heads are told apart; other files are not TS', () => {
  assert.deepEqual(tsLayout(packets([0, 0x11, 0x100, 0x101, 0x100])), { packet: 188, prefix: 0 });
  assert.deepEqual(tsLayout(packets([0, 0x11, 0x100, 0x101], 192, 4)), { packet: 192, prefix: 4 });
  assert.equal(tsLayout(Buffer.from('RIFF....AVI LIST'.repeat(100))), null);
  assert.equal(tsLayout(Buffer.alloc(0)), null);
});

test('SDT packets read as null packets, the rest untouched, at any offset and length', async () => {
  for (const [size, prefix] of [
    [188, 0],
    [192, 4],
  ] as const) {
    const original = packets([0, 0x11, 0x100, 0x11, 0x101], size, prefix);
    const filtered = withoutServiceNames(memory(original), { packet: size, prefix });
    const whole = await filtered.read(0, original.length);
    assert.equal(whole.length, original.length);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => pidAt(whole, i * size + prefix)),
      [0, 0x1fff, 0x100, 0x1fff, 0x101],
    );
    // Flags (payload_unit_start) and payloads stay; only the PID changes.
    assert.equal(whole[size + prefix + 1]! & 0xe0, 0x40);
    assert.deepEqual(
      whole.subarray(size + prefix + 3, 2 * size),
      original.subarray(size + prefix + 3, 2 * size),
    );
    // A range starting inside a packet: same bytes as the whole read, cut.
    const part = await filtered.read(size + prefix + 1, size);
    assert.deepEqual(part, whole.subarray(size + prefix + 1, 2 * size + prefix + 1));
    assert.deepEqual(await filtered.read(original.length - 10, 100), whole.subarray(original.length - 10));
    // Byte by byte, as a pump cutting anywhere would: the same bytes.
    const pieces: Buffer[] = [];
    for (let at = 0; at < original.length; at += 1) pieces.push(await filtered.read(at, 1));
    assert.deepEqual(Buffer.concat(pieces), whole);
    // Never more than the asked range's packet headers from the source.
    let furthest = 0;
    const counting = withoutServiceNames(
      {
        ...memory(original),
        read: async (o, l) => {
          furthest = Math.max(furthest, o + l);
          return original.subarray(o, o + l);
        },
      },
      { packet: size, prefix },
    );
    await counting.read(0, size + 10);
    assert.equal(furthest, size + 10);
  }
});
