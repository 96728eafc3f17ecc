/** A UPnP SOAP action: one POST, the answer's out-arguments as text, UPnP faults as errors that say why. */
import { child, parseXml, readXml, text, type XmlNode } from './xml-read.js';
import { escapeXml } from './xml-text.js';

export interface Service {
  serviceType: string;
  controlUrl: string;
}

const TIMEOUT_MS = 5000;

export async function soapCall(
  service: Service,
  action: string,
  args: Record<string, string | number> = {},
): Promise<Record<string, string>> {
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(service.serviceType)}">` +
    Object.entries(args)
      .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
      .join('') +
    `</u:${action}></s:Body></s:Envelope>`;
  const response = await fetch(service.controlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset="utf-8"',
      soapaction: `"${service.serviceType}#${action}"`,
    },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const envelope = parseXml(await readXml(response));
  const answer = child(child(envelope, 'Envelope'), 'Body');
  if (!response.ok) {
    const fault = child(child(child(answer, 'Fault'), 'detail'), 'UPnPError');
    const why = [text(child(fault, 'errorCode')), text(child(fault, 'errorDescription'))].filter(Boolean);
    throw new Error(
      `${action} failed: ${why.length ? `UPnP error ${why.join(' ')}` : `HTTP ${response.status}`}`,
    );
  }
  const out = child(answer, `${action}Response`);
  const result: Record<string, string> = {};
  if (out && typeof out === 'object' && !Array.isArray(out)) {
    for (const [name, value] of Object.entries(out as XmlNode)) result[name] = text(value);
  }
  return result;
}
