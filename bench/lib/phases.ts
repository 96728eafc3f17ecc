/**
 * The phases of cold starts (the torrent object's lastStart, docs/api.md): read from the server after each
 * cold sample's first fragment, and their medians. Only starts that counted from the add are kept: one whose
 * GET came after the metadata counts from its request, and mixing the two would blur the medians.
 */
import type { StartPhases } from '../../src/catalog/start-ledger.js';
import { api } from './http.js';
import { median } from './stats.js';

export interface PhaseMedians {
  /** Cold starts measured from the add, of `of` samples. */
  samples: number;
  of: number;
  median: Required<Omit<StartPhases, 'added'>>;
}

/**
 * The last start's phases of a torrent of the server at `base`. `probed`: wait (up to 3 s) for the probe's
 * phase too, for a remux or transcode start: a settled MKV header's stream goes out before the probe ends.
 */
export async function lastPhases(
  base: string,
  infoHash: string,
  { probed = false }: { probed?: boolean } = {},
): Promise<StartPhases> {
  const read = async () =>
    (await api<{ lastStart?: { phases: StartPhases } }>(base, 'GET', `/api/torrents/${infoHash}`)).lastStart
      ?.phases ?? {};
  const until = Date.now() + 3000;
  let phases = await read();
  while (probed && phases.probed === undefined && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    phases = await read();
  }
  return phases;
}

export function phaseMedians(all: StartPhases[]): PhaseMedians {
  const cold = all.filter((phases) => phases.added === 0);
  const of = (phase: keyof StartPhases) =>
    median(cold.map((phases) => phases[phase]).filter((ms): ms is number => ms !== undefined));
  return {
    samples: cold.length,
    of: all.length,
    median: {
      metadata: of('metadata'),
      firstByte: of('firstByte'),
      probed: of('probed'),
      firstOut: of('firstOut'),
    },
  };
}

/** "metadata 120 ms, first byte 180, probed 340, first fragment 610 (5 of 5 samples)" */
export function describeMedians({ samples, of, median: m }: PhaseMedians): string {
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
  return (
    `metadata ${ms(m.metadata)} ms, first byte ${ms(m.firstByte)}, probed ${ms(m.probed)}, ` +
    `first fragment ${ms(m.firstOut)} (${samples} of ${of} samples)`
  );
}
