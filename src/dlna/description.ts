/**
 * What a control point reads after SSDP: the device description (a MediaServer:1 with its two services)
 * and each service's SCPD (its actions and state variables). Paths are relative to the description's URL.
 */
import { dlnaPaths } from './paths.js';
import { xmlElement } from './xml.js';

export const MEDIA_SERVER = 'urn:schemas-upnp-org:device:MediaServer:1';
export const CONTENT_DIRECTORY = 'urn:schemas-upnp-org:service:ContentDirectory:1';
export const CONNECTION_MANAGER = 'urn:schemas-upnp-org:service:ConnectionManager:1';

export interface DeviceInfo {
  udn: string;
  friendlyName: string;
  version: string;
}

function service(type: string, id: string, paths: { scpd: string; control: string }): string {
  return `<service>${xmlElement('serviceType', type)}${xmlElement('serviceId', `urn:upnp-org:serviceId:${id}`)}${xmlElement('SCPDURL', paths.scpd)}${xmlElement('controlURL', paths.control)}<eventSubURL>${paths.control}/events</eventSubURL></service>`;
}

export function deviceDescription(info: DeviceInfo): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:dlna="urn:schemas-dlna-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>${xmlElement('deviceType', MEDIA_SERVER)}${xmlElement('friendlyName', info.friendlyName)}<dlna:X_DLNADOC xmlns:dlna="urn:schemas-dlna-org:device-1-0">DMS-1.50</dlna:X_DLNADOC><manufacturer>streamtide</manufacturer><manufacturerURL>https://github.com/</manufacturerURL><modelDescription>Streams torrents while they download</modelDescription><modelName>streamtide</modelName>${xmlElement('modelNumber', info.version)}${xmlElement('UDN', info.udn)}<serviceList>${service(CONTENT_DIRECTORY, 'ContentDirectory', dlnaPaths.contentDirectory)}${service(CONNECTION_MANAGER, 'ConnectionManager', dlnaPaths.connectionManager)}</serviceList></device></root>`;
}

type Arg = [name: string, direction: 'in' | 'out', variable: string];
type Variable = [name: string, type: string, values?: string[]];

function scpd(actions: Record<string, Arg[]>, variables: Variable[]): string {
  const actionList = Object.entries(actions)
    .map(([name, args]) => {
      const list = args
        .map(
          ([arg, dir, variable]) =>
            `<argument>${xmlElement('name', arg)}${xmlElement('direction', dir)}${xmlElement('relatedStateVariable', variable)}</argument>`,
        )
        .join('');
      return `<action>${xmlElement('name', name)}<argumentList>${list}</argumentList></action>`;
    })
    .join('');
  const stateTable = variables
    .map(([name, type, values]) => {
      const allowed = values
        ? `<allowedValueList>${values.map((v) => xmlElement('allowedValue', v)).join('')}</allowedValueList>`
        : '';
      const events = name === 'SystemUpdateID' || name.endsWith('ProtocolInfo') ? 'yes' : 'no';
      return `<stateVariable sendEvents="${events}">${xmlElement('name', name)}${xmlElement('dataType', type)}${allowed}</stateVariable>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><actionList>${actionList}</actionList><serviceStateTable>${stateTable}</serviceStateTable></scpd>`;
}

export const contentDirectoryScpd = scpd(
  {
    Browse: [
      ['ObjectID', 'in', 'A_ARG_TYPE_ObjectID'],
      ['BrowseFlag', 'in', 'A_ARG_TYPE_BrowseFlag'],
      ['Filter', 'in', 'A_ARG_TYPE_Filter'],
      ['StartingIndex', 'in', 'A_ARG_TYPE_Index'],
      ['RequestedCount', 'in', 'A_ARG_TYPE_Count'],
      ['SortCriteria', 'in', 'A_ARG_TYPE_SortCriteria'],
      ['Result', 'out', 'A_ARG_TYPE_Result'],
      ['NumberReturned', 'out', 'A_ARG_TYPE_Count'],
      ['TotalMatches', 'out', 'A_ARG_TYPE_Count'],
      ['UpdateID', 'out', 'A_ARG_TYPE_UpdateID'],
    ],
    GetSearchCapabilities: [['SearchCaps', 'out', 'SearchCapabilities']],
    GetSortCapabilities: [['SortCaps', 'out', 'SortCapabilities']],
    GetSystemUpdateID: [['Id', 'out', 'SystemUpdateID']],
  },
  [
    ['A_ARG_TYPE_ObjectID', 'string'],
    ['A_ARG_TYPE_BrowseFlag', 'string', ['BrowseMetadata', 'BrowseDirectChildren']],
    ['A_ARG_TYPE_Filter', 'string'],
    ['A_ARG_TYPE_Index', 'ui4'],
    ['A_ARG_TYPE_Count', 'ui4'],
    ['A_ARG_TYPE_SortCriteria', 'string'],
    ['A_ARG_TYPE_Result', 'string'],
    ['A_ARG_TYPE_UpdateID', 'ui4'],
    ['SearchCapabilities', 'string'],
    ['SortCapabilities', 'string'],
    ['SystemUpdateID', 'ui4'],
  ],
);

export const connectionManagerScpd = scpd(
  {
    GetProtocolInfo: [
      ['Source', 'out', 'SourceProtocolInfo'],
      ['Sink', 'out', 'SinkProtocolInfo'],
    ],
    GetCurrentConnectionIDs: [['ConnectionIDs', 'out', 'CurrentConnectionIDs']],
    GetCurrentConnectionInfo: [
      ['ConnectionID', 'in', 'A_ARG_TYPE_ConnectionID'],
      ['RcsID', 'out', 'A_ARG_TYPE_RcsID'],
      ['AVTransportID', 'out', 'A_ARG_TYPE_AVTransportID'],
      ['ProtocolInfo', 'out', 'A_ARG_TYPE_ProtocolInfo'],
      ['PeerConnectionManager', 'out', 'A_ARG_TYPE_ConnectionManager'],
      ['PeerConnectionID', 'out', 'A_ARG_TYPE_ConnectionID'],
      ['Direction', 'out', 'A_ARG_TYPE_Direction'],
      ['Status', 'out', 'A_ARG_TYPE_ConnectionStatus'],
    ],
  },
  [
    ['SourceProtocolInfo', 'string'],
    ['SinkProtocolInfo', 'string'],
    ['CurrentConnectionIDs', 'string'],
    [
      'A_ARG_TYPE_ConnectionStatus',
      'string',
      ['OK', 'ContentFormatMismatch', 'InsufficientBandwidth', 'UnreliableChannel', 'Unknown'],
    ],
    ['A_ARG_TYPE_ConnectionManager', 'string'],
    ['A_ARG_TYPE_Direction', 'string', ['Input', 'Output']],
    ['A_ARG_TYPE_ProtocolInfo', 'string'],
    ['A_ARG_TYPE_ConnectionID', 'i4'],
    ['A_ARG_TYPE_AVTransportID', 'i4'],
    ['A_ARG_TYPE_RcsID', 'i4'],
  ],
);
