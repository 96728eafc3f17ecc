/** DIDL-Lite, the XML a ContentDirectory answers Browse with: containers and items with their resources. */
import { xmlEscape } from './xml.js';

export interface DidlResource {
  url: string;
  protocolInfo: string;
  size?: number;
  /** Seconds. */
  duration?: number;
}

export interface DidlContainer {
  kind: 'container';
  id: string;
  parentId: string;
  title: string;
  childCount: number;
}

export interface DidlItem {
  kind: 'item';
  id: string;
  parentId: string;
  title: string;
  /** e.g. `object.item.videoItem` */
  upnpClass: string;
  resources: DidlResource[];
}

export type DidlObject = DidlContainer | DidlItem;

/** `H:MM:SS.mmm`, DIDL's duration. */
export function didlDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${h}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

function resource(res: DidlResource): string {
  const attrs = [`protocolInfo="${xmlEscape(res.protocolInfo)}"`];
  if (res.size !== undefined) attrs.push(`size="${res.size}"`);
  if (res.duration !== undefined) attrs.push(`duration="${didlDuration(res.duration)}"`);
  return `<res ${attrs.join(' ')}>${xmlEscape(res.url)}</res>`;
}

function object(o: DidlObject): string {
  const ids = `id="${xmlEscape(o.id)}" parentID="${xmlEscape(o.parentId)}" restricted="1"`;
  const title = `<dc:title>${xmlEscape(o.title)}</dc:title>`;
  if (o.kind === 'container') {
    return `<container ${ids} childCount="${o.childCount}" searchable="0">${title}<upnp:class>object.container.storageFolder</upnp:class></container>`;
  }
  const cls = `<upnp:class>${xmlEscape(o.upnpClass)}</upnp:class>`;
  return `<item ${ids}>${title}${cls}${o.resources.map(resource).join('')}</item>`;
}

export function didl(objects: DidlObject[]): string {
  return `<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" xmlns:dlna="urn:schemas-dlna-org:metadata-1-0/">${objects.map(object).join('')}</DIDL-Lite>`;
}
