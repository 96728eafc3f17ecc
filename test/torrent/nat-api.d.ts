/** The NAT-PMP/UPnP client (vendor/nat-api-lazy and the real one behind it), as far as the tests use it. */
interface NatApiClient {
  map(options: { publicPort: number; privatePort: number; protocol: string }): Promise<unknown>;
  destroy(): Promise<void>;
}
type NatApiClass = new (options: { enableUPNP: boolean; enablePMP: boolean }) => NatApiClient;

declare module '@silentbot1/nat-api' {
  const NatAPI: NatApiClass;
  export default NatAPI;
}
declare module 'nat-api-impl' {
  const NatAPI: NatApiClass;
  export default NatAPI;
}
