/** The pieces behind serve's log lines: safe terminal text, the stall tracker, torrent events as lines. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { CatalogEntry } from '../../src/catalog/types.js';
import { StallTracker } from '../../src/cli/stall-tracker.js';
import { terminalSafe } from '../../src/cli/terminal-text.js';
import { describeTorrent, logTorrentEvents } from '../../src/cli/torrent-log.js';
import type { EngineEvents } from '../../src/torrent/engine.js';

describe('terminalSafe', () => {
  it('drops C0, DEL, C1 and bidi controls and keeps the rest', () => {
    assert.equal(terminalSafe('a\u001b[2Jb\u0007c\u007fd\u009b31me'), 'a[2Jbcd31me');
    assert.equal(terminalSafe('x\u202ey\u2066z\u2069\u202a'), 'xyz');
    assert.equal(terminalSafe('Été — 映画 🎬 (1080p)'), 'Été — 映画 🎬 (1080p)');
    assert.equal(terminalSafe('line\nbreak\ttab'), 'line break tab');
  });
});

describe('StallTracker', () => {
  it('reports a stall once it lasted three samples, once, and its end once', () => {
    const tracker = new StallTracker(3);
    const seen = [true, true, true, true, true, false, false, true, false].map((s) => tracker.update(s));
    assert.deepEqual(seen, [null, null, 'stalled', null, null, 'resumed', null, null, null]);
  });
});

const hash = '4f1c000000000000000000000000000000000ee2';

function entry(name: string, extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    infoHash: hash,
    name,
    ready: false,
    length: 0,
    progress: 0,
    downloadSpeed: 0,
    uploadSpeed: 0,
    numPeers: 0,
    files: [],
    ...extra,
  };
}

function capture() {
  const lines: Array<{ msg: string; event?: string; reason?: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), what);
}

describe('logTorrentEvents', () => {
  it('names a torrent by its name and short hash, or the short hash alone', () => {
    assert.equal(describeTorrent(entry('Big Buck Bunny')), '"Big Buck Bunny" (4f1c…e2)');
    assert.equal(describeTorrent(entry(hash)), '4f1c…e2');
  });

  it('logs added, ready and removed, and one stalled/resumed pair per stall', async () => {
    const events = new EventEmitter<EngineEvents>();
    let reason: string | null = 'no peers';
    const torrents = [entry('Big Buck Bunny')];
    const { log, lines } = capture();
    const stop = logTorrentEvents(
      { events, list: () => torrents, stallReason: () => reason } as never,
      log,
      5,
    );
    try {
      events.emit('added', entry(hash));
      await until('the stall is logged', () => lines.some((line) => line.event === 'stalled'));
      reason = 'downloading at 1.2 MB/s';
      await until('the resume is logged', () => lines.some((line) => line.event === 'resumed'));
      reason = 'peers are choking us';
      await until('a second stall is logged', () => lines.filter((l) => l.event === 'stalled').length === 2);
      reason = null;
      await until('its end is logged', () => lines.filter((l) => l.event === 'resumed').length === 2);
      events.emit('ready', entry('Big Buck Bunny', { ready: true, length: 1.5e9, files: [{} as never] }));
      events.emit('removed', entry('Big Buck Bunny'));
    } finally {
      stop();
    }
    assert.deepEqual(
      lines.map((line) => line.msg),
      [
        'added 4f1c…e2',
        'stalled "Big Buck Bunny" (4f1c…e2): no peers',
        'resumed "Big Buck Bunny" (4f1c…e2)',
        'stalled "Big Buck Bunny" (4f1c…e2): peers are choking us',
        'resumed "Big Buck Bunny" (4f1c…e2): nobody waits for it now',
        'ready "Big Buck Bunny" (4f1c…e2): 1 file, 1.5 GB',
        'removed "Big Buck Bunny" (4f1c…e2)',
      ],
    );
  });
});
