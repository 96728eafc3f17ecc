/**
 * The client's headers that go along when a node asks another node, or the front, on its behalf: Host (the
 * answering node checks it and builds its URLs from it), the credentials, and the proxy's X-Forwarded-*.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';

const passed = [
  'host',
  'authorization',
  'cookie',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
];

export function passedHeaders(request: FastifyRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of passed) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
