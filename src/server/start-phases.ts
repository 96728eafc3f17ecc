/**
 * One stream start's phases, in milliseconds from its reference time: `added` (the torrent added),
 * `metadata` (its metadata in), `firstByte` (the first bytes of the file read back, by the probe or the
 * stream), `probed` (the probe done; a cached probe is done at once; a `mode=direct` start that needs none
 * has none) and `firstOut` (the first fragment, HLS
 * segment or direct byte answered). Each is marked once.
 *
 * A cold start (the torrent's metadata was not in when it was asked for) counts from the torrent's add, so
 * the setup it waited for shows: `added` is 0. A warm start counts from its request and omits `added` and
 * `metadata`: they are past and say nothing of this start. A torrent added before this process (restored)
 * has no add time here; its cold start counts from the request, with `metadata`.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { LastStart, StartPhases } from '../catalog/start-ledger.js';
import { afterReads } from '../catalog/start-ledger.js';
import type { DataSource } from '../stream/data-source.js';

type Phase = keyof StartPhases;

export class StreamStart {
  readonly phases: StartPhases = {};
  private readonly at = new Date();
  private readonly reference: number;
  /** The torrent's metadata was not in when the start was asked for. */
  readonly cold: boolean;
  private stopWaiting: () => void;

  constructor(
    private readonly catalog: Catalog,
    private readonly infoHash: string,
    private readonly file: number,
  ) {
    const entry = catalog.get(infoHash);
    this.cold = !!entry && !entry.ready;
    const added = this.cold ? catalog.starts.addedAt(infoHash) : undefined;
    this.reference = added ?? this.at.getTime();
    if (added !== undefined) this.phases.added = 0;
    this.stopWaiting = catalog.starts.onNextRead(infoHash, file, () => this.mark('firstByte'));
  }

  /** The entry's files are known: a phase of its own only when this start waited for them. */
  metadata(): void {
    if (this.cold) this.mark('metadata');
  }

  probed(): void {
    this.mark('probed');
  }

  /** The start becomes the entry's `lastStart` (its phases still filling in) once its mode is known. */
  publish(mode: LastStart['mode']): void {
    const start = { at: this.at.toISOString(), file: this.file, mode, phases: this.phases };
    this.catalog.starts.publish(this.infoHash, start);
  }

  /** Marks `firstOut`; true the first time (the caller logs the phases then). */
  out(): boolean {
    if (this.phases.firstOut !== undefined) return false;
    this.mark('firstOut');
    this.end();
    return true;
  }

  /** `source`, marking `firstOut` when its first bytes come back: direct mode writes them out at once. */
  outOnFirstRead(source: DataSource, then: () => void): DataSource {
    return afterReads(source, () => {
      if (this.out()) then();
    });
  }

  /** Stops listening for the file's first byte (the start ended before it). */
  end(): void {
    this.stopWaiting();
    this.stopWaiting = () => undefined;
  }

  private mark(phase: Phase): void {
    this.phases[phase] ??= Date.now() - this.reference;
  }
}

/**
 * The phases for a log line, in the order they came: "metadata 120 ms, first byte 180 ms, probed 340 ms,
 * first output 610 ms after the add" (a warm start: "… after the request").
 */
export function describePhases(phases: StartPhases): string {
  const names: Array<[Phase, string]> = [
    ['metadata', 'metadata'],
    ['firstByte', 'first byte'],
    ['probed', 'probed'],
    ['firstOut', 'first output'],
  ];
  const list = names
    .filter(([phase]) => phases[phase] !== undefined)
    .sort(([a], [b]) => phases[a]! - phases[b]!)
    .map(([phase, name]) => `${name} ${phases[phase]} ms`)
    .join(', ');
  return `${list} after the ${phases.added === undefined ? 'request' : 'add'}`;
}
