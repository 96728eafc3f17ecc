/**
 * SubtitleExtractor on a source whose bytes arrive when the test says (a torrent in slow motion): cues leave
 * as soon as FFmpeg has read them, not at the end of the file; stop() mid-way reaps FFmpeg; a late `t`
 * seeks FFmpeg to a lead-in before t and still clips the cue showing at t.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FfmpegTools } from '../../src/stream/ffmpeg-locate.js';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { SeekableInputServer } from '../../src/stream/seekable-input.js';
import { SubtitleExtractor } from '../../src/stream/subtitles.js';
import { parseCues } from '../../src/stream/vtt.js';
import { ControllableSource } from '../helpers/controllable-source.js';
import { makeTracksMedia } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';

const run = promisify(execFile);

const cues = [
  { start: 1000, end: 2000, text: 'early' },
  { start: 31_000, end: 33_000, text: 'before t' },
  { start: 33_500, end: 36_000, text: 'showing at t' },
  { start: 37_000, end: 38_000, text: 'after t' },
];

let tools: FfmpegTools;
let seekable: SeekableInputServer;
let bytes: Buffer;
/** Cue times as stored in the file (the muxer may shift them by the AAC priming). */
let stored: Array<{ start: number; end: number; text: string }>;

before(async () => {
  tools = await locateFfmpeg();
  seekable = await SeekableInputServer.start();
  const path = await makeTracksMedia({ seconds: 40, name: 'tracks-40s-late-cues', cues });
  bytes = readFileSync(path);
  const { stdout } = await run(tools.ffprobe, [
    ...['-v', 'error', '-select_streams', '3', '-show_entries', 'packet=pts_time,duration_time'],
    ...['-of', 'csv=p=0', path],
  ]);
  stored = stdout
    .trim()
    .split('\n')
    .map((line, i) => {
      const [pts, duration] = line.split(',').map((n) => Math.round(Number(n) * 1000)) as [number, number];
      return { start: pts, end: pts + duration, text: cues[i]!.text };
    });
  assert.equal(stored.length, cues.length);
});

after(async () => {
  await seekable.close();
});

/** Collects an extractor's output and resolves once it contains `text`. */
function collector(extractor: SubtitleExtractor) {
  let received = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  extractor.output.setEncoding('utf8');
  extractor.output.on('data', (chunk: string) => {
    received += chunk;
    for (const w of waiters.splice(0)) {
      if (received.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  return {
    text: () => received,
    contains: (text: string) =>
      received.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

describe('SubtitleExtractor', () => {
  it('sends a cue as soon as FFmpeg has read it, long before the file is complete', async () => {
    const source = new ControllableSource(bytes, { name: 'late.mkv' });
    // The head and the tail (where the MKV keeps its index), as a torrent fetches them first.
    source.release(0, Math.floor(bytes.length * 0.4));
    source.release(bytes.length - 64 * 1024);
    const extractor = SubtitleExtractor.start({ source, tools, seekable, stream: 3 });
    const output = collector(extractor);
    await output.contains('early\n\n');
    assert.ok(output.text().startsWith('WEBVTT\n\n'));
    assert.ok(!output.text().includes('before t'), 'a cue from bytes not yet there');
    assert.ok(source.releasedPrefix < bytes.length);

    source.release(0);
    const result = await extractor.done;
    assert.equal(result.outcome, 'complete');
    assert.equal(result.cues, 4);
    assert.deepEqual(parseCues(output.text()), stored);
  });

  it('stops mid-file: FFmpeg waiting on missing bytes is killed and reaped', async () => {
    const source = new ControllableSource(bytes, { name: 'stalled.mkv' });
    source.release(0, Math.floor(bytes.length * 0.4));
    source.release(bytes.length - 64 * 1024);
    const extractor = SubtitleExtractor.start({ source, tools, seekable, stream: 3 });
    const output = collector(extractor);
    await output.contains('early');
    await source.whenWaiting();
    await extractor.stop();
    assert.equal((await extractor.done).outcome, 'stopped');
    assert.ok(extractor.output.destroyed);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('with t past the lead-in, keeps the cue showing at t (clipped) and drops earlier ones', async () => {
    const source = new ControllableSource(bytes, { name: 'seek.mkv', available: true });
    const extractor = SubtitleExtractor.start({ source, tools, seekable, stream: 3, startTime: 34 });
    const output = collector(extractor);
    assert.equal((await extractor.done).outcome, 'complete');
    const expected = stored
      .filter((c) => c.end > 34_000)
      .map((c) => ({ ...c, start: Math.max(0, c.start - 34_000), end: c.end - 34_000 }));
    assert.deepEqual(
      expected.map((c) => c.text),
      ['showing at t', 'after t'],
    );
    assert.deepEqual(parseCues(output.text()), expected);
  });

  it('fails with FFmpeg’s reason when the stream cannot be extracted', async () => {
    const source = new ControllableSource(bytes, { name: 'bad.mkv', available: true });
    // Stream 1 is audio: FFmpeg cannot encode it as SubRip.
    const extractor = SubtitleExtractor.start({ source, tools, seekable, stream: 1 });
    extractor.output.on('error', () => undefined);
    extractor.output.resume();
    const result = await extractor.done;
    assert.equal(result.outcome, 'failed');
    assert.ok(result.error && result.error.stderr.length > 0, result.error?.message);
    assert.ok(extractor.output.destroyed);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });
});
