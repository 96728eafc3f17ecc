/** The slice of castv2-client@1 that chromecast.ts uses (the package ships no types). */
declare module 'castv2-client' {
  import type { EventEmitter } from 'node:events';

  export interface MediaStatus {
    playerState?: string;
    currentTime?: number;
    media?: { duration?: number };
  }

  export class DefaultMediaReceiver extends EventEmitter {
    load(
      media: {
        contentId: string;
        contentType: string;
        streamType: string;
        metadata?: object;
        /** HLS only: what the segments are (the receiver assumes MPEG-TS). */
        hlsSegmentFormat?: string;
        hlsVideoSegmentFormat?: string;
      },
      options: { autoplay: boolean },
      callback: (err: Error | null, status?: MediaStatus) => void,
    ): void;
    getStatus(callback: (err: Error | null, status?: MediaStatus | null) => void): void;
    stop(callback: (err: Error | null) => void): void;
  }

  export class Client extends EventEmitter {
    connect(host: string | { host: string; port: number }, callback: () => void): void;
    launch(
      app: typeof DefaultMediaReceiver,
      callback: (err: Error | null, player: DefaultMediaReceiver) => void,
    ): void;
    close(): void;
  }

  const castv2: { Client: typeof Client; DefaultMediaReceiver: typeof DefaultMediaReceiver };
  export default castv2;
}
