/**
 * Streaming from a constrained swarm of real clients: six seeders (aria2c and transmission-daemon
 * alternately, each on its own 127.0.0.x, each capped at a sixth of the scenario's total), a 1.2 Mbit/s
 * video, and the player of bench/lib/player.ts. Two scenarios: ~900 KB/s in all, and 1.4× the media's
 * bitrate. For each of streamtide direct, streamtide remux, webtorrent-cli and peerflix, in turns:
 * - play samples: a fresh swarm, play from the start for a fixed window: startup and rebuffer ratio;
 * - seek samples: a fresh swarm, play until started, then seek to the keyframe nearest 80 % (not
 *   downloaded; a seek starts at a keyframe, so every player needs the same bytes):
 *   the time until 2 s of media from there are held (the player plays again), and a startup sample too.
 * Each swarm's seeders have been seeding a while when the client is added: a client's j-th of m samples
 * meets their clocks at phase (j + 0.5) / m of the 10 s cycle (real-swarm.ts), the same for every client.
 * The load average is recorded around each scenario.
 */
import { loadavg } from 'node:os';
import type { StartPhases } from '../../src/catalog/start-ledger.js';
import type { SeederKind } from '../../test/helpers/real-seeders.js';
import { bitrateMedia } from '../lib/media.js';
import { mp4Timeline, type Timeline } from '../lib/mp4-timeline.js';
import type { BenchOptions } from '../lib/options.js';
import { type Arrival, type Playback, play, reached, START_BUFFER_S } from '../lib/player.js';
import { type SeederClock, startRealSwarm, stratifiedPhase } from '../lib/real-swarm.js';
import { median } from '../lib/stats.js';
import { CLIENTS, prepareClient, type Session, type SwarmClient } from './swarm-clients.js';

export interface SeekSample {
  startupMs: number | null;
  /** Seek request → 2 s of media from the keyframe held; its first byte. */
  resumeMs: number | null;
  firstByteMs: number | null;
  /** streamtide's torrent progress when it seeked. */
  progressAtSeek?: number;
  seeders?: SeederClock;
}

export interface ClientFigures {
  play: Array<Playback & { firstByteMs: number | null; phases?: StartPhases; seeders?: SeederClock }>;
  seek: SeekSample[];
  /** Medians: startup over play and seek samples; failed samples count as missing. */
  startupMs: number;
  rebufferRatio: number;
  seekMs: number;
}

