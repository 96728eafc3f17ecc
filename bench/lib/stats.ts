/** Medians and small formatting helpers for the bench's figures. */

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds, or milliseconds below a tenth of a second (a local server's first byte takes ~1 ms). */
export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 100) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';
}

export function mbps(bytesPerSecond: number): string {
  return Number.isFinite(bytesPerSecond) ? `${(bytesPerSecond / 1024 / 1024).toFixed(0)} MiB/s` : 'n/a';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function now(): number {
  return performance.now();
}
