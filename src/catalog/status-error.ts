/**
 * An error that knows its HTTP answer: the server's error handler sends `statusCode` with
 * `{ error: message, ...details }` and any `headers`, so no layer needs to know the others' error classes.
 */
export interface StatusError extends Error {
  statusCode: number;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export function statusError(
  statusCode: number,
  message: string,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): StatusError {
  return Object.assign(new Error(message), {
    statusCode,
    ...(details ? { details } : {}),
    ...(headers ? { headers } : {}),
  });
}
