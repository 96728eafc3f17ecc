/** The status line's "buffered ahead": contiguous verified bytes from the reader's position. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferedFrom } from '../../src/cli/status.js';

describe('bufferedFrom', () => {
  it('counts the verified run that covers the position, across touching ranges', () => {
    const ranges: Array<[number, number]> = [
      [500, 800],
      [0, 100],
      [100, 300],
    ];
    assert.equal(bufferedFrom(ranges, 0), 300);
    assert.equal(bufferedFrom(ranges, 250), 50);
    assert.equal(bufferedFrom(ranges, 600), 200);
  });

  it('is zero where the position is not downloaded yet', () => {
    assert.equal(bufferedFrom([[0, 100]], 100), 0);
    assert.equal(bufferedFrom([], 0), 0);
    assert.equal(bufferedFrom([[200, 400]], 150), 0);
  });
});
