/**
 * A BitTorrent peer scripted by a test, on a plain TCP socket: it sends its handshake at once, then hands
 * out the length-prefixed messages that come back, so a test can say exactly what the peer sends and when.
 */
import type { Socket } from 'node:net';
import bencode from 'bencode';

const LTEP = 20;

/** Message ids a script sends or looks for (BEP 3; BEP 6, the fast extension). */
export const MESSAGE = {
  unchoke: 1,
  interested: 2,
  have: 4,
  bitfield: 5,
  request: 6,
  cancel: 8,
  allowedFast: 17,
} as const;

export interface ScriptedPeerOptions {
  /** Says it speaks the fast extension (BEP 6): it may then name allowed-fast pieces. */
  fast?: boolean;
}

/** A request or cancel message's block. */
export interface BlockMessage {
  piece: number;
  offset: number;
  length: number;
}

export interface Message {
  id: number;
  payload: Buffer;
}

export class ScriptedPeer {
  private buffer = Buffer.alloc(0);
  private handshakeSeen = false;
  private readonly waiting: Array<(message: Message) => void> = [];
  private readonly queued: Message[] = [];

  constructor(
    readonly socket: Socket,
    infoHash: Buffer,
    peerId: string,
    options: ScriptedPeerOptions = {},
  ) {
    const reserved = Buffer.alloc(8);
    reserved[5] = 0x10; // extended messages (BEP 10)
    if (options.fast) reserved[7]! |= 0x04;
    const pstr = Buffer.from('BitTorrent protocol');
    socket.write(Buffer.concat([Buffer.from([pstr.length]), pstr, reserved, infoHash, Buffer.from(peerId)]));
    socket.on('data', (chunk: Buffer) => this.take(chunk));
  }

  next(): Promise<Message> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next extended message, skipping the others (interested, bitfield, keep-alives). */
  async nextExtended(): Promise<{ ext: number; body: Record<string, unknown>; trailer: Buffer }> {
    for (;;) {
      const message = await this.next();
      if (message.id !== LTEP) continue;
      const rest = message.payload.subarray(1);
      const end = dictEnd(rest);
      const body = bencode.decode(rest.subarray(0, end)) as Record<string, unknown>;
      return { ext: message.payload[0]!, body, trailer: rest.subarray(end) };
    }
  }

  /** The next message with `id`, skipping the others. */
  async nextOf(id: number): Promise<Message> {
    for (;;) {
      const message = await this.next();
      if (message.id === id) return message;
    }
  }

  send(id: number, payload: Buffer = Buffer.alloc(0)): void {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(payload.length + 1);
    this.socket.write(Buffer.concat([length, Buffer.from([id]), payload]));
  }

  sendExtended(ext: number, body: Buffer): void {
    this.send(LTEP, Buffer.concat([Buffer.from([ext]), body]));
  }

  private take(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.handshakeSeen) {
      if (this.buffer.length < 68) return;
      this.buffer = this.buffer.subarray(68);
      this.handshakeSeen = true;
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      const message = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      if (length === 0) continue; // keep-alive
      this.deliver({ id: message[0]!, payload: Buffer.from(message.subarray(1)) });
    }
  }

  private deliver(message: Message): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(message);
    else this.queued.push(message);
  }
}

/** The block a request or cancel message names. */
export function blockOf(message: Message): BlockMessage {
  const { payload } = message;
  return { piece: payload.readUInt32BE(0), offset: payload.readUInt32BE(4), length: payload.readUInt32BE(8) };
}

/** A 4-byte big-endian number, as a message's payload. */
export function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** Where the bencoded dictionary at the start of `bytes` ends (a ut_metadata data message trails bytes). */
function dictEnd(bytes: Buffer): number {
  let i = 1;
  let depth = 1;
  while (depth > 0) {
    const c = bytes[i]!;
    if (c === 0x65) {
      depth--;
      i++;
    } else if (c === 0x64 || c === 0x6c) {
      depth++;
      i++;
    } else if (c === 0x69) i = bytes.indexOf(0x65, i) + 1;
    else {
      const colon = bytes.indexOf(0x3a, i);
      i = colon + 1 + Number(bytes.toString('latin1', i, colon));
    }
  }
  return i;
}
