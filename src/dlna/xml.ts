/**
 * XML in and out for UPnP: text from torrents is hostile (names with `<`, `&`, control characters), and
 * SOAP bodies come from anyone on the LAN. Out, every text is escaped and stripped of what XML 1.0 cannot
 * carry; in, documents with a DOCTYPE are refused (no entity expansion, no "billion laughs").
 */
import { XMLParser } from 'fast-xml-parser';
import { displayName } from '../catalog/display-name.js';

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

// Lone surrogates and U+FFFE/U+FFFF are not XML characters (control characters go in displayName).
const notXml = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g;

/** `text` safe inside an XML element or a quoted attribute. */
export function xmlEscape(text: string): string {
  return displayName(text)
    .replace(notXml, '')
    .replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/** `<name>escaped text</name>`. */
export function xmlElement(name: string, text: string | number): string {
  return `<${name}>${xmlEscape(String(text))}</${name}>`;
}

export class XmlError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Parses a document into plain objects (namespace prefixes dropped, values kept as strings). */
export function parseXml(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('DOCTYPE and entity declarations are refused');
  try {
    return parser.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    throw new XmlError(`not well-formed XML: ${(err as Error).message}`);
  }
}
