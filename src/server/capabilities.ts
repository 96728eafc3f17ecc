/**
 * Capabilities: what URLs that leave the server carry instead of the master token (the share box, the M3U,
 * a player's command line). Each opens one scope — a file's streams, or a torrent's playlist — and nothing
 * else. The browser's session cookie is one too, so no cookie holds the token.
 *
 * A capability is an HMAC of its scope under a key derived from a server secret and the token: unguessable,
 * checked without a table, and revoked all at once by rotating the secret (or changing the token). The
 * secret and the list of what was handed out are kept in `file` (mode 0600), so shared links outlive a
 * restart.
 */

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { statusError } from '../catalog/status-error.js';

export type Scope =
  | { kind: 'file'; infoHash: string; index: number }
  | { kind: 'playlist'; infoHash: string }
  | { kind: 'session' };

/** A capability handed out (the session is not listed: every browser that logs in gets it). */
export interface Issued {
  kind: 'file' | 'playlist';
  infoHash: string;
  index?: number;
  issuedAt: string;
}

export interface CapabilityList {
  /** When the current secret was made: nothing issued before still works. */
  since: string;
  issued: Issued[];
}

interface Stored extends CapabilityList {
  secret: string;
}

/** The list is for people to read: the most recent entries are the ones that matter. */
const MAX_LISTED = 1000;

function scopeText(scope: Scope): string {
  if (scope.kind === 'file') return `file:${scope.infoHash}:${scope.index}`;
  return scope.kind === 'playlist' ? `playlist:${scope.infoHash}` : 'session';
}

function fresh(): Stored {
  return { secret: randomBytes(32).toString('base64'), since: new Date().toISOString(), issued: [] };
}

async function load(file: string | undefined): Promise<Stored> {
  if (!file) return fresh();
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<Stored>;
    if (typeof stored.secret === 'string' && stored.secret.length >= 40 && typeof stored.since === 'string') {
      return { secret: stored.secret, since: stored.since, issued: (stored.issued ?? []).slice(-MAX_LISTED) };
    }
  } catch {
    // Missing or unreadable: a new secret fails closed (links made before stop working).
  }
  return fresh();
}

export class Capabilities {
  #state: Stored;
  #key: Buffer;
  #saving: Promise<void> = Promise.resolve();
  #saveQueued = false;
  #shared = false;

  private constructor(
    private readonly token: string,
    state: Stored,
    private readonly file: string | undefined,
    private readonly warn: (message: string) => void,
  ) {
    this.#state = state;
    this.#key = this.derive();
  }

  /** Capabilities for a server that requires `token`; `file` keeps the secret across restarts. */
  static async open(options: {
    token: string;
    file?: string;
    /** A secret given by the operator instead of a random one: nodes of a cluster share it (see rotate). */
    sharedSecret?: string;
    warn?: (message: string) => void;
  }): Promise<Capabilities> {
    const state = await load(options.file);
    if (options.sharedSecret) {
      const secret = createHash('sha256').update(options.sharedSecret).digest('base64');
      if (secret !== state.secret)
        Object.assign(state, { secret, since: new Date().toISOString(), issued: [] });
    }
    const capabilities = new Capabilities(options.token, state, options.file, options.warn ?? (() => {}));
    capabilities.#shared = !!options.sharedSecret;
    await capabilities.save();
    return capabilities;
  }

  /** The capability for `scope`, listed as handed out (file and playlist scopes). */
  issue(scope: Scope): string {
    if (scope.kind !== 'session') {
      const { issued } = this.#state;
      const same = (entry: Issued) =>
        entry.kind === scope.kind &&
        entry.infoHash === scope.infoHash &&
        entry.index === (scope.kind === 'file' ? scope.index : undefined);
      const at = issued.findIndex(same);
      if (at >= 0) issued.splice(at, 1);
      issued.push({
        kind: scope.kind,
        infoHash: scope.infoHash,
        ...(scope.kind === 'file' ? { index: scope.index } : {}),
        issuedAt: new Date().toISOString(),
      });
      if (issued.length > MAX_LISTED) issued.splice(0, issued.length - MAX_LISTED);
      this.queueSave();
    }
    return this.mac(scope);
  }

  /** Whether `given` is the capability of `scope` (constant time). */
  verify(scope: Scope, given: string): boolean {
    const expected = Buffer.from(this.mac(scope));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  list(): CapabilityList {
    return { since: this.#state.since, issued: this.#state.issued.map((entry) => ({ ...entry })) };
  }

  /** A new secret: every capability handed out, and every browser session, stops working. */
  async rotate(): Promise<CapabilityList> {
    if (this.#shared) {
      throw statusError(
        409,
        'The capability secret is shared by a cluster (STREAMTIDE_CAPABILITY_SECRET): change it, or the token, on every node to revoke',
      );
    }
    this.#state = fresh();
    this.#key = this.derive();
    await this.save();
    return this.list();
  }

  private derive(): Buffer {
    // The token is part of the key: changing a token that leaked also revokes what was made with it.
    const token = createHash('sha256').update(this.token).digest();
    return createHmac('sha256', Buffer.from(this.#state.secret, 'base64')).update(token).digest();
  }

  private mac(scope: Scope): string {
    return createHmac('sha256', this.#key).update(scopeText(scope)).digest('base64url').slice(0, 32);
  }

  /** Several issues in one turn (an M3U) make one write. */
  private queueSave(): void {
    if (this.#saveQueued) return;
    this.#saveQueued = true;
    queueMicrotask(() => {
      this.#saveQueued = false;
      void this.save();
    });
  }

  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const text = `${JSON.stringify(this.#state, null, 2)}\n`;
    this.#saving = this.#saving.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        // Created afresh, so created 0600 (a stale temporary file would keep its own mode).
        await rm(tmp, { force: true });
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => {});
        this.warn(`could not save the capability secret: ${(err as Error).message}`);
      }
    });
    return this.#saving;
  }
}
