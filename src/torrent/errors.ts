/** Errors the engine shows to users: the HTTP API answers 400 (413 when too large) with the message and the code. */
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

  /** 413 for a source past a size limit, else 400. */
  get statusCode(): number {
    return this.code === 'TOO_LARGE' ? 413 : 400;
  }

  get details(): { code: TorrentInputErrorCode } {
    return { code: this.code };
  }
}
