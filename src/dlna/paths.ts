/**
 * Where the DLNA MediaServer's own routes live (not the media it hands out): the security hook needs them
 * whether DLNA is on or not, without loading the device's XML code.
 */
export const dlnaPaths = {
  /** Every route of the MediaServer's own is under this. */
  prefix: '/dlna/',
  description: '/dlna/description.xml',
  contentDirectory: { scpd: '/dlna/content-directory.xml', control: '/dlna/control/content-directory' },
  connectionManager: { scpd: '/dlna/connection-manager.xml', control: '/dlna/control/connection-manager' },
};
