/**
 * Talking to the server. A `?token=` on the page URL is kept in sessionStorage so later pages of this tab
 * (and reloads) still have it; fetches send it as a Bearer header, media URLs as `?token=`.
 */
import { displayProbe, displayTorrent } from './display-text.js';
import type { Position, Probe, ShareLinks, Torrent } from './types.js';
import { probePath } from './urls.js';

const tokenKey = 'streamtide.token';

function readToken(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token');
  try {
    if (fromUrl) sessionStorage.setItem(tokenKey, fromUrl);
    return fromUrl || sessionStorage.getItem(tokenKey);
  } catch {
    // Storage can be disabled (privacy modes); the URL's token still works for this page.
    return fromUrl;
  }
}

export const token: string | null = readToken();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The server's `{ error }` message, or a readable fallback. */
async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error) message = body.error;
  } catch {
    // Not JSON: keep the status line.
  }
  if (response.status === 401 || response.status === 403)
    message += ' (open the page with ?token=YOUR_TOKEN)';
  return new ApiError(response.status, message);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the streamtide server. Is it still running?');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

const h = (infoHash: string) => encodeURIComponent(infoHash);
const positionPath = (infoHash: string, index: number) =>
  `/api/torrents/${h(infoHash)}/files/${index}/position`;

export const api = {
  list: async (signal?: AbortSignal) =>
    (await json<Torrent[]>('/api/torrents', { signal })).map(displayTorrent),
  get: async (infoHash: string, signal?: AbortSignal) =>
    displayTorrent(await json<Torrent>(`/api/torrents/${h(infoHash)}`, { signal })),
  /** `caps`: what the browser decodes (caps.ts), so the probe's `plan` is for it. */
  probe: async (infoHash: string, index: number, caps?: string, signal?: AbortSignal) =>
    displayProbe(await json<Probe>(probePath(infoHash, index, caps), { signal })),
  addSource: async (source: string) =>
    displayTorrent(
      await json<Torrent>('/api/torrents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ source }),
      }),
    ),
  addTorrentFile: async (file: Blob) =>
    displayTorrent(
      await json<Torrent>('/api/torrents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-bittorrent' },
        body: file,
      }),
    ),
  /** Links to pass on: with a token set they carry a capability for this file, never the token. */
  share: (infoHash: string, index: number) =>
    json<ShareLinks>(`/api/torrents/${h(infoHash)}/files/${index}/share`, { method: 'POST' }),
  position: (infoHash: string, index: number, signal?: AbortSignal) =>
    json<Position>(positionPath(infoHash, index), { signal }),
  /** `keepalive`: the request outlives the page (sent as it goes away). */
  savePosition: (infoHash: string, index: number, seconds: number, keepalive = false) =>
    json<Position>(positionPath(infoHash, index), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ seconds }),
      keepalive,
    }),
  remove: async (infoHash: string, deleteFiles: boolean) => {
    await request(`/api/torrents/${h(infoHash)}${deleteFiles ? '?deleteFiles=true' : ''}`, {
      method: 'DELETE',
    });
  },
};
