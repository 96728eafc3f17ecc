/**
 * Pump overhead: the same remux to /dev/null, FFmpeg reading the file by path vs LocalFileSource →
 * StreamPump → FFmpeg's stdin (configured as ProgressiveStreamer configures it), alternated so both see
 * the same page cache and machine load.
 */
import { spawn } from 'node:child_process';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { probeSource } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { STDIN_QUEUE_BYTES } from '../../src/stream/progressive-streamer.js';
import { StreamPump } from '../../src/stream/stream-pump.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { median, now } from '../lib/stats.js';

export interface PumpResult {
  fileBytes: number;
  runs: number;
  pathMs: number[];
  pumpMs: number[];
  /** `cat FILE | ffmpeg -i pipe:0`: the cheapest way to feed a pipe, i.e. the cost of any pipe at all. */
  catMs: number[];
  /** CPU seconds of the bench process (the pump's side) per pump run. */
  pumpCpuS: number[];
  medianPathMs: number;
  medianPumpMs: number;
  medianCatMs: number;
  ratio: number;
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

  const runPath = () => timed(tools.ffmpeg, byPath, null);
  const runPump = () => timed(tools.ffmpeg, byPipe, media.path);
  const runCat = () => timedCat(tools.ffmpeg, byPipe, media.path);
  await runPath(); // warm the page cache and FFmpeg's own start-up
  const pathMs: number[] = [];
  const pumpMs: number[] = [];
  const pumpCpuS: number[] = [];
  const catMs: number[] = [];
  for (let i = 0; i < options.pumpRuns; i++) {
    pathMs.push((await runPath()).ms);
    const pumped = await runPump();
    pumpMs.push(pumped.ms);
    pumpCpuS.push(pumped.cpuS);
    catMs.push(await runCat());
    log(
      `  pump run ${i + 1}: path ${pathMs.at(-1)!.toFixed(0)} ms, pump ${pumped.ms.toFixed(0)} ms, cat | ffmpeg ${catMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  const medianPathMs = median(pathMs);
  const medianPumpMs = median(pumpMs);
  const medianCatMs = median(catMs);
  return {
    fileBytes: media.size,
    runs: options.pumpRuns,
    pathMs,
    pumpMs,
    pumpCpuS,
    medianPathMs,
    medianPumpMs,
    catMs,
    medianCatMs,
    ratio: medianPumpMs / medianPathMs,
    ratioToCat: medianPumpMs / medianCatMs,
  };
}

/** One remux to /dev/null (FFmpeg's stdout), fed by the pump when `pumpFrom` is a path. */
async function timed(
  ffmpeg: string,
  args: string[],
  pumpFrom: string | null,
): Promise<{ ms: number; cpuS: number }> {
  const source = pumpFrom ? await LocalFileSource.open(pumpFrom) : null;
  const cpu = process.cpuUsage();
  const started = now();
  const child = spawn(ffmpeg, args, { stdio: [source ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (source && child.stdin) {
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
