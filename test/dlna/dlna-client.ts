/** A small UPnP control point's calls, for tests: SOAP actions and DIDL-Lite read back into objects. */

import { XMLParser } from 'fast-xml-parser';
import { type SoapCall, soapRequest } from '../../src/dlna/soap.js';
import { parseXml } from '../../src/dlna/xml.js';

export interface SoapAnswer {
  status: number;
  text: string;
  /** The response element's arguments, or the fault's UPnP error. */
  out: Record<string, string>;
  errorCode?: number;
}

export async function callAction(controlUrl: string, call: SoapCall): Promise<SoapAnswer> {
  const response = await fetch(controlUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/xml; charset="utf-8"',
      SOAPACTION: `"${call.serviceType}#${call.action}"`,
    },
    body: soapRequest(call),
  });
  const text = await response.text();
  const body = (parseXml(text).Envelope as { Body: Record<string, unknown> }).Body;
  const fault = body.Fault as { detail?: { UPnPError?: { errorCode?: string } } } | undefined;
  if (fault) {
    return { status: response.status, text, out: {}, errorCode: Number(fault.detail?.UPnPError?.errorCode) };
  }
  const out = body[`${call.action}Response`];
  return {
    status: response.status,
    text,
    out: (out && typeof out === 'object' ? out : {}) as Record<string, string>,
  };
}

export interface DidlRes {
  url: string;
  protocolInfo: string;
  size?: string;
  duration?: string;
}

export interface DidlEntry {
  kind: 'container' | 'item';
  id: string;
  parentId: string;
  title: string;
  upnpClass: string;
  childCount?: string;
  res: DidlRes[];
}

const didlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['container', 'item', 'res'].includes(name),
});

export function parseDidl(xml: string): DidlEntry[] {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('DIDL with a DOCTYPE');
  const root = didlParser.parse(xml, true)['DIDL-Lite'] as Record<string, unknown[] | undefined>;
  const read = (kind: 'container' | 'item') =>
    (root[kind] ?? []).map((raw) => {
      const o = raw as Record<string, unknown>;
      const res = ((o.res as Array<Record<string, string>> | undefined) ?? []).map((r) => ({
        url: r['#text'] ?? '',
        protocolInfo: r.protocolInfo ?? '',
        ...(r.size === undefined ? {} : { size: r.size }),
        ...(r.duration === undefined ? {} : { duration: r.duration }),
      }));
      return {
        kind,
        id: String(o.id),
        parentId: String(o.parentID),
        title: String(o.title),
        upnpClass: String(o.class),
        ...(o.childCount === undefined ? {} : { childCount: String(o.childCount) }),
        res,
      };
    });
  return [...read('container'), ...read('item')];
}

export const CD = 'urn:schemas-upnp-org:service:ContentDirectory:1';
export const CM = 'urn:schemas-upnp-org:service:ConnectionManager:1';

export function browseCall(objectId: string, flag = 'BrowseDirectChildren', start = 0, count = 0): SoapCall {
  return {
    serviceType: CD,
    action: 'Browse',
    args: {
      ObjectID: objectId,
      BrowseFlag: flag,
      Filter: '*',
      StartingIndex: String(start),
      RequestedCount: String(count),
      SortCriteria: '',
    },
  };
}
