/** Text and attribute values inside XML we write (SOAP arguments, DIDL-Lite). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
