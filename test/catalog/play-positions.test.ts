/** The resume rule (too early, part-way, watched) and play positions read back from a state file leniently. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlayPositions } from '../../src/catalog/play-positions.js';
import { resumePoint, watchedToEnd } from '../../src/catalog/resume-rule.js';

describe('resumePoint', () => {
  it('offers a position part-way, not one in the first seconds nor one at the end', () => {
    assert.equal(resumePoint(754, 6300), 754);
    assert.equal(resumePoint(754, undefined), 754);
    assert.equal(resumePoint(4.9, 6300), null);
    assert.equal(resumePoint(Number.NaN, 6300), null);
    // Long files: their last 5 % (the credits); short ones: their last 10 s.
    assert.equal(resumePoint(6300 * 0.95 - 1, 6300), 6300 * 0.95 - 1);
    assert.equal(resumePoint(6300 * 0.95, 6300), null);
    assert.equal(resumePoint(49.9, 60), 49.9);
    assert.equal(resumePoint(50, 60), null);
    assert.equal(watchedToEnd(60, 60), true);
    assert.equal(watchedToEnd(59, undefined), false);
  });
});

describe('PlayPositions', () => {
  it('keeps what was saved and skips what is not a position', () => {
    const positions = new PlayPositions({
      0: { seconds: 12.5, duration: 60, updatedAt: 1000 },
      1: { seconds: -3, updatedAt: 1 },
      2: { seconds: 'x' },
      '-1': { seconds: 4 },
      x: { seconds: 4 },
      3: null,
      4: { seconds: 7, duration: 'long' },
    });
    assert.deepEqual(positions.saved(), {
      0: { seconds: 12.5, duration: 60, updatedAt: 1000 },
      4: { seconds: 7, updatedAt: 0 },
    });
    assert.equal(new PlayPositions('garbage').saved(), undefined);
    let changes = 0;
    positions.onChange = () => changes++;
    positions.set(5, { seconds: 1, updatedAt: 2 });
    assert.equal(changes, 1);
    assert.deepEqual(positions.get(5), { seconds: 1, updatedAt: 2 });
  });
});
