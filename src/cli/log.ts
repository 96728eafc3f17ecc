/**
 * The server's logger: pino, as readable one-line events for a person on a terminal (pino-pretty, in-process
 * so lines keep their order with the banner and are written before the process exits), else JSON lines.
 */
import pino, { type Logger } from 'pino';
import { terminalSafe } from './terminal-text.js';

export interface LogOptions {
  level: string;
  /** Readable lines instead of JSON (for a terminal). */
  pretty: boolean;
}

/** Readable when stdout is a terminal, unless JSON was asked for. */
export function wantsPrettyLogs(json: boolean | undefined, stdout: { isTTY?: boolean } = process.stdout) {
  return !json && stdout.isTTY === true;
}

/** Async: pino-pretty is loaded only for a terminal (a service's JSON logs never need it). */
export async function createLogger(options: LogOptions): Promise<Logger> {
  const pretty = options.pretty ? (await import('pino-pretty')).default : undefined;
  const stream = pretty
    ? pretty({
        sync: true,
        translateTime: 'HH:MM:ss',
        // Only the time, the level and the message: the message is written for people, the fields are for JSON.
        include: 'level,time',
        singleLine: true,
        customPrettifiers: { time: (time) => String(time) },
        messageFormat: (log, key) => terminalSafe(String(log[key] ?? '')),
      })
    : pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      // Names in the fields too: JSON escapes ESC but not C1 or bidi characters, and --json may be a terminal.
      formatters: { log: safeFields, bindings: safeFields },
      hooks: {
        logMethod(args, method) {
          // Fastify announces each address it listens on; `serve` announces the one URL to open, first.
          if (typeof args[0] === 'string' && args[0].startsWith('Server listening at ')) return;
          const at = typeof args[0] === 'string' ? 0 : 1;
          if (typeof args[at] === 'string') args[at] = terminalSafe(args[at]);
          method.apply(this, args);
        },
      },
    },
    stream,
  );
}

/** Strings in plain objects and arrays made terminal-safe (errors are left to pino's serializer). */
function safeFields(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, safeValue(field)]));
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return terminalSafe(value);
  if (Array.isArray(value)) return value.map(safeValue);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return safeFields(value as Record<string, unknown>);
  }
  return value;
}
