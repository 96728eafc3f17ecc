/** Errors the engine shows to users: the HTTP API answers 400 with the message and the code. */
export type TorrentInputErrorCode =
  | 'INVALID_SOURCE'
  | 'FETCH_FAILED'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_SCHEME'
  /** A .torrent URL on a public host redirected into a loopback or private network. */
  | 'BLOCKED_REDIRECT';

export class TorrentInputError extends Error {
  constructor(
    message: string,
    readonly code: TorrentInputErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TorrentInputError';
  }

  readonly statusCode = 400;

  get details(): { code: TorrentInputErrorCode } {
    return { code: this.code };
  }
}
