/** Table rows of the sections on real-client seeders: cold first fragment, and the constrained swarm. */
import type { RealTtffResult } from '../sections/real-ttff.js';
import type { SwarmResult, SwarmScenario } from '../sections/swarm.js';
import type { SwarmClient } from '../sections/swarm-clients.js';
import { describeMedians } from './phases.js';
import { START_BUFFER_S } from './player.js';
import { ratio, seconds } from './stats.js';

type Row = [string, string, string, string, string, string];

const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const loadOf = (before: number[], after: number[]) => `load ${before[0]} → ${after[0]}`;
const ms = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(0) : 'n/a';

export function realTtffRows(r: RealTtffResult): Row[] {
  const load = loadOf(r.loadAverageBefore, r.loadAverageAfter);
  const reference = `${seconds(r.webtorrent.median)} (the bench's webtorrent seeder; metadata ${ms(r.webtorrent.phases.median.metadata)} ms)`;
  const row = (label: string, series: RealTtffResult['both'], target: number | null): Row => [
    `First fragment, cold magnet, remux, ${label} (loopback, unthrottled)`,
    `${seconds(series.median)} (metadata ${ms(series.phases.median.metadata)} ms)`,
    reference,
    ratio(series.median / r.webtorrent.median),
    target === null ? '—' : `≤ ${seconds(target)}`,
    target === null ? load : `${verdict(series.median <= target)} (${load})`,
  ];
  return [
    row('aria2c + transmission seeders, up a while', r.both, 800),
    row('one aria2c seeder, up a while', r.aria2c, null),
    row('one transmission seeder, up a while', r.transmission, null),
    row(
      'aria2c + transmission seeders started just before the add, the cold-seeder worst case',
      r.bothFresh,
      null,
    ),
    [
      'Cold start phases, aria2c + transmission seeders up a while (median, from the add)',
      describeMedians(r.both.phases),
      describeMedians(r.webtorrent.phases),
      '—',
      '—',
      '—',
    ],
  ];
}

const PEERS: SwarmClient[] = ['webtorrent-cli', 'peerflix'];

export function swarmRows(r: SwarmResult): Row[] {
  return r.scenarios.flatMap((scenario, i) => scenarioRows(r, scenario, i === 0 ? 2000 : 3000));
}

function scenarioRows(r: SwarmResult, s: SwarmScenario, startupTarget: number): Row[] {
  const load = loadOf(s.loadAverageBefore, s.loadAverageAfter);
  const where = `${s.label} (6 seeders × ${(s.perSeederBytesPerS / 1000).toFixed(0)} KB/s)`;
  const fastest = (pick: (c: SwarmScenario['clients'][SwarmClient]) => number) => {
    const [best] = [...PEERS].sort((a, b) => pick(s.clients[a]) - pick(s.clients[b]));
    return { name: best!, value: pick(s.clients[best!]) };
  };
  const peersText = (
    pick: (c: SwarmScenario['clients'][SwarmClient]) => number,
    show: (v: number) => string,
  ) => PEERS.map((p) => `${p} ${show(pick(s.clients[p]))}`).join(', ');
  const percent = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
  const rows: Row[] = [];
  for (const mode of ['direct', 'remux'] as const) {
    const c = s.clients[mode];
    const start = fastest((x) => x.startupMs);
    rows.push([
      `Startup (${START_BUFFER_S} s of media held), ${where}, streamtide ${mode}: from the add; peers: from their HTTP server answering`,
      seconds(c.startupMs),
      `${peersText((x) => x.startupMs, seconds)} (fastest: ${start.name})`,
      ratio(c.startupMs / start.value),
      `≤ ${seconds(startupTarget)}`,
      `${verdict(c.startupMs <= startupTarget)} (${load})`,
    ]);
  }
  for (const mode of ['direct', 'remux'] as const) {
    const c = s.clients[mode];
    const least = Math.min(...PEERS.map((p) => s.clients[p].rebufferRatio));
    rows.push([
      `Rebuffer ratio (time stalled / the ${r.windowS} s after the start), ${where}, streamtide ${mode}`,
      percent(c.rebufferRatio),
      peersText((x) => x.rebufferRatio, percent),
      '—',
      '≤ any peer',
      `${verdict(c.rebufferRatio <= least)} (${load})`,
    ]);
  }
  for (const mode of ['direct', 'remux'] as const) {
    const c = s.clients[mode];
    const seek = fastest((x) => x.seekMs);
    rows.push([
      `Seek to ${r.seekTo.toFixed(0)} s (80 %, not downloaded) until ${START_BUFFER_S} s from there are held, ${where}, streamtide ${mode}`,
      seconds(c.seekMs),
      `${peersText((x) => x.seekMs, seconds)} (fastest: ${seek.name})`,
      ratio(c.seekMs / seek.value),
      '≤ fastest peer + 0.5 s',
      `${verdict(c.seekMs <= seek.value + 500)} (${load})`,
    ]);
  }
  return rows;
}
