/**
 * The DLNA MediaServer's HTTP side (only registered with --dlna): the device description, the two services'
 * SCPDs and their SOAP control URLs. These answer without the token (security.ts): DLNA has no
 * authentication. The media URLs they hand out carry a per-file capability instead (capabilities.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ContentDirectory, type ResourceUrls } from '../../dlna/content-directory.js';
import { connectionManagerAction, contentDirectoryAction } from '../../dlna/control.js';
import {
  connectionManagerScpd,
  contentDirectoryScpd,
  type DeviceInfo,
  deviceDescription,
} from '../../dlna/description.js';
import { dlnaPaths } from '../../dlna/paths.js';
import { parseSoapCall, type SoapCall, soapFault, soapResponse, UpnpError } from '../../dlna/soap.js';
import { socketOrigin } from '../host-header.js';
import { streamPath } from '../torrent-json.js';

const xmlType = 'text/xml; charset="utf-8"';
const xmlAnswer = (summary: string) => ({
  summary,
  tags: ['dlna'],
  response: { 200: { description: 'XML', type: 'string' } },
});
const soapAnswer = (summary: string) => ({
  ...xmlAnswer(summary),
  description: 'A SOAP 1.1 call (SOAPACTION header); failures answer 500 with a UPnP fault.',
  response: {
    200: { description: 'The action’s SOAP response', type: 'string' },
    500: {
      description: 'A UPnP fault (401 Invalid Action, 402 Invalid Args, 701 No such object)',
      type: 'string',
    },
  },
});

export const dlnaRoutes: FastifyPluginAsync<DeviceInfo> = async (app, device) => {
  const contentDirectory = new ContentDirectory({
    entries: () => app.catalog.list(),
    duration: (infoHash, index) => app.probes.known(infoHash, index)?.duration ?? undefined,
  });

  /** URLs on the address the control point reached (not its Host header), with a capability per file. */
  function resourceUrls(request: FastifyRequest): ResourceUrls {
    const origin = socketOrigin(request);
    const cap = (infoHash: string, index: number) => {
      const value = app.capabilities?.issue({ kind: 'file', infoHash, index });
      return value ? `&cap=${value}` : '';
    };
    const stream = (infoHash: string, index: number) => `${origin}${streamPath(infoHash, index)}`;
    return {
      original: (h, i) => `${stream(h, i)}?mode=direct&dlna=true${cap(h, i)}`,
      // The baseline client: what is not H.264 or AAC is re-encoded, the rest copied into MP4.
      transcoded: (h, i) => `${stream(h, i)}?caps=&dlna=true${cap(h, i)}`,
      subtitle: (h, i) => `${origin}/subtitles/${h}/${i}.vtt${cap(h, i).replace('&', '?')}`,
    };
  }

  app.addContentTypeParser(
    ['text/xml', 'application/xml', 'application/soap+xml'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  const xml = (reply: FastifyReply, body: string) =>
    reply.header('Cache-Control', 'no-store').type(xmlType).send(body);

  app.get(dlnaPaths.description, { schema: xmlAnswer('The UPnP device description') }, (_request, reply) =>
    xml(reply, deviceDescription(device)),
  );
  app.get(
    dlnaPaths.contentDirectory.scpd,
    { schema: xmlAnswer('The ContentDirectory service description') },
    (_request, reply) => xml(reply, contentDirectoryScpd),
  );
  app.get(
    dlnaPaths.connectionManager.scpd,
    { schema: xmlAnswer('The ConnectionManager service description') },
    (_request, reply) => xml(reply, connectionManagerScpd),
  );

  function control(act: (call: SoapCall, request: FastifyRequest) => Record<string, string | number>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const body = typeof request.body === 'string' ? request.body : '';
        const call = parseSoapCall(body, request.headers.soapaction as string | undefined);
        return xml(reply, soapResponse(call, act(call, request)));
      } catch (err) {
        if (!(err instanceof UpnpError)) throw err;
        return xml(reply.code(500), soapFault(err));
      }
    };
  }

  app.post(
    dlnaPaths.contentDirectory.control,
    { schema: soapAnswer('ContentDirectory: Browse, GetSystemUpdateID, GetSearch/SortCapabilities') },
    control((call, request) => contentDirectoryAction(contentDirectory, call, resourceUrls(request))),
  );
  app.post(
    dlnaPaths.connectionManager.control,
    { schema: soapAnswer('ConnectionManager: GetProtocolInfo, GetCurrentConnectionIDs/Info') },
    control((call) => connectionManagerAction(call)),
  );
};
