/**
 * UPnP protocolInfo strings (`http-get:*:video/mp4:DLNA.ORG_PN=...`): what a renderer's ConnectionManager
 * lists as its Sink (what it plays), and what we tell it about the stream we send.
 */

/** The MIME types of a Sink list's HTTP entries, lowercase; `*` when it takes anything. */
export function sinkMimes(sink: string): Set<string> {
  const mimes = new Set<string>();
  for (const entry of sink.split(',')) {
    const [protocol, , mime] = entry.trim().split(':');
    if ((protocol === 'http-get' || protocol === '*') && mime) mimes.add(mime.trim().toLowerCase());
  }
  return mimes;
}

/** Whether a renderer with this Sink list says it plays `mime`. Parameters (`; codecs=`) are ignored. */
export function sinkAccepts(mimes: Set<string>, mime: string): boolean {
  const type = mime.split(';')[0]!.trim().toLowerCase();
  return mimes.has('*') || mimes.has(type) || mimes.has(`${type.split('/')[0]}/*`);
}

/**
 * What we say of our stream. The original bytes take Range (DLNA.ORG_OP=01: byte seeks); the transcoded
 * stream cannot seek (OP=00) and is a conversion (CI=1). FLAGS: streaming and background transfer, DLNA 1.5.
 */
const STREAMING = '01700000000000000000000000000000';

export function streamProtocolInfo(mime: string, direct: boolean): string {
  const op = direct ? '01' : '00';
  return `http-get:*:${mime}:DLNA.ORG_OP=${op};DLNA.ORG_CI=${direct ? '0' : '1'};DLNA.ORG_FLAGS=${STREAMING}`;
}
