/**
 * How errors become answers. An error that carries `statusCode` (see catalog/status-error.ts) is answered
 * with it, `{ error, ...details }` and its headers; a client that left gets 499; anything else is a bug:
 * 500, logged. No answer quotes a server path (server-paths.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hideServerPaths } from '../catalog/server-paths.js';
import type { StatusError } from '../catalog/status-error.js';
import { isAbortError } from '../stream/abort.js';

export function answerError(
  err: Error & Partial<StatusError> & { validationContext?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  // A path naming nothing this server could hold (a malformed info-hash, a file index past any file) is as
  // unknown as a well-formed one it lacks: 404, as for any unknown torrent or file.
  if (err.validationContext === 'params') return reply.code(404).send({ error: `Not found: ${err.message}` });
  const status = err.statusCode;
  if (status && status >= 400 && status < 600 && status !== 500) {
    const details = typeof err.details === 'object' ? err.details : {};
    return reply
      .code(status)
      .headers(err.headers ?? {})
      .send({ error: hideServerPaths(err.message), ...details });
  }
  if (isAbortError(err)) return reply.code(499).send({ error: 'client closed request' });
  request.log.error(err);
  return reply.code(500).send({ error: `Internal error: ${hideServerPaths(err.message)}` });
}