export interface SwarmScenario {
  label: string;
  totalBytesPerS: number;
  perSeederBytesPerS: number;
  clients: Record<SwarmClient, ClientFigures>;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface SwarmResult {
  media: { bytesPerSecond: number; seconds: number; mkvBytes: number; mp4Bytes: number };
  seeders: SeederKind[];
  windowS: number;
  /** Where seeks go (seconds): the keyframe nearest 80 %. */
  seekTo: number;
  scenarios: SwarmScenario[];
}

const SEEDERS: SeederKind[] = ['aria2c', 'transmission', 'aria2c', 'transmission', 'aria2c', 'transmission'];
const STARTUP_TIMEOUT_MS = 60_000;
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

export async function benchSwarm(options: BenchOptions, log: (line: string) => void): Promise<SwarmResult> {
  const media = await bitrateMedia(options.cacheDir, options.swarmMinutes);
  const timeline = await mp4Timeline(media.mp4.path, media.mp4.duration);
  const seekTo = timeline.keyframeNear(media.mp4.duration * 0.8);
  const windowMs = options.swarmWindowS * 1000;
  const scenarios: Array<[string, number]> = [
    ['~900 KB/s in all', 900_000],
    ['1.4× the bitrate', Math.round(1.4 * media.mp4.bytesPerSecond)],
  ];
  const result: SwarmResult = {
    media: {
      bytesPerSecond: media.mp4.bytesPerSecond,
      seconds: media.mp4.duration,
      mkvBytes: media.mkv.size,
      mp4Bytes: media.mp4.size,
    },
    seeders: SEEDERS,
    windowS: options.swarmWindowS,
    seekTo,
    scenarios: [],
  };
  for (const [label, total] of scenarios) {
    const perSeeder = Math.round(total / SEEDERS.length);
    log(`  swarm ${label}: ${SEEDERS.length} seeders × ${(perSeeder / 1000).toFixed(0)} KB/s`);
    const loadAverageBefore = load();
    const figures = Object.fromEntries(CLIENTS.map((c) => [c, { play: [], seek: [] }])) as unknown as Record<
      SwarmClient,
      Pick<ClientFigures, 'play' | 'seek'>
    >;
    const samples = Math.max(options.swarmPlaySamples, options.swarmSeekSamples);
    const perClient = options.swarmPlaySamples + options.swarmSeekSamples;
    const taken = new Map<SwarmClient, number>();
    const phaseFor = (client: SwarmClient) => {
      const j = taken.get(client) ?? 0;
      taken.set(client, j + 1);
      return stratifiedPhase(j, perClient);
    };
    for (let i = 0; i < samples; i++) {
      // Rotate the order so no client always runs first (or last) as the machine's load drifts.
      const order = CLIENTS.map((_, j) => CLIENTS[(i + j) % CLIENTS.length]!);
      for (const client of order) {
        const path = client === 'remux' ? media.mkv.path : media.mp4.path;
        const run = { client, path, perSeeder, timeline, log };
        if (i < options.swarmPlaySamples)
          figures[client].play.push(await playSample(run, phaseFor(client), windowMs, media.mp4.duration));
        if (i < options.swarmSeekSamples)
          figures[client].seek.push(await seekSample(run, phaseFor(client), seekTo));
      }
    }
    const clients = Object.fromEntries(
      CLIENTS.map((c) => {
        const { play: plays, seek } = figures[c];
        const startups = [...plays.map((p) => p.startupMs), ...seek.map((s) => s.startupMs)];
        const figuresOf: ClientFigures = {
          play: plays,
          seek,
          startupMs: medianOf(startups),
          rebufferRatio: median(plays.map((p) => p.rebufferRatio)),
          seekMs: medianOf(seek.map((s) => s.resumeMs)),
        };
        return [c, figuresOf];
      }),
    ) as Record<SwarmClient, ClientFigures>;
    result.scenarios.push({
      label,
      totalBytesPerS: perSeeder * SEEDERS.length,
      perSeederBytesPerS: perSeeder,
      clients,
      loadAverageBefore,
      loadAverageAfter: load(),
    });
  }
  return result;
}

/** A median where a sample that never got there counts as infinitely slow (it is not dropped). */
function medianOf(values: Array<number | null>): number {
  return median(values.map((v) => v ?? Number.POSITIVE_INFINITY));
}

interface Run {
  client: SwarmClient;
  path: string;
  perSeeder: number;
  timeline: Timeline;
  log: (line: string) => void;
}

const startedFor = (windowMs: number) => (arrivals: Arrival[]) => {
  const start = reached(arrivals, START_BUFFER_S);
  return start !== null && arrivals.at(-1)!.ms >= start + windowMs;
};

async function playSample(
  run: Run,
  phase: number,
  windowMs: number,
  mediaS: number,
): Promise<ClientFigures['play'][number]> {
  try {
    return await withSession(run, phase, async (session, seeders) => {
      const read = await session.play(startedFor(windowMs), STARTUP_TIMEOUT_MS + windowMs);
      const playback = play(read.arrivals, windowMs, mediaS);
      const { phases } = await session.state();
      run.log(
        `    ${run.client} play${upFor(seeders)}: startup ${ms(playback.startupMs)}, stalled ` +
          `${ms(playback.stallMs)} (${playback.stalls}×) in ${windowMs / 1000} s, first byte ` +
          `${ms(read.firstByteMs)}${phases ? `, phases ${JSON.stringify(phases)}` : ''}`,
      );
      return { ...playback, firstByteMs: read.firstByteMs, phases, seeders };
    });
  } catch (err) {
    run.log(`    ${run.client} play failed: ${(err as Error).message}`);
    return { ...play([], windowMs, mediaS), firstByteMs: null };
  }
}

async function seekSample(run: Run, phase: number, keyframe: number): Promise<SeekSample> {
  try {
    return await withSession(run, phase, async (session, seeders) => {
      const start = await session.play((a) => reached(a, START_BUFFER_S) !== null, STARTUP_TIMEOUT_MS);
      const startupMs = reached(start.arrivals, START_BUFFER_S);
      if (startupMs === null)
        throw new Error(`no ${START_BUFFER_S} s of media within ${STARTUP_TIMEOUT_MS} ms`);
      const { progress } = await session.state();
      const held = (a: Arrival[]) => reached(a, START_BUFFER_S) !== null;
      const seek = await session.seek(keyframe, held, STARTUP_TIMEOUT_MS);
      const resumeMs = reached(seek.arrivals, START_BUFFER_S);
      run.log(
        `    ${run.client} seek to ${keyframe.toFixed(1)} s${upFor(seeders)}: playing again after ${ms(resumeMs)} ` +
          `(first byte ${ms(seek.firstByteMs)}), started after ${ms(startupMs)}` +
          (progress === undefined ? '' : `, ${(progress * 100).toFixed(0)} % downloaded at the seek`),
      );
      return { startupMs, resumeMs, firstByteMs: seek.firstByteMs, progressAtSeek: progress, seeders };
    });
  } catch (err) {
    run.log(`    ${run.client} seek failed: ${(err as Error).message}`);
    return { startupMs: null, resumeMs: null, firstByteMs: null };
  }
}

/**
 * A fresh swarm, handed out at `phase`, and a fresh client prepared meanwhile and added to it at once, for
 * one sample; both stopped after it.
 */
async function withSession<T>(
  run: Run,
  phase: number,
  use: (session: Session, seeders: SeederClock) => Promise<T>,
): Promise<T> {
  const [swarm, client] = await Promise.allSettled([
    startRealSwarm(run.path, SEEDERS, { uploadLimit: run.perSeeder, phase }),
    prepareClient(run.client),
  ]);
  try {
    if (swarm.status === 'rejected') throw swarm.reason;
    if (client.status === 'rejected') throw client.reason;
    return await use(await client.value.add(swarm.value, run.timeline), swarm.value.clock);
  } finally {
    if (client.status === 'fulfilled') await client.value.close();
    if (swarm.status === 'fulfilled') await swarm.value.stop();
  }
}

const upFor = (clock: SeederClock) =>
  ` (seeders up ${clock.agesMs.map((a) => (a / 1000).toFixed(1)).join(' / ')} s)`;

const ms = (value: number | null) => (value === null ? 'never' : `${value.toFixed(0)} ms`);
