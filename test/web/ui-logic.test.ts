import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortFiles } from '../../src/web/files.js';
import { formatBytes, formatClock, formatPercent } from '../../src/web/format.js';
import {
  audioChoices,
  defaultAudio,
  parseSubtitleValue,
  subtitleChoices,
  subtitleValue,
} from '../../src/web/player/tracks.js';
import type { Probe, TorrentFile } from '../../src/web/types.js';

const file = (index: number, path: string, length: number, mime: string): TorrentFile => ({
  index,
  name: path.split('/').pop()!,
  path,
  length,
  progress: 0,
  mime,
  streamUrl: '',
});

describe('web formatting', () => {
  it('formats sizes, clocks and percentages', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1500), '1.5 kB');
    assert.equal(formatBytes(300_000), '300 kB');
    assert.equal(formatBytes(2_500_000_000), '2.5 GB');
    assert.equal(formatClock(0), '0:00');
    assert.equal(formatClock(65.9), '1:05');
    assert.equal(formatClock(3723), '1:02:03');
    assert.equal(formatClock(Number.NaN), '0:00');
    assert.equal(formatPercent(0.9996), '99.9 %');
    assert.equal(formatPercent(1), '100 %');
  });
});

describe('web file ordering', () => {
  const files = [
    file(0, 'A/readme.txt', 10, 'text/plain'),
    file(1, 'A/Episode 10.mkv', 500, 'video/x-matroska'),
    file(2, 'A/theme.mp3', 5, 'audio/mpeg'),
    file(3, 'A/Episode 2.mkv', 900, 'application/octet-stream'),
  ];

  it('puts videos first in natural order, then other media, then the rest', () => {
    assert.deepEqual(
      sortFiles(files).map((f) => f.index),
      [3, 1, 2, 0],
    );
  });
});

describe('web track choices', () => {
  const probe: Probe = {
    plan: 'remux',
    duration: 60,
    streams: [
      { index: 0, type: 'video', codec: 'h264' },
      { index: 1, type: 'audio', codec: 'aac', language: 'eng', channels: 2 },
      {
        index: 2,
        type: 'audio',
        codec: 'ac3',
        language: 'fra',
        title: 'Commentary',
        channels: 6,
        default: true,
      },
      { index: 3, type: 'subtitle', codec: 'subrip', language: 'eng' },
      { index: 4, type: 'subtitle', codec: 'hdmv_pgs_subtitle', language: 'deu' },
    ],
    subtitleFiles: [{ index: 7, name: 'movie.es.srt', language: 'es' }],
  };

  it('numbers audio streams among audio streams and finds the default one', () => {
    const choices = audioChoices(probe);
    assert.deepEqual(
      choices.map((c) => c.value),
      ['0', '1'],
    );
    assert.match(choices[1]!.label, /Commentary/);
    assert.match(choices[1]!.label, /5\.1/);
    assert.equal(defaultAudio(probe), 1);
    assert.equal(
      defaultAudio({ ...probe, streams: probe.streams.map((s) => ({ ...s, default: false })) }),
      0,
    );
  });

  it('offers embedded streams by absolute index, image subtitles disabled, then subtitle files', () => {
    const choices = subtitleChoices(probe);
    assert.deepEqual(
      choices.map((c) => [c.value, Boolean(c.disabled)]),
      [
        ['off', false],
        ['s3', false],
        ['s4', true],
        ['f7', false],
      ],
    );
  });

  it('round-trips subtitle choices through their select values', () => {
    for (const choice of [
      { kind: 'off' },
      { kind: 'embedded', stream: 3 },
      { kind: 'file', fileIndex: 12 },
    ] as const) {
      assert.deepEqual(parseSubtitleValue(subtitleValue(choice)), choice);
    }
    assert.deepEqual(parseSubtitleValue('sx'), { kind: 'off' });
  });
});
