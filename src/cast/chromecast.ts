/**
 * Chromecasts: found by mDNS (`_googlecast._tcp`, bonjour-service), driven by castv2-client's Default
 * Media Receiver. Kept thin: the protocol is the libraries'. Untested against a device (none here).
 */
import { Bonjour } from 'bonjour-service';
import castv2, { type DefaultMediaReceiver, type MediaStatus } from 'castv2-client';
import type { Search } from './find-renderer.js';
import { type CastMedia, type CastState, HLS_MIME, type Renderer } from './types.js';

export interface ChromecastFound {
  name: string;
  host: string;
  port: number;
}

export const searchChromecasts: Search<ChromecastFound> = (onFound) => {
  const bonjour = new Bonjour();
  bonjour.find({ type: 'googlecast' }, (service) => {
    const host = service.addresses?.find((a) => !a.includes(':')) ?? service.referer?.address;
    // `fn` is the name the user gave it; the service name is an id.
    const name = typeof service.txt?.fn === 'string' ? service.txt.fn : service.name;
    if (host) onFound({ name, host, port: service.port });
  });
  return () => bonjour.destroy();
};

const promised = <T>(run: (done: (err: Error | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));

export class Chromecast implements Renderer {
  readonly kind = 'chromecast';
  private readonly client = new castv2.Client();
  private player: DefaultMediaReceiver | undefined;
  /** castv2 cannot close a client that never connected. */
  private connected = false;

  constructor(private readonly found: ChromecastFound) {
    // A dropped connection must not crash the CLI: the status line shows the state it last had.
    this.client.on('error', () => {});
  }

  get name(): string {
    return this.found.name;
  }

  /** A Chromecast does not list types: it gets the baseline stream (already-baseline MP4 as is). */
  accepts(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async play(media: CastMedia): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.client.once('error', reject);
      this.client.connect({ host: this.found.host, port: this.found.port }, () => {
        this.connected = true;
        this.client.off('error', reject);
        resolve();
      });
    });
    const player = await promised<DefaultMediaReceiver>((done) =>
      this.client.launch(castv2.DefaultMediaReceiver, done),
    );
    this.player = player;
    await promised<MediaStatus>((done) =>
      player.load(
        {
          contentId: media.url,
          contentType: media.mime,
          streamType: 'BUFFERED',
          // The receiver takes HLS segments for MPEG-TS unless told: ours are fMP4 (CMAF).
          ...(media.mime === HLS_MIME ? { hlsSegmentFormat: 'fmp4', hlsVideoSegmentFormat: 'fmp4' } : {}),
          metadata: { type: 0, metadataType: 0, title: media.title },
        },
        { autoplay: true },
        done,
      ),
    );
  }

  async status(): Promise<CastState> {
    const player = this.player;
    if (!player) return { state: 'IDLE' };
    const status = await promised<MediaStatus | null>((done) => player.getStatus(done));
    return {
      state: status?.playerState ?? 'IDLE',
      position: status?.currentTime,
      duration: status?.media?.duration,
    };
  }

  async stop(): Promise<void> {
    const player = this.player;
    if (player) await promised<void>((done) => player.stop(done));
  }

  close(): void {
    if (this.connected) this.client.close();
  }
}
