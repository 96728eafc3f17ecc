/**
 * Parsing the XML renderers send (device descriptions, SOAP answers): namespace prefixes dropped, every value
 * kept as text, no entity expansion beyond XML's own (a hostile device on the LAN gets no billion laughs).
 */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
});

/** Answers bigger than this are no renderer's. */
export const MAX_XML_BYTES = 512 * 1024;

export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

export function parseXml(text: string): XmlNode {
  return parser.parse(text) as XmlNode;
}

export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  return node && typeof node === 'object' && !Array.isArray(node) ? node[name] : undefined;
}

/** A child that may repeat, as a list. */
export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  const value = child(node, name);
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function text(node: XmlValue | undefined): string {
  return typeof node === 'string' ? node.trim() : '';
}

/** The body of a response, read no further than MAX_XML_BYTES. */
export async function readXml(response: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_XML_BYTES) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`answer larger than ${MAX_XML_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
