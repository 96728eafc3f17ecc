/** `caps`: what the client decodes beyond 8-bit H.264 and AAC/MP3 decides what is copied (client-caps.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAP_WORDS, parseCaps } from '../../src/stream/client-caps.js';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import type { MediaStream } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { fakeInfo as info, fakeStream as s } from './fake-media.js';

const h264 = s(0, 'video', 'h264', { bitDepth: 8 });
const aac = s(1, 'audio', 'aac');
const h264x10 = s(0, 'video', 'h264', { bitDepth: 10 });

test('parseCaps: a comma list, case-insensitive, unknown words and blanks ignored, bounded', () => {
  assert.deepEqual([...parseCaps('HEVC, opus,,dts,Flac')].sort(), ['flac', 'hevc', 'opus']);
  assert.deepEqual([...parseCaps('')], []);
  assert.deepEqual([...parseCaps(CAP_WORDS.join(','))].sort(), [...CAP_WORDS].sort());
  assert.deepEqual([...parseCaps(`${'x'.repeat(300)},hevc`)], [], 'past the bound nothing is read');
  // Absent: the desktop browser assumed before clients could say.
  assert.deepEqual([...parseCaps(undefined)].sort(), ['av1', 'flac', 'h264-10bit', 'opus', 'vp9']);
});

test('each video word turns its codec from transcoded into copied', () => {
  for (const [word, stream] of [
    ['hevc', s(0, 'video', 'hevc')],
    ['av1', s(0, 'video', 'av1')],
    ['vp9', s(0, 'video', 'vp9')],
    ['h264-10bit', h264x10],
  ] as const) {
    const file = info('matroska', [stream, aac]);
    const without = planStream(file, { caps: parseCaps('') });
    const withIt = planStream(file, { caps: parseCaps(word) });
    assert.deepEqual([without.mode, without.video?.action], ['transcode', 'h264'], word);
    assert.deepEqual(
      [withIt.mode, withIt.video?.action, withIt.audio?.action],
      ['remux', 'copy', 'copy'],
      word,
    );
    // Another word does not do it.
    assert.equal(planStream(file, { caps: parseCaps('flac,opus') }).video?.action, 'h264', word);
  }
});

test('each audio word turns its codec from transcoded into copied; AAC and MP3 are always copied', () => {
  for (const word of ['ac3', 'eac3', 'opus', 'flac'] as const) {
    const file = info('matroska', [h264, s(1, 'audio', word)]);
    const without = planStream(file, { caps: parseCaps('hevc') });
    const withIt = planStream(file, { caps: parseCaps(word.toUpperCase()) });
    assert.deepEqual([without.mode, without.audio?.action], ['transcode', 'aac'], word);
    assert.deepEqual([withIt.mode, withIt.audio?.action], ['remux', 'copy'], word);
  }
  for (const codec of ['aac', 'mp3']) {
    const plan = planStream(info('matroska', [h264, s(1, 'audio', codec)]), { caps: parseCaps('') });
    assert.deepEqual([plan.mode, plan.audio?.action], ['remux', 'copy'], codec);
  }
  const dts = planStream(info('matroska', [h264, s(1, 'audio', 'dts')]), { caps: parseCaps('dts,truehd') });
  assert.equal(dts.audio?.action, 'aac', 'unknown words decode nothing');
});

test('direct only when the container plays and the client decodes every chosen stream', () => {
  const mp4 = (video: MediaStream, audio = aac) => info('mp4', [video, audio]);
  const caps = (text: string) => ({ caps: parseCaps(text) });
  assert.equal(planStream(mp4(h264), caps('')).mode, 'direct');
  assert.equal(planStream(mp4(s(0, 'video', 'hevc')), caps('')).mode, 'transcode');
  const hvc1 = s(0, 'video', 'hevc', { codecTag: 'hvc1' });
  assert.deepEqual(
    [planStream(mp4(hvc1), caps('hevc')).mode, planStream(mp4(h264x10), caps('')).mode],
    ['direct', 'transcode'],
  );
  // An hev1-tagged HEVC MP4 is remuxed (and re-tagged hvc1): Safari would not play its own bytes.
  const hev1 = planStream(mp4(s(0, 'video', 'hevc', { codecTag: 'hev1' })), caps('hevc'));
  assert.deepEqual([hev1.mode, hev1.video?.tag], ['remux', 'hvc1']);
  assert.equal(planStream(mp4(h264, s(1, 'audio', 'ac3')), caps('ac3')).mode, 'direct');
  assert.equal(planStream(mp4(h264, s(1, 'audio', 'ac3')), caps('eac3')).mode, 'transcode');
  const webm = info('webm', [s(0, 'video', 'vp9'), s(1, 'audio', 'opus')]);
  assert.equal(planStream(webm, caps('vp9,opus')).mode, 'direct');
  const opusOnly = planStream(webm, caps('opus'));
  assert.deepEqual(
    [opusOnly.mode, opusOnly.video?.action, opusOnly.audio?.action],
    ['transcode', 'h264', 'copy'],
  );
  assert.equal(planStream(info('flac', [s(0, 'audio', 'flac')]), caps('')).mode, 'transcode');
  assert.equal(planStream(info('flac', [s(0, 'audio', 'flac')]), caps('flac')).mode, 'direct');
  assert.equal(planStream(info('mp3', [s(0, 'audio', 'mp3')]), caps('')).mode, 'direct');
});

test('without caps: the desktop browser as before (VP9, AV1, Opus, FLAC, 10-bit H.264 copied, HEVC not)', () => {
  assert.equal(planStream(info('mp4', [h264x10, aac])).mode, 'direct');
  assert.equal(planStream(info('webm', [s(0, 'video', 'vp8'), s(1, 'audio', 'vorbis')])).mode, 'direct');
  const mkv = planStream(info('matroska', [s(0, 'video', 'av1'), s(1, 'audio', 'flac')]));
  assert.deepEqual([mkv.mode, mkv.video?.action, mkv.audio?.action], ['remux', 'copy', 'copy']);
  assert.equal(planStream(info('matroska', [s(0, 'video', 'hevc'), aac])).video?.action, 'h264');
});

test('copied HEVC is tagged hvc1; 10-bit H.264 not decoded is re-encoded to 8-bit 4:2:0', () => {
  const hevc = planStream(info('matroska', [s(0, 'video', 'hevc'), aac]), { caps: parseCaps('hevc') });
  assert.deepEqual(hevc.video, { stream: 0, action: 'copy', tag: 'hvc1' });
  assert.match(buildFfmpegArgs(hevc).join(' '), /-c:v copy -tag:v hvc1/);
  const forced = planStream(info('matroska', [s(0, 'video', 'hevc'), aac]), { mode: 'remux' });
  assert.equal(forced.video?.tag, 'hvc1', 'a forced remux copies HEVC too');
  const h264Copy = planStream(info('matroska', [h264, aac]), { caps: parseCaps('') });
  assert.doesNotMatch(buildFfmpegArgs(h264Copy).join(' '), /-tag:v/);

  const tenBit = planStream(info('matroska', [h264x10, aac]), { caps: parseCaps('hevc') });
  assert.deepEqual([tenBit.mode, tenBit.video?.action], ['transcode', 'h264']);
  assert.match(tenBit.reason, /h264 10-bit→h264/);
  assert.match(buildFfmpegArgs(tenBit).join(' '), /-c:v libx264 .*-pix_fmt yuv420p /);
});
