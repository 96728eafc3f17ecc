/** What the CLI needs of a renderer, DLNA or Chromecast alike. */

/** The type a renderer is told an HLS playlist has. */
export const HLS_MIME = 'application/x-mpegURL';

export interface CastMedia {
  url: string;
  mime: string;
  title: string;
  /** The file's original bytes (they take Range), not the transcoded stream. */
  direct: boolean;
}

export interface CastState {
  /** The renderer's own word: PLAYING, PAUSED_PLAYBACK, STOPPED, TRANSITIONING, BUFFERING, IDLE... */
  state: string;
  /** Seconds, when the renderer says. */
  position?: number;
  duration?: number;
}

export interface Renderer {
  readonly kind: 'dlna' | 'chromecast';
  /** Its friendly name, as the renderer gives it (not terminal-safe). */
  readonly name: string;
  /** Whether it says it plays the file's original bytes of this MIME type. */
  accepts(mime: string): Promise<boolean>;
  play(media: CastMedia): Promise<void>;
  status(): Promise<CastState>;
  stop(): Promise<void>;
  /** Lets go of connections (not the playback). */
  close(): void;
}

export class CastError extends Error {}
