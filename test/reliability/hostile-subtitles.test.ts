/**
 * Hostile subtitle files against a live server: a 15 MB .srt that is not UTF-8, ten parallel requests for a
 * 15 MB .vtt, and SubRip with megabytes on one line (which FFmpeg's parser takes minutes over). The event
 * loop stays free (its worst delay is checked with a generous bound, and health answers meanwhile),
 * conversions past their own small limit answer 503 while streams still get FFmpeg, a conversion past its
 * time bound answers 422, and one whose client leaves stops its FFmpeg. Fixtures are generated here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { parseCues } from '../../src/stream/vtt.js';
import { worstLoopDelayMs } from '../helpers/loop-delay.js';
import { makeMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from './support.js';

const MB = 1024 * 1024;
/** The bar, generous for a loaded machine: the loop is never held a second. */
const MAX_LOOP_DELAY_MS = 1000;

let work: string;

/** `count` cues, one a second, each `text` (with its number); `,` before the milliseconds when `srt`. */
function cues(count: number, text: string, srt: boolean): string {
  const stamp = (s: number) => {
    const hh = String(Math.floor(s / 3600)).padStart(2, '0');
    const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `${hh}:${mm}:${ss}${srt ? ',' : '.'}000`;
  };
  const blocks: string[] = [];
  for (let i = 0; i < count; i++) blocks.push(`${i + 1}\n${stamp(i)} --> ${stamp(i + 1)}\n${text} ${i}\n`);
  return blocks.join('\n');
}

/** As many cues as fit in `bytes` (a few more digits than the last cue's numbers take at most). */
function cueCount(bytes: number, text: string): number {
  return Math.floor(bytes / (cues(1, text, true).length + 16));
}

function fixture(name: string, bytes: Buffer | string): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

async function withServer<T>(
  options: Parameters<typeof startTestServer>[0],
  use: (server: TestServer) => Promise<T>,
): Promise<T> {
  const server = await startTestServer(options);
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

async function subtitleUrl(server: TestServer, path: string): Promise<string> {
  const entry = await server.catalog.addLocalFile(path);
  return `${server.url}/subtitles/${entry.infoHash}/0.vtt`;
}

/** Health requests, one after another, until `until` settles: how many answered 200 meanwhile. */
async function healthWhile(server: TestServer, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let answered = 0;
  while (!done) {
    const response = await fetch(`${server.url}/api/health`);
    if (response.status === 200) answered++;
    await response.arrayBuffer();
  }
  return answered;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-hostile-subs-'));
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('a 15 MB .srt that is not UTF-8', () => {
  it('is decoded without holding the event loop, and every cue comes back', async () => {
    const text = 'Déjà vu au café, l’été — encore';
    const count = cueCount(15 * MB, text);
    const path = fixture('big-1252.srt', iconv.encode(cues(count, text, true), 'windows-1252'));
    // The time bound is not what this looks at: on a loaded machine 15 MB take FFmpeg a while.
    await withServer({ subtitleTimeoutMs: 200_000 }, async (server) => {
      const url = await subtitleUrl(server, path);
      const { result, worstMs } = await worstLoopDelayMs(async () => {
        const response = fetch(url);
        const health = healthWhile(server, response);
        return { response: await response, health: await health };
      });
      assert.equal(result.response.status, 200);
      assert.match(result.response.headers.get('x-subtitle-charset') ?? '', /1252/);
      const parsed = parseCues((await bodyBytes(result.response)).toString('utf8'));
      assert.equal(parsed.length, count);
      assert.equal(parsed.at(-1)?.text, `${text} ${count - 1}`);
      assert.ok(result.health > 0, 'no health answer while the file was converted');
      assert.ok(worstMs < MAX_LOOP_DELAY_MS, `the event loop was held ${Math.round(worstMs)} ms`);
    });
  });
});

describe('ten parallel requests for a 15 MB .vtt', () => {
  it('are counted: past the limit 503 with Retry-After, the rest whole, the loop free', async () => {
    const text = 'A line of dialogue, long enough to be read';
    const count = cueCount(15 * MB, text);
    const path = fixture('big.vtt', `WEBVTT\n\n${cues(count, text, false)}`);
    await withServer({ maxSubtitleJobs: 2, subtitleTimeoutMs: 200_000 }, async (server) => {
      const url = await subtitleUrl(server, path);
      const { result, worstMs } = await worstLoopDelayMs(async () => {
        const all = Promise.all(
          Array.from({ length: 10 }, async () => {
            const response = await fetch(url);
            return { response, body: await bodyBytes(response) };
          }),
        );
        const health = healthWhile(server, all);
        return { answers: await all, health: await health };
      });
      const busy = result.answers.filter(({ response }) => response.status === 503);
      const whole = result.answers.filter(({ response }) => response.status === 200);
      assert.equal(busy.length + whole.length, 10, result.answers.map((a) => a.response.status).join());
      assert.ok(busy.length >= 1, 'no request was refused: the conversions are not counted');
      for (const { response } of busy) assert.equal(response.headers.get('retry-after'), '5');
      for (const { body } of whole) assert.equal(parseCues(body.toString('utf8')).length, count);
      assert.ok(result.health > 0, 'no health answer while the files were parsed');
      assert.ok(worstMs < MAX_LOOP_DELAY_MS, `the event loop was held ${Math.round(worstMs)} ms`);
      assert.equal(server.app.limits.subtitleFiles.inUse, 0);
    });
  });
});

describe('SubRip with a megabyte on one line', () => {
  // FFmpeg's SubRip parser takes tens of seconds of CPU over it, more the longer the line.
  const oneLine = () =>
    fixture('one-line.srt', `1\n00:00:01,000 --> 00:00:02,000\n${'abcdefghij '.repeat(MB / 10)}\n`);

  it('holds a subtitle slot, not a stream: past its limit 503, while a stream still gets FFmpeg', async () => {
    const path = oneLine();
    const video = await makeMedia('mp4');
    await withServer({ maxFfmpeg: 2, maxSubtitleJobs: 1 }, async (server) => {
      const url = await subtitleUrl(server, path);
      const first = new AbortController();
      const converting = fetch(url, { signal: first.signal }).catch(() => null);
      await waitFor('FFmpeg converting the file', () => childProcesses().length === 1);
      const second = await fetch(url);
      assert.equal(second.status, 503);
      assert.equal(second.headers.get('retry-after'), '5');
      assert.match(((await second.json()) as { error: string }).error, /subtitle conversions/);
      const entry = await server.catalog.addLocalFile(video);
      const stream = await fetch(`${server.url}/stream/${entry.infoHash}/0?mode=remux`);
      assert.equal(stream.status, 200);
      assert.ok((await bodyBytes(stream)).length > 0);
      // The client leaving stops the conversion.
      first.abort();
      await converting;
      assert.deepEqual(await ffmpegChildrenGone(), []);
      await waitFor('the slots back', () => server.app.limits.subtitleFiles.inUse === 0);
      assert.equal(server.app.limits.ffmpegProcesses.inUse, 0);
    });
  });

  it('answers 422 past its time bound and leaves no FFmpeg', async () => {
    const path = oneLine();
    await withServer({ subtitleTimeoutMs: 1000 }, async (server) => {
      const response = await fetch(await subtitleUrl(server, path));
      assert.equal(response.status, 422);
      assert.match(((await response.json()) as { error: string }).error, /not converted within 1 s/);
      assert.deepEqual(await ffmpegChildrenGone(), []);
      assert.equal(server.app.limits.subtitleFiles.inUse, 0);
    });
  });
});
