/** The status line: buffered ahead of the reader, name, size, ETA, peers; and names made terminal-safe. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runtime } from '../../src/cli/runtime.js';
import { bufferedFrom, StatusReporter } from '../../src/cli/status.js';
import { etaSeconds, formatEta, type Status, statusDetails, statusLine } from '../../src/cli/status-line.js';
import { terminalSafe } from '../../src/cli/terminal-text.js';

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

describe('the status line', () => {
  const base: Status = {
    name: 'Movie.mkv',
    length: 1_500_000_000,
    progress: 0.25,
    downloadSpeed: 2_000_000,
    numPeers: 1,
    bufferedAhead: 12_000_000,
    eta: etaSeconds(1_500_000_000, 0.25, 2_000_000),
    plan: 'remux',
    stallReason: null,
  };

  it('shows the name, size, ETA, and "1 peer" (not "1 peers")', () => {
    assert.equal(
      statusLine(base),
      'Movie.mkv (1.5 GB) 25.0% | ↓ 2.0 MB/s | 1 peer | buffered 12.0 MB | ETA 9m23s | remux',
    );
    assert.match(statusDetails({ ...base, numPeers: 0 }), /\| 0 peers \|/);
    assert.match(statusDetails({ ...base, numPeers: 3 }), /\| 3 peers \|/);
  });

  it('ends with the stall reason, and shows no ETA while nothing moves', () => {
    const stalled = {
      ...base,
      downloadSpeed: 0,
      eta: etaSeconds(base.length, 0.25, 0),
      stallReason: 'no peers',
    };
    assert.match(statusLine(stalled), /\| ETA - \| remux \| no peers$/);
    assert.equal(formatEta(etaSeconds(100, 1, 0)), 'done');
    assert.equal(formatEta(7322), 'ETA 2h02m');
  });
});

describe('StatusReporter', () => {
  it('reads the watched file: buffered ahead follows the download, from the playhead', async () => {
    const length = 10_000_000;
    let downloaded: Array<[number, number]> = [[0, 1_000_000]];
    let readers: number[] = [];
    const app = {
      inject: async () => ({
        statusCode: 200,
        json: () => ({
          downloadSpeed: 1_000_000,
          numPeers: 2,
          stallReason: null,
          files: [
            { index: 0, name: 'other.txt', length: 10, progress: 1 },
            {
              index: 1,
              name: 'Film\u001b]0;pwned\u0007\u202e.mkv',
              length,
              progress: 0.1,
              downloaded,
              readers,
            },
          ],
        }),
      }),
    };
    const reporter = new StatusReporter({ app } as unknown as Runtime, 'a'.repeat(40), 1, 'none', 'Film.mkv');
    const first = (await reporter.read())!;
    assert.equal(first.bufferedAhead, 1_000_000);
    assert.equal(first.name, 'Film]0;pwned.mkv');
    assert.equal(first.length, length);
    assert.equal(first.eta, 9);
    downloaded = [[0, 3_000_000]];
    assert.equal((await reporter.read())!.bufferedAhead, 3_000_000);
    // A player reading at 2 MB has 1 MB in hand; when more arrives, so does its buffer.
    readers = [2_000_000];
    assert.equal((await reporter.read())!.bufferedAhead, 1_000_000);
    downloaded = [
      [0, 3_000_000],
      [3_000_000, 5_000_000],
    ];
    assert.equal((await reporter.read())!.bufferedAhead, 3_000_000);
  });
});

describe('terminalSafe', () => {
  it('strips C0/C1 controls, ESC sequences and bidi overrides, keeping the visible name', () => {
    assert.equal(terminalSafe('a\u001b[2Jb\u009bc\u0000d\u007fe'), 'a[2Jbcde');
    assert.equal(terminalSafe('evil\u202egnp.exe\u2066x\u2069'), 'evilgnp.exex');
    assert.equal(terminalSafe('line\nbreak\ttab'), 'line break tab');
    assert.equal(terminalSafe('Amélie (2001) 日本'), 'Amélie (2001) 日本');
  });
});
