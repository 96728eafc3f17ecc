/**
 * ContentDirectory:1's Browse over the catalog: the root ("0") holds a folder per torrent (its info-hash as
 * id), each folder its video, audio and subtitle files (`infoHash/index`). Which URLs the resources carry
 * is the caller's (they depend on the address the control point reached and on capabilities).
 */
import { isMediaName, isSubtitleName, isVideoName } from '../catalog/mime.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import { type DidlItem, type DidlObject, type DidlResource, didl } from './didl.js';
import { protocolInfo } from './protocol-info.js';
import { invalidArgs, UpnpError } from './soap.js';

export interface Library {
  entries(): CatalogEntry[];
  /** The file's duration in seconds when it is already known (a probe is never started for a listing). */
  duration(infoHash: string, index: number): number | undefined;
}

export interface ResourceUrls {
  /** The file's own bytes, with Range. */
  original(infoHash: string, index: number): string;
  /** H.264 + AAC in MP4, for renderers that cannot decode the original. */
  transcoded(infoHash: string, index: number): string;
  /** A subtitle file as WebVTT. */
  subtitle(infoHash: string, index: number): string;
}

export interface BrowseArgs {
  objectId: string;
  flag: 'BrowseMetadata' | 'BrowseDirectChildren';
  start: number;
  /** 0: all. */
  count: number;
}

export interface BrowseResult {
  Result: string;
  NumberReturned: number;
  TotalMatches: number;
  UpdateID: number;
}

export const ROOT_ID = '0';
const TRANSCODED_MIME = 'video/mp4';

export const noSuchObject = (id: string) => new UpnpError(701, `No such object: ${id}`);

function count(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) throw invalidArgs(`${name} must be a count`);
  return Number(value);
}

/** Browse's arguments from a SOAP call, checked (402 when malformed). */
export function browseArgs(args: Record<string, string>): BrowseArgs {
  const flag = args.BrowseFlag;
  if (flag !== 'BrowseMetadata' && flag !== 'BrowseDirectChildren') {
    throw invalidArgs('BrowseFlag must be BrowseMetadata or BrowseDirectChildren');
  }
  if (args.ObjectID === undefined) throw invalidArgs('ObjectID is missing');
  return {
    objectId: args.ObjectID,
    flag,
    start: count(args.StartingIndex, 'StartingIndex'),
    count: count(args.RequestedCount, 'RequestedCount'),
  };
}

function listed(file: CatalogFile): boolean {
  return isMediaName(file.name) || isSubtitleName(file.name);
}

/**
 * The folder every file of the torrent is in (the torrent's own, as its paths spell it — not always its
 * name, which may hold a `/`), so titles can leave it out.
 */
function sharedFolder(entry: CatalogEntry): string {
  const dirs = entry.files.map((f) => f.path.split('/').slice(0, -1));
  const first = dirs[0] ?? [];
  let n = 0;
  while (n < first.length && dirs.every((d) => d[n] === first[n])) n++;
  return n === 0 ? '' : `${first.slice(0, n).join('/')}/`;
}

export class ContentDirectory {
  #signature = '';
  #updateId = 0;

  constructor(private readonly library: Library) {}

  /** Changes whenever a torrent comes or goes or its file list arrives (SystemUpdateID). */
  updateId(): number {
    const signature = this.library
      .entries()
      .map((entry) => `${entry.infoHash}:${entry.files.length}`)
      .join(',');
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.#updateId++;
    }
    return this.#updateId;
  }

  browse(args: BrowseArgs, urls: ResourceUrls): BrowseResult {
    const updateId = this.updateId();
    let objects: DidlObject[];
    if (args.flag === 'BrowseMetadata') objects = [this.metadata(args.objectId, urls)];
    else objects = this.children(args.objectId, urls);
    const page = objects.slice(args.start, args.count === 0 ? undefined : args.start + args.count);
    return {
      Result: didl(page),
      NumberReturned: page.length,
      TotalMatches: objects.length,
      UpdateID: updateId,
    };
  }

  private metadata(id: string, urls: ResourceUrls): DidlObject {
    if (id === ROOT_ID) {
      const childCount = this.library.entries().length;
      return { kind: 'container', id, parentId: '-1', title: 'streamtide', childCount };
    }
    const entry = this.entry(id.split('/')[0] ?? '');
    if (!id.includes('/')) return this.folder(entry);
    const file = entry.files.find((f) => `${entry.infoHash}/${f.index}` === id && listed(f));
    if (!file) throw noSuchObject(id);
    return this.item(entry, file, urls);
  }

  private children(id: string, urls: ResourceUrls): DidlObject[] {
    if (id === ROOT_ID) return this.library.entries().map((entry) => this.folder(entry));
    if (id.includes('/')) {
      this.metadata(id, urls); // 701 for an unknown item; an item has no children
      return [];
    }
    const entry = this.entry(id);
    return entry.files.filter(listed).map((file) => this.item(entry, file, urls));
  }

  private entry(infoHash: string): CatalogEntry {
    const entry = this.library.entries().find((e) => e.infoHash === infoHash);
    if (!entry) throw noSuchObject(infoHash);
    return entry;
  }

  private folder(entry: CatalogEntry): DidlObject {
    const childCount = entry.files.filter(listed).length;
    return { kind: 'container', id: entry.infoHash, parentId: ROOT_ID, title: entry.name, childCount };
  }

  private item(entry: CatalogEntry, file: CatalogFile, urls: ResourceUrls): DidlItem {
    const { infoHash } = entry;
    const title = file.path.slice(sharedFolder(entry).length);
    const base = { kind: 'item' as const, id: `${infoHash}/${file.index}`, parentId: infoHash, title };
    if (isSubtitleName(file.name)) {
      const res = { url: urls.subtitle(infoHash, file.index), protocolInfo: 'http-get:*:text/vtt:*' };
      return { ...base, upnpClass: 'object.item.textItem', resources: [res] };
    }
    const duration = this.library.duration(infoHash, file.index);
    const timed = duration === undefined ? {} : { duration };
    const resources: DidlResource[] = [
      {
        url: urls.original(infoHash, file.index),
        protocolInfo: protocolInfo(file.mime, { original: true }),
        size: file.length,
        ...timed,
      },
    ];
    const video = isVideoName(file.name);
    if (video) {
      resources.push({
        url: urls.transcoded(infoHash, file.index),
        protocolInfo: protocolInfo(TRANSCODED_MIME, { original: false }),
        ...timed,
      });
    }
    const upnpClass = video ? 'object.item.videoItem' : 'object.item.audioItem.musicTrack';
    return { ...base, upnpClass, resources };
  }
}
