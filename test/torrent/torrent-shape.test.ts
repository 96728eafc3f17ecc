/**
 * Counting a .torrent without parsing it: the counts agree with parse-torrent's for any torrent, counting
 * files stops one past the limit, and malformed bencode is an error that says what, never a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import parseTorrent from 'parse-torrent';
import { torrentShape } from '../../src/torrent/torrent-shape.js';
import { bencode } from '../helpers/bencode.js';

const name = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && !s.includes('/'));
const torrent = fc.record({
  name,
  files: fc.array(
    fc.record({
      length: fc.integer({ min: 1, max: 5000 }),
      path: fc.array(name, { minLength: 1, maxLength: 3 }),
    }),
    {
      minLength: 1,
      maxLength: 30,
    },
  ),
  comment: fc.string(),
});

describe('torrentShape', () => {
  it('counts files, pieces and the longest name as parse-torrent finds them', async () => {
    await fc.assert(
      fc.asyncProperty(torrent, async ({ name: title, files, comment }) => {
        const total = files.reduce((sum, file) => sum + file.length, 0);
        const pieceLength = 1024;
        const pieces = Buffer.alloc(20 * Math.ceil(total / pieceLength), 9);
        const bytes = bencode({ comment, info: { name: title, 'piece length': pieceLength, pieces, files } });
        const shape = torrentShape(bytes);
        const parsed = await parseTorrent(bytes);
        assert.equal(shape.files, parsed.files!.length);
        assert.equal(shape.pieces, parsed.pieces!.length);
        const names = [title, ...files.flatMap((file) => file.path)].map((part) => Buffer.byteLength(part));
        assert.equal(shape.longestName, Math.max(...names));
      }),
      { numRuns: 100 },
    );
  });

  it('stops counting files one past the limit', () => {
    const files = Array.from({ length: 50 }, (_, i) => ({ length: 1, path: [`${i}`] }));
    const bytes = bencode({ info: { name: 'n', 'piece length': 64, pieces: Buffer.alloc(20), files } });
    assert.equal(torrentShape(bytes).files, 50);
    assert.equal(torrentShape(bytes, 10).files, 11);
  });

  it('says what is malformed', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['truncated', 'd4:infod4:name', /ends early/],
      ['a string past the end', 'd4:infod4:name99:x', /past the end/],
      ['a bad length', 'd4:infod4:name3x:abcee', /malformed number/],
      ['an integer without digits', 'd4:infod6:lengthiee', /malformed number/],
      ['not a bencoded value', 'd4:infod4:namex:ee', /not a bencoded value/],
      ['nested too deep', `d4:infod1:x${'l'.repeat(100)}`, /nested deeper/],
    ];
    for (const [what, text, error] of cases)
      assert.throws(() => torrentShape(Buffer.from(text)), error, what);
  });

  it('leaves fields of the wrong type to parse-torrent, counting nothing of them', () => {
    const cases: Array<[string, number]> = [
      ['d4:infod5:filesi3eee', 0],
      ['d4:infod5:filesli3eeee', 1],
      ['d4:infoi1ee', 0],
      ['d4:infod4:namei7eee', 0],
    ];
    for (const [text, files] of cases) {
      assert.deepEqual(torrentShape(Buffer.from(text)), { files, pieces: 0, longestName: 0 }, text);
    }
  });
});
