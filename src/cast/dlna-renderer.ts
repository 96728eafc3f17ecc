/**
 * A DLNA MediaRenderer driven through AVTransport (set the URI with DIDL-Lite metadata, play, poll, stop)
 * and asked through ConnectionManager what it plays.
 */
import { didlLite } from './didl.js';
import { sinkAccepts, sinkMimes, streamProtocolInfo } from './protocol-info.js';
import { type Service, soapCall } from './soap.js';
import type { CastMedia, CastState, Renderer } from './types.js';
import { type DeviceDescription, findService } from './upnp-device.js';

/** `H:MM:SS[.fff]` (UPnP times) in seconds; undefined for NOT_IMPLEMENTED and the like. */
export function parseUpnpTime(value: string | undefined): number | undefined {
  const match = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)/.exec(value ?? '');
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

const instance = { InstanceID: 0 };

export class DlnaRenderer implements Renderer {
  readonly kind = 'dlna';
  readonly name: string;
  private readonly transport: Service;
  private readonly connections: Service | undefined;
  private sink: Promise<Set<string>> | undefined;

  constructor(device: DeviceDescription) {
    const transport = findService(device, 'AVTransport');
    if (!transport) throw new Error(`${device.name} has no AVTransport service`);
    this.name = device.name;
    this.transport = transport;
    this.connections = findService(device, 'ConnectionManager');
  }

  /** The Sink list of GetProtocolInfo; a renderer that will not say is taken to play nothing as is. */
  accepts(mime: string): Promise<boolean> {
    const connections = this.connections;
    this.sink ??= connections
      ? soapCall(connections, 'GetProtocolInfo').then(
          (out) => sinkMimes(out.Sink ?? ''),
          () => new Set<string>(),
        )
      : Promise.resolve(new Set<string>());
    return this.sink.then((mimes) => sinkAccepts(mimes, mime));
  }

  async play(media: CastMedia): Promise<void> {
    const protocolInfo = streamProtocolInfo(media.mime, media.direct);
    const metadata = didlLite({
      title: media.title,
      url: media.url,
      protocolInfo,
      video: !media.mime.startsWith('audio/'),
    });
    // Some renderers refuse a new URI while playing another.
    await soapCall(this.transport, 'Stop', instance).catch(() => {});
    await soapCall(this.transport, 'SetAVTransportURI', {
      ...instance,
      CurrentURI: media.url,
      CurrentURIMetaData: metadata,
    });
    await soapCall(this.transport, 'Play', { ...instance, Speed: 1 });
  }

  async status(): Promise<CastState> {
    const info = await soapCall(this.transport, 'GetTransportInfo', instance);
    const position = await soapCall(this.transport, 'GetPositionInfo', instance).catch(
      () => ({}) as Record<string, string>,
    );
    return {
      state: info.CurrentTransportState || 'UNKNOWN',
      position: parseUpnpTime(position.RelTime),
      duration: parseUpnpTime(position.TrackDuration),
    };
  }

  async stop(): Promise<void> {
    await soapCall(this.transport, 'Stop', instance);
  }

  close(): void {}
}
