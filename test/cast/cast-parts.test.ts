/** The pure parts of casting: what a renderer says it plays, what we tell it, which one we pick. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { didlLite } from '../../src/cast/didl.js';
import { parseUpnpTime } from '../../src/cast/dlna-renderer.js';
import { findRenderer } from '../../src/cast/find-renderer.js';
import { sinkAccepts, sinkMimes } from '../../src/cast/protocol-info.js';
import { soapCall } from '../../src/cast/soap.js';
import { parseCastTarget } from '../../src/cast/target.js';
import { parseDescription } from '../../src/cast/upnp-device.js';
import { castHostProblem, castLabel } from '../../src/cli/cast.js';

describe('cast parts', () => {
  it('reads a Sink list: types listed, wildcards, parameters ignored', () => {
    const mimes = sinkMimes(
      'http-get:*:video/mp4:DLNA.ORG_PN=AVC,http-get:*:audio/*:*,rtsp-rtp-udp:*:video/webm:*',
    );
    assert.ok(sinkAccepts(mimes, 'video/mp4'));
    assert.ok(sinkAccepts(mimes, 'VIDEO/MP4; codecs="avc1"'));
    assert.ok(sinkAccepts(mimes, 'audio/flac'), 'audio/* takes any audio');
    assert.ok(!sinkAccepts(mimes, 'video/x-matroska'));
    assert.ok(!sinkAccepts(mimes, 'video/webm'), 'only HTTP entries count');
    assert.ok(sinkAccepts(sinkMimes('http-get:*:*:*'), 'video/x-matroska'));
    assert.ok(!sinkAccepts(sinkMimes(''), 'video/mp4'));
  });

  it('escapes the title and URL in DIDL-Lite', () => {
    const didl = didlLite({
      title: 'Tom & Jerry <1080p> "x"',
      url: 'http://10.0.0.2:8977/stream/a/0?mode=direct&cap=x',
      protocolInfo: 'http-get:*:video/mp4:*',
      video: true,
    });
    assert.match(didl, /<dc:title>Tom &#38; Jerry &#60;1080p&#62; &#34;x&#34;<\/dc:title>/);
    assert.match(didl, />http:\/\/10\.0\.0\.2:8977\/stream\/a\/0\?mode=direct&#38;cap=x<\/res>/);
    assert.match(didl, /object\.item\.videoItem/);
  });

  it('parses --cast targets', () => {
    assert.deepEqual(parseCastTarget('dlna'), { kind: 'dlna' });
    assert.deepEqual(parseCastTarget('DLNA:Living Room'), { kind: 'dlna', name: 'Living Room' });
    assert.deepEqual(parseCastTarget('chromecast:TV:2'), { kind: 'chromecast', name: 'TV:2' });
    assert.equal(parseCastTarget('dlna:'), undefined);
    assert.equal(parseCastTarget('airplay'), undefined);
  });

  it('reads UPnP times', () => {
    assert.equal(parseUpnpTime('0:01:05'), 65);
    assert.equal(parseUpnpTime('1:00:00.500'), 3600.5);
    assert.equal(parseUpnpTime('NOT_IMPLEMENTED'), undefined);
  });

  it('keeps control URLs on the device description’s host', () => {
    const xml = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>
      <friendlyName>Living &amp; TV</friendlyName><serviceList>
      <service><serviceType>urn:schemas-upnp-org:service:AVTransport:1</serviceType><controlURL>/avt</controlURL></service>
      <service><serviceType>urn:schemas-upnp-org:service:ConnectionManager:1</serviceType><controlURL>http://169.254.169.254/x</controlURL></service>
      </serviceList></device></root>`;
    const device = parseDescription(xml, 'http://10.0.0.5:49152/desc.xml');
    assert.equal(device.name, 'Living & TV');
    assert.deepEqual(device.services, [
      { serviceType: 'urn:schemas-upnp-org:service:AVTransport:1', controlUrl: 'http://10.0.0.5:49152/avt' },
    ]);
  });

  it('a SOAP fault says the UPnP error', async () => {
    const server = createServer((request, response) => {
      assert.equal(request.headers.soapaction, '"urn:schemas-upnp-org:service:AVTransport:1#Play"');
      response.writeHead(500, { 'content-type': 'text/xml' });
      response.end(
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><detail>' +
          '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>701</errorCode>' +
          '<errorDescription>Transition not available</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const service = {
        serviceType: 'urn:schemas-upnp-org:service:AVTransport:1',
        controlUrl: `http://127.0.0.1:${port}/avt`,
      };
      await assert.rejects(
        soapCall(service, 'Play', { InstanceID: 0, Speed: 1 }),
        /Play failed: UPnP error 701 Transition not available/,
      );
    } finally {
      server.close();
    }
  });

  it('picks the renderer whose name holds NAME; lists the ones found when none does', async () => {
    let stopped = 0;
    const search = (onFound: (r: { name: string }) => void) => {
      for (const name of ['Kitchen speaker', 'Living Room TV']) queueMicrotask(() => onFound({ name }));
      return () => void stopped++;
    };
    const found = await findRenderer(search, {
      wanted: 'living',
      timeoutMs: 5000,
      what: 'DLNA renderer',
      hint: '',
    });
    assert.equal(found.name, 'Living Room TV');
    await assert.rejects(
      findRenderer(search, { wanted: 'Bedroom', timeoutMs: 50, what: 'DLNA renderer', hint: '' }),
      /no DLNA renderer named like "Bedroom" answered within 0 s; found: "Kitchen speaker", "Living Room TV"/,
    );
    assert.equal(stopped, 2, 'each search was stopped');
  });

  it('refuses a loopback or wildcard --host, and labels the renderer state', () => {
    assert.match(
      castHostProblem('127.0.0.1') ?? '',
      /needs --host set to this machine's LAN address.*loopback/,
    );
    assert.match(castHostProblem('0.0.0.0') ?? '', /one LAN address/);
    assert.equal(castHostProblem('192.168.1.20'), undefined);
    assert.equal(
      castLabel('TV', { state: 'PLAYING', position: 65, duration: 3725 }),
      'TV: PLAYING 1:05 / 1:02:05',
    );
    assert.equal(castLabel('TV', undefined), 'TV: starting');
  });
});
