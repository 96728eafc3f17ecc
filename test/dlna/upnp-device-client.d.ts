/** The part of upnp-device-client (CommonJS, untyped) the namespace control point uses. */
declare module 'upnp-device-client' {
  export default class DeviceClient {
    constructor(url: string);
    callAction(
      serviceId: string,
      action: string,
      params: Record<string, string>,
      callback: (err: Error | null, result: Record<string, string>) => void,
    ): void;
  }
}
