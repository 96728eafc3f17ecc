/** The two services' actions: a SOAP call in, its out-arguments back (or a UpnpError). */
import { browseArgs, type ContentDirectory, type ResourceUrls } from './content-directory.js';
import { CONNECTION_MANAGER, CONTENT_DIRECTORY } from './description.js';
import { sourceProtocols } from './protocol-info.js';
import { invalidAction, invalidArgs, type SoapCall, UpnpError } from './soap.js';

type Out = Record<string, string | number>;

export function contentDirectoryAction(cd: ContentDirectory, call: SoapCall, urls: ResourceUrls): Out {
  if (call.serviceType !== CONTENT_DIRECTORY) throw invalidAction(`not a ${CONTENT_DIRECTORY} action`);
  switch (call.action) {
    case 'Browse': {
      const result = cd.browse(browseArgs(call.args), urls);
      return { ...result };
    }
    case 'GetSearchCapabilities':
      return { SearchCaps: '' };
    case 'GetSortCapabilities':
      return { SortCaps: '' };
    case 'GetSystemUpdateID':
      return { Id: cd.updateId() };
    default:
      throw invalidAction(call.action);
  }
}

export function connectionManagerAction(call: SoapCall): Out {
  if (call.serviceType !== CONNECTION_MANAGER) throw invalidAction(`not a ${CONNECTION_MANAGER} action`);
  switch (call.action) {
    case 'GetProtocolInfo':
      return { Source: sourceProtocols(), Sink: '' };
    case 'GetCurrentConnectionIDs':
      // Connections are plain HTTP GETs: only the default connection, 0, exists.
      return { ConnectionIDs: '0' };
    case 'GetCurrentConnectionInfo': {
      const id = call.args.ConnectionID;
      if (id === undefined || !/^-?\d+$/.test(id)) throw invalidArgs('ConnectionID must be an integer');
      if (id !== '0') throw new UpnpError(706, `No such connection: ${id}`);
      return {
        RcsID: -1,
        AVTransportID: -1,
        ProtocolInfo: '',
        PeerConnectionManager: '',
        PeerConnectionID: -1,
        Direction: 'Output',
        Status: 'OK',
      };
    }
    default:
      throw invalidAction(call.action);
  }
}
