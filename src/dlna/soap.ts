/**
 * UPnP control messages (SOAP 1.1): which action a request calls with which arguments, the answer's
 * envelope, and UPnP faults. Kept free of any one service so a control point could build on it too.
 */
import { parseXml, XmlError, xmlElement, xmlEscape } from './xml.js';

export interface SoapCall {
  /** e.g. `urn:schemas-upnp-org:service:ContentDirectory:1` */
  serviceType: string;
  action: string;
  args: Record<string, string>;
}

/** A UPnP error: answered as a SOAP fault with its code (UPnP Device Architecture 1.0, 3.2.2). */
export class UpnpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const invalidAction = (what: string) => new UpnpError(401, `Invalid Action: ${what}`);
export const invalidArgs = (what: string) => new UpnpError(402, `Invalid Args: ${what}`);

const envelopeStart =
  '<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>';
const envelopeEnd = '</s:Body></s:Envelope>';

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The call in `body`. The SOAPACTION header (`"urn:…:service:X:1#Action"`) names the action; the body's one
 * element must agree. Arguments are the element's children, as text.
 */
export function parseSoapCall(body: string, soapAction: string | undefined): SoapCall {
  const header = /^"?([^"#]+)#([A-Za-z0-9_]+)"?$/.exec(soapAction?.trim() ?? '');
  if (!header) throw invalidAction('missing or malformed SOAPACTION header');
  const [, serviceType = '', action = ''] = header;
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(body);
  } catch (err) {
    throw invalidAction(err instanceof XmlError ? err.message : 'unreadable body');
  }
  const call = record(record(record(doc.Envelope)?.Body)?.[action]);
  if (record(record(doc.Envelope)?.Body)?.[action] === undefined) {
    throw invalidAction(`the body does not call ${action}`);
  }
  const args: Record<string, string> = {};
  for (const [name, value] of Object.entries(call ?? {})) {
    if (typeof value !== 'string') throw invalidArgs(`${name} is not a simple value`);
    args[name] = value;
  }
  return { serviceType, action, args };
}

/** The `…Response` envelope with `out` as its arguments, in order. */
export function soapResponse(call: SoapCall, out: Record<string, string | number>): string {
  const args = Object.entries(out)
    .map(([name, value]) => xmlElement(name, value))
    .join('');
  const type = xmlEscape(call.serviceType);
  return `${envelopeStart}<u:${call.action}Response xmlns:u="${type}">${args}</u:${call.action}Response>${envelopeEnd}`;
}

/** The fault envelope (sent with HTTP 500). */
export function soapFault(error: UpnpError): string {
  return `${envelopeStart}<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0">${xmlElement('errorCode', error.code)}${xmlElement('errorDescription', error.message)}</UPnPError></detail></s:Fault>${envelopeEnd}`;
}

/** Builds a request envelope (for a control point). */
export function soapRequest(call: SoapCall): string {
  const args = Object.entries(call.args)
    .map(([name, value]) => xmlElement(name, value))
    .join('');
  const type = xmlEscape(call.serviceType);
  return `${envelopeStart}<u:${call.action} xmlns:u="${type}">${args}</u:${call.action}>${envelopeEnd}`;
}
