/**
 * What streams tell GET /metrics. prom-client (prom-metrics.ts) is loaded by the first scrape — a server
 * nobody scrapes never loads it — and hears every event from the start: the ones before it loaded are kept
 * and replayed. So that an unscraped server does not keep them forever, it also loads once they are many.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { StartPhases } from '../catalog/start-ledger.js';
import type { PromMetrics } from './prom-metrics.js';
import type { Limits } from './services.js';

export interface StreamObserver {
  started(mode: string): void;
  firstOutput(mode: string, phases: StartPhases): void;
  ended(mode: string, failed: boolean): void;
}

/** Events kept before prom-client is loaded (a few per stream). */
const MAX_PENDING = 1000;

export class ServerMetrics implements StreamObserver {
  #metrics?: PromMetrics;
  #loading?: Promise<PromMetrics>;
  #pending: Array<(metrics: PromMetrics) => void> = [];

  constructor(
    private readonly catalog: Catalog,
    private readonly limits: Limits,
  ) {}

  started(mode: string): void {
    this.#record((metrics) => metrics.started(mode));
  }

  firstOutput(mode: string, phases: StartPhases): void {
    this.#record((metrics) => metrics.firstOutput(mode, phases));
  }

  ended(mode: string, failed: boolean): void {
    this.#record((metrics) => metrics.ended(mode, failed));
  }

  /** Prometheus' text format, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    const { registry } = await this.#load();
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  #record(event: (metrics: PromMetrics) => void): void {
    if (this.#metrics) {
      event(this.#metrics);
      return;
    }
    this.#pending.push(event);
    if (this.#pending.length >= MAX_PENDING) void this.#load();
  }

  #load(): Promise<PromMetrics> {
    this.#loading ??= import('./prom-metrics.js').then(({ PromMetrics }) => {
      const metrics = new PromMetrics(this.catalog, this.limits);
      for (const event of this.#pending) event(metrics);
      this.#pending = [];
      this.#metrics = metrics;
      return metrics;
    });
    return this.#loading;
  }
}
