/** A save asked for on every position report is written once per delay, and a full save takes its place. */
import assert from 'node:assert/strict';
import { it, mock } from 'node:test';
import { CoalescedSave } from '../../src/catalog/coalesced-save.js';

it('writes once per delay however often it is asked, and not at all after a full save', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let saves = 0;
    const save = new CoalescedSave(10_000, () => saves++);
    for (let i = 0; i < 50; i++) save.request();
    mock.timers.tick(9_999);
    assert.equal(saves, 0);
    save.request();
    mock.timers.tick(1);
    assert.equal(saves, 1);
    assert.equal(save.pending, false);

    save.request();
    save.cancel(); // a full save wrote everything meanwhile
    mock.timers.tick(20_000);
    assert.equal(saves, 1);
    save.request();
    mock.timers.tick(10_000);
    assert.equal(saves, 2);
  } finally {
    mock.timers.reset();
  }
});
