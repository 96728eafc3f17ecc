/** The part of node-ssdp 4 (CommonJS, untyped) that src/dlna/ssdp.ts and the tests use. */
declare module 'node-ssdp' {
  import type { Socket } from 'node:dgram';

  export interface SsdpOptions {
    udn?: string;
    ssdpSig?: string;
    ssdpTtl?: number;
    adInterval?: number;
    interfaces?: string[];
    explicitSocketBind?: boolean;
    location?: string | { protocol?: string; port: number; path: string };
    customLogger?: (...args: unknown[]) => void;
    reuseAddr?: boolean;
  }

  export interface RemoteInfo {
    address: string;
    port: number;
  }

  class Base {
    /** One socket per interface address (null once stopped). */
    sockets: Record<string, Socket> | null;
    on(
      event: 'response',
      listener: (headers: Record<string, string>, status: number, rinfo: RemoteInfo) => void,
    ): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    _respondToSearch(serviceType: string, rinfo: RemoteInfo): void;
    /** Sends a message on every socket: (message, callback) or (message, host, port, callback). */
    _send(...args: unknown[]): void;
  }

  export class Server extends Base {
    constructor(options?: SsdpOptions);
    addUSN(usn: string): void;
    start(): Promise<void>;
    advertise(alive?: boolean): void;
    stop(): void;
  }

  export class Client extends Base {
    constructor(options?: SsdpOptions);
    start(): Promise<void>;
    search(serviceType: string): void;
    stop(): void;
  }

  const ssdp: { Server: typeof Server; Client: typeof Client };
  export default ssdp;
}
