/**
 * GET /api/openapi.json: an OpenAPI 3.1 document that names every route the app registers (so a route added
 * without a schema fails here), built from the schemas that validate requests; and response schemas that
 * drop nothing, since Fastify serializes the JSON answers through them.
 */
import assert from 'node:assert/strict';
import { subscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { SubtitleFileMatch as SubtitleMatchType } from '../../src/catalog/subtitle-match.js';
import type {
  Probe,
  ProbeStream,
  SubtitleFileMatch,
  Torrent,
  TorrentFile,
} from '../../src/server/api-schemas.js';
import { InfoHashParam } from '../../src/server/schemas.js';
import { type TorrentFileJson, type TorrentJson, torrentJson } from '../../src/server/torrent-json.js';
import { CAPS_MAX_LENGTH } from '../../src/stream/client-caps.js';
import type { MediaStream } from '../../src/stream/media-info.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// The response schemas name exactly the fields of the types the handlers send (`npm run typecheck` checks).
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const schemaKeysMatch: [
  SameKeys<Static<typeof Torrent>, TorrentJson>,
  SameKeys<Static<typeof TorrentFile>, TorrentFileJson>,
  SameKeys<Static<typeof ProbeStream>, MediaStream>,
  SameKeys<Static<typeof SubtitleFileMatch>, SubtitleMatchType>,
] = [true, true, true, true];
void schemaKeysMatch;

interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string; schema: { pattern?: string } }>;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

// Fastify announces each instance it creates; the hook sees every route as the app adds it. (The document
// is made on an instance of its own with the same routes: each is counted once.)
const seen = new Map<string, { method: string; url: string }>();
subscribe('fastify.initialization', (message) => {
  (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat())
      seen.set(`${method} ${route.url}`, { method, url: route.url });
  });
});

const token = 'openapi-test-token';
const auth = { Authorization: `Bearer ${token}` };
let server: TestServer;
let doc: OpenApiDoc;

before(async () => {
  server = await startTestServer({ token });
  const response = await fetch(`${server.url}/api/openapi.json`, { headers: auth });
  assert.equal(response.status, 200);
  doc = (await response.json()) as OpenApiDoc;
});
after(async () => {
  await server?.close();
});

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document about streamtide', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'streamtide');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
      'bearer',
      'cap',
      'cookie',
      'token',
    ]);
  });

  it('needs the token like every route but health', async () => {
    assert.equal((await fetch(`${server.url}/api/openapi.json`)).status, 401);
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
  });

  it('describes every route the app registers, each with a summary', () => {
    // /assets/* (the UI's scripts and styles, routes/web.ts) hides itself from the document.
    const described = [...seen.values()].filter((route) => !route.url.startsWith('/assets/'));
    assert.ok(described.length >= 20, `only ${described.length} routes seen`);
    for (const { method, url } of described) {
      const operation = doc.paths[openApiPath(url)]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${url} is missing from the document`);
      assert.ok(operation.summary, `${method} ${url} has no summary`);
      assert.ok(Object.keys(operation.responses).length > 0, `${method} ${url} has no responses`);
    }
    const documented = Object.values(doc.paths).flatMap((item) => Object.keys(item));
    assert.equal(documented.length, described.length, 'the document lists routes the app does not have');
  });

  it('carries the validation schemas', () => {
    const get = doc.paths['/api/torrents/{infoHash}']?.get;
    const infoHash = get?.parameters?.find((p) => p.name === 'infoHash' && p.in === 'path');
    assert.equal(infoHash?.schema.pattern, InfoHashParam.pattern);
    assert.equal(infoHash?.schema.pattern, '^[0-9a-fA-F]{40}$');
    const stream = doc.paths['/stream/{infoHash}/{index}']?.get;
    const query = (stream?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    // `token` is there too, as the security scheme of the same name rather than a parameter.
    assert.deepEqual(query.sort(), ['audio', 'caps', 'dlna', 'mode', 't']);
    const probe = doc.paths['/api/torrents/{infoHash}/files/{index}/probe']?.get;
    const caps = probe?.parameters?.find((p) => p.name === 'caps' && p.in === 'query');
    assert.equal((caps?.schema as { maxLength?: number } | undefined)?.maxLength, CAPS_MAX_LENGTH);
    const add = doc.paths['/api/torrents']?.post as Operation & {
      requestBody: { content: Record<string, unknown> };
    };
    assert.deepEqual(Object.keys(add.requestBody.content).sort(), [
      'application/json',
      'application/x-bittorrent',
    ]);
  });

  it('describes the JSON answers and the media types of the others', () => {
    const json = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    const torrent = json('/api/torrents/{infoHash}', 'get', '200') as { properties: Record<string, unknown> };
    assert.ok(torrent.properties.stallReason && torrent.properties.files);
    assert.ok(json('/api/torrents/{infoHash}/files/{index}/probe', 'get', '200'));
    assert.ok(json('/stream/{infoHash}/{index}', 'get', '503'));
    const media = (path: string) => Object.keys(doc.paths[path]?.get?.responses['200']?.content ?? {});
    assert.ok(media('/stream/{infoHash}/{index}').includes('video/mp4'));
    assert.deepEqual(media('/subtitles/{infoHash}/{index}.vtt'), ['text/vtt']);
    assert.deepEqual(media('/playlist/{infoHash}.m3u'), ['audio/x-mpegurl']);
  });
});

describe('answers serialized through the response schemas', () => {
  it('keep every field of the torrent object and the probe', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mp4'));
    const url = `${server.url}/api/torrents/${entry.infoHash}`;
    const answer = await (await fetch(url, { headers: auth })).json();
    const expected = torrentJson(server.catalog, entry, server.url, { withRanges: true });
    assert.deepEqual(answer, JSON.parse(JSON.stringify(expected)));
    assert.ok((answer as { files: Array<{ downloaded?: unknown }> }).files[0]?.downloaded);

    const probe = (await (await fetch(`${url}/files/0/probe`, { headers: auth })).json()) as Static<
      typeof Probe
    >;
    assert.equal(probe.plan, 'direct');
    const video = probe.streams.find((s) => s.type === 'video');
    assert.deepEqual([video?.width, video?.height], [160, 120]);
    assert.deepEqual(Object.keys(probe).sort(), [
      'container',
      'duration',
      'plan',
      'streams',
      'subtitleFiles',
    ]);
  });

  it('keep the details of errors', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mp4'));
    const response = await fetch(`${server.url}/subtitles/${entry.infoHash}/0.vtt?stream=99`, {
      headers: auth,
    });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error?: unknown; subtitleStreams?: unknown };
    assert.equal(typeof body.error, 'string');
    assert.deepEqual(body.subtitleStreams, []);
  });
});
