/**
 * Every number a request carries in its path or query is finite. Ajv coerces "Infinity", "-Infinity" and
 * "1e400" to ±Infinity after its type check, and its minimum/maximum checks skip numbers that are not
 * finite, so such values pass any numeric schema; this check runs right after validation, on every route.
 */
import type { FastifyInstance } from 'fastify';
import { statusError } from '../catalog/status-error.js';

function firstInfinite(values: unknown): string | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const [key, value] of Object.entries(values)) {
    const numbers = Array.isArray(value) ? value : [value];
    if (numbers.some((n) => typeof n === 'number' && !Number.isFinite(n))) return key;
  }
  return undefined;
}

export function registerFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const param = firstInfinite(request.params);
    if (param) throw statusError(400, `params/${param} must be a finite number`);
    const query = firstInfinite(request.query);
    if (query) throw statusError(400, `querystring/${query} must be a finite number`);
  });
}
