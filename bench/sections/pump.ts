/**
 * Stdin overhead: the same remux to /dev/null, FFmpeg reading the file by path vs what streamtide gives
 * FFmpeg for a complete local file (the file's descriptor as its stdin, as FfmpegJob does), vs the pump
 * (LocalFileSource → StreamPump → FFmpeg's stdin, as ProgressiveStreamer configures it: what a source not
 * yet complete on disk gets), vs `cat | ffmpeg`; alternated so all see the same page cache and load.
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import { FfmpegJob } from '../../src/stream/ffmpeg-job.js';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { probeSource } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { STDIN_QUEUE_BYTES } from '../../src/stream/progressive-streamer.js';
import { StreamPump } from '../../src/stream/stream-pump.js';
import { openWholeFile } from '../../src/stream/whole-file.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { median, now } from '../lib/stats.js';

export interface PumpResult {
  fileBytes: number;
  runs: number;
  pathMs: number[];
  /** The complete file as FFmpeg's stdin: what streamtide does for it. */
  fileMs: number[];
  pumpMs: number[];
  /** `cat FILE | ffmpeg -i pipe:0`: the cheapest way to feed a pipe, i.e. the cost of any pipe at all. */
  catMs: number[];
  /** CPU seconds of the bench process (the pump's side) per pump run. */
  pumpCpuS: number[];
  medianPathMs: number;
  medianFileMs: number;
  medianPumpMs: number;
  medianCatMs: number;
  /** streamtide (the file as stdin) / FFmpeg reading the path. */
  ratio: number;
  /** The pump / FFmpeg reading the path. */
  pumpRatio: number;
  /** The pump / `cat | ffmpeg`. */
  ratioToCat: number;
}

export async function benchPump(options: BenchOptions, log: (line: string) => void): Promise<PumpResult> {
  const media = await mkvOfSize(options.cacheDir, options.pumpBytes);
  const tools = await locateFfmpeg();
  const probeOf = await LocalFileSource.open(media.path);
  const info = await probeSource(probeOf, tools);
  await probeOf.close();
  const plan = planStream(info, { mode: 'remux' });
  const byPath = buildFfmpegArgs({ ...plan, input: { kind: 'seekable', startTime: 0 } }, media.path);
  const byPipe = buildFfmpegArgs(plan);

  const runPath = () => timed(tools.ffmpeg, byPath, 'path', media.path);
  const runFile = () => timed(tools.ffmpeg, byPipe, 'file', media.path);
  const runPump = () => timed(tools.ffmpeg, byPipe, 'pump', media.path);
  const runCat = () => timedCat(tools.ffmpeg, byPipe, media.path);
  await runPath(); // warm the page cache and FFmpeg's own start-up
  await checkJobTakesFile(tools.ffmpeg, byPipe, media.path);
  const pathMs: number[] = [];
  const fileMs: number[] = [];
  const pumpMs: number[] = [];
  const pumpCpuS: number[] = [];
  const catMs: number[] = [];
  for (let i = 0; i < options.pumpRuns; i++) {
    pathMs.push((await runPath()).ms);
    fileMs.push((await runFile()).ms);
    const pumped = await runPump();
    pumpMs.push(pumped.ms);
    pumpCpuS.push(pumped.cpuS);
    catMs.push(await runCat());
    const ms = (values: number[]) => `${values.at(-1)!.toFixed(0)} ms`;
    log(
      `  run ${i + 1}: path ${ms(pathMs)}, file as stdin ${ms(fileMs)}, pump ${ms(pumpMs)}, cat | ffmpeg ${ms(catMs)}`,
    );
  }
  const medianPathMs = median(pathMs);
  const medianFileMs = median(fileMs);
  const medianPumpMs = median(pumpMs);
  const medianCatMs = median(catMs);
  return {
    fileBytes: media.size,
    runs: options.pumpRuns,
    pathMs,
    fileMs,
    pumpMs,
    pumpCpuS,
    medianPathMs,
    medianFileMs,
    medianPumpMs,
    catMs,
    medianCatMs,
    ratio: medianFileMs / medianPathMs,
    pumpRatio: medianPumpMs / medianPathMs,
    ratioToCat: medianPumpMs / medianCatMs,
  };
}

/** The measured `file` feed is the job's: FfmpegJob gives this source to FFmpeg as a file, not the pump. */
async function checkJobTakesFile(ffmpeg: string, args: string[], path: string): Promise<void> {
  const source = await LocalFileSource.open(path);
  try {
    const job = FfmpegJob.start({ binary: ffmpeg, args: () => args, input: { kind: 'pipe', source } });
    job.output.resume();
    const result = await job.done;
    if (job.pump || result.outcome !== 'complete' || result.bytesIn !== source.size) {
      throw new Error(`FfmpegJob did not read the complete file as stdin: ${result.error?.message ?? ''}`);
    }
  } finally {
    await source.close();
  }
}

/**
 * One remux to /dev/null (FFmpeg's stdout): FFmpeg opening `path` itself, given it as stdin through the
 * descriptor FfmpegJob would open (its stdout goes to /dev/null here, as the others'), or fed by the pump.
 */
async function timed(
  ffmpeg: string,
  args: string[],
  feed: 'path' | 'file' | 'pump',
  path: string,
): Promise<{ ms: number; cpuS: number }> {
  const source = feed === 'path' ? null : await LocalFileSource.open(path);
  const cpu = process.cpuUsage();
  const started = now();
  const whole = feed === 'file' && source ? openWholeFile(source) : null;
  if (feed === 'file' && !whole) throw new Error('the complete file was not opened as a whole');
  const stdin = whole ? whole.fd : feed === 'pump' ? 'pipe' : 'ignore';
  const child = spawn(ffmpeg, args, { stdio: [stdin, 'ignore', 'pipe'] });
  if (whole) closeSync(whole.fd);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (feed === 'pump' && source && child.stdin) {
    child.stdin.on('error', () => undefined);
    const { outcome } = await new StreamPump(source, { queueBytes: STDIN_QUEUE_BYTES }).pumpTo(child.stdin);
    if (outcome !== 'complete') throw new Error(`pump ended ${outcome}`);
    child.stdin.end();
  }
  const code = await exited;
  const ms = now() - started;
  const used = process.cpuUsage(cpu);
  await source?.close();
  if (code !== 0) throw new Error(`FFmpeg failed (${code}): ${stderr.slice(-500)}`);
  return { ms, cpuS: (used.user + used.system) / 1e6 };
}

/** The same remux fed by `cat` through a shell pipe (no Node at all). */
async function timedCat(ffmpeg: string, args: string[], path: string): Promise<number> {
  const started = now();
  const child = spawn('sh', ['-c', 'f=$1; shift; cat "$f" | "$@"', 'sh', path, ffmpeg, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`cat | FFmpeg failed (${code}): ${stderr.slice(-500)}`);
  return now() - started;
}
