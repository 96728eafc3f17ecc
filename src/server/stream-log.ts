/**
 * A stream's log lines: `stream started`, `stream first output` (with the start's phases), then `stream
 * ended` or `stream failed` (with FFmpeg's last stderr line). The message is for a person reading the terminal; the fields (infoHash, file, mode, bytes, ms,
 * outcome, stderr) are for JSON readers.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { StartPhases } from '../catalog/start-ledger.js';
import type { StreamObserver } from './metrics.js';
import { describePhases } from './start-phases.js';

export interface StreamLog {
  started(fields?: Record<string, unknown>): void;
  /** The first fragment (or byte) went out: where the start's time went. */
  firstOutput(phases: StartPhases): void;
  ended(outcome: 'complete' | 'stopped', fields: { bytes: number } & Record<string, unknown>): void;
  failed(message: string, stderr: string[], fields?: Record<string, unknown>): void;
}

export interface StreamAbout {
  infoHash: string;
  file: number;
  name: string;
  mode: string;
}

/** `observer` (the server's metrics) hears the same events as the log. */
export function streamLog(
  parent: FastifyBaseLogger,
  about: StreamAbout,
  observer: StreamObserver,
): StreamLog {
  const log = parent.child(about);
  const what = `"${about.name}" (${about.mode})`;
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  return {
    started(fields = {}) {
      observer.started(about.mode);
      log.info(fields, `stream started ${what}`);
    },
    firstOutput(phases) {
      observer.firstOutput(about.mode, phases);
      log.info({ phases }, `stream first output ${what}: ${describePhases(phases)}`);
    },
    ended(outcome, fields) {
      const ms = elapsed();
      observer.ended(about.mode, false);
      const how = outcome === 'stopped' ? ', stopped before the end' : '';
      log.info(
        { ...fields, ms, outcome },
        `stream ended ${what}: ${megabytes(fields.bytes)} in ${(ms / 1000).toFixed(1)} s${how}`,
      );
    },
    failed(message, stderr, fields = {}) {
      observer.ended(about.mode, true);
      const last = stderr.at(-1);
      const why = last && !message.includes(last) ? `${message} — ${last}` : message;
      log.warn({ ...fields, ms: elapsed(), outcome: 'failed', stderr }, `stream failed ${what}: ${why}`);
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
