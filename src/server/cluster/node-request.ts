/**
 * One HTTP request from this node to another node or to the front, the whole answer read into memory (a
 * torrent list, an added torrent). node:http rather than fetch(): fetch may not set Host, and the node that
 * answers builds its URLs from the client's.
 */
import { Agent as HttpAgent, type IncomingHttpHeaders, type OutgoingHttpHeaders, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface NodeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface NodeRequest {
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  signal: AbortSignal;
}

// Nodes talk to each other on every list: keep their connections open.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export function sendToNode(url: URL, init: NodeRequest): Promise<NodeAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : request;
    const outgoing = send(
      url,
      {
        method: init.method,
        headers: init.body ? { ...init.headers, 'content-length': init.body.length } : init.headers,
        agent: secure ? agents.https : agents.http,
        signal: init.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}
