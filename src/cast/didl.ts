/** DIDL-Lite metadata for SetAVTransportURI: the title a TV shows and how to fetch the stream. */
import { escapeXml } from './xml-text.js';

export function didlLite(item: { title: string; url: string; protocolInfo: string; video: boolean }): string {
  const upnpClass = item.video ? 'object.item.videoItem' : 'object.item.audioItem.musicTrack';
  return (
    '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/">' +
    `<item id="0" parentID="-1" restricted="1"><dc:title>${escapeXml(item.title)}</dc:title>` +
    `<upnp:class>${upnpClass}</upnp:class>` +
    `<res protocolInfo="${escapeXml(item.protocolInfo)}">${escapeXml(item.url)}</res></item></DIDL-Lite>`
  );
}
