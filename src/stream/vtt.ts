/**
 * Cues in and out of text: an incremental reader for WebVTT and SubRip blocks (the two differ only in the
 * decimal comma and the header), shifting for a seeked stream, and WebVTT serialisation. Times are integer
 * milliseconds so shifting never accumulates float error.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface Cue {
  id?: string;
  /** Milliseconds. */
  start: number;
  end: number;
  /** WebVTT cue settings (`line:0 align:start`), kept from .vtt input. */
  settings?: string;
  text: string;
}

export const VTT_HEADER = 'WEBVTT\n\n';

const TIMESTAMP = /^(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})$/;
const TIMING = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?$/;

/** `hh:mm:ss.ttt`, `mm:ss.ttt`, or SubRip's `hh:mm:ss,ttt` → milliseconds; null if malformed. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, h = '0', min = '0', s = '0', frac = '0'] = m;
  return ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Number(frac.padEnd(3, '0'));
}

export function formatTimestamp(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor(whole / 60_000) % 60;
  const s = Math.floor(whole / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(whole % 1000, 3)}`;
}

/** One block (no blank lines inside) as a cue; null for headers, NOTE/STYLE/REGION blocks and junk. */
export function parseBlock(block: string): Cue | null {
  const lines = block.split('\n');
  const at = lines[0]?.includes('-->') ? 0 : lines[1]?.includes('-->') ? 1 : -1;
  if (at < 0 || /^(WEBVTT|NOTE|STYLE|REGION)\b/.test(lines[0] ?? '')) return null;
  const timing = TIMING.exec((lines[at] ?? '').trim());
  if (!timing) return null;
  const start = parseTimestamp(timing[1] ?? '');
  const end = parseTimestamp(timing[2] ?? '');
  if (start === null || end === null || end <= start) return null;
  const text = lines
    .slice(at + 1)
    .join('\n')
    .replace(/\s+$/, '');
  if (text === '') return null;
  const cue: Cue = { start, end, text };
  if (at === 1 && lines[0]?.trim()) cue.id = lines[0].trim();
  if (timing[3]?.trim()) cue.settings = timing[3].trim();
  return cue;
}

/**
 * Splits text arriving in chunks into blocks at blank lines, yielding each cue once its block is complete
 * (FFmpeg's SubRip output ends every cue with a blank line, so a cue leaves as soon as FFmpeg writes it).
 */
export class CueReader {
  #raw = '';
  #text = '';

  push(chunk: string): Cue[] {
    this.#raw += chunk;
    // A chunk may end between the \r and \n of one line break: keep a trailing \r for the next chunk.
    const cut = this.#raw.endsWith('\r') ? this.#raw.length - 1 : this.#raw.length;
    // Only the new text can complete a block: a block megabytes long is not scanned again on every chunk.
    const scanFrom = Math.max(0, this.#text.length - 1);
    this.#text += this.#raw.slice(0, cut).replace(/\r\n?/g, '\n');
    this.#raw = this.#raw.slice(cut);
    if (this.#text.startsWith('\uFEFF')) this.#text = this.#text.slice(1);
    if (!this.#text.includes('\n\n', scanFrom)) return [];
    const blocks = this.#text.split(/\n{2,}/);
    this.#text = blocks.pop() ?? '';
    return blocks.map(parseBlock).filter((cue): cue is Cue => cue !== null);
  }

  /** The last block, which needs no blank line after it. */
  end(): Cue[] {
    const rest = `${this.#text}${this.#raw.replace(/\r/g, '\n')}`;
    this.#text = '';
    this.#raw = '';
    const cue = parseBlock(rest.replace(/^\n+|\n+$/g, ''));
    return cue ? [cue] : [];
  }
}

export function parseCues(text: string): Cue[] {
  const reader = new CueReader();
  return [...reader.push(text), ...reader.end()];
}

/**
 * Moves a cue `offsetMs` earlier, for a stream whose clock starts at source time `offsetMs`: a cue over by
 * then is dropped, one still showing is clipped to start at 0.
 */
export function shiftCue(cue: Cue, offsetMs: number): Cue | null {
  if (offsetMs <= 0) return cue;
  const end = cue.end - offsetMs;
  if (end <= 0) return null;
  return { ...cue, start: Math.max(0, cue.start - offsetMs), end };
}

/** Tags FFmpeg's SubRip encoder writes that WebVTT lacks: `<font ...>` and ASS alignment like `{\an8}`. */
export function fromSubRipMarkup(cue: Cue): Cue {
  const text = cue.text
    .replace(/<\/?font\b[^>]*>/gi, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/\s+$/, '');
  return { start: cue.start, end: cue.end, text };
}

/** `&` and `<` that do not start an entity or a WebVTT tag are text, and `-->` cannot appear in a cue. */
export function escapeCueText(text: string): string {
  return text
    .replace(/&(?!(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);)/gi, '&amp;')
    .replace(/<(?!\/?(?:c|i|b|u|v|ruby|rt|lang)[.\s>]|\d+:\d\d)/gi, '&lt;')
    .replace(/-->/g, '--&gt;');
}

export function serializeCue(cue: Cue): string {
  const id = cue.id && !cue.id.includes('-->') ? `${cue.id}\n` : '';
  const settings = cue.settings ? ` ${cue.settings}` : '';
  const timing = `${formatTimestamp(cue.start)} --> ${formatTimestamp(cue.end)}${settings}`;
  return `${id}${timing}\n${escapeCueText(cue.text)}\n\n`;
}

/** A whole WebVTT document of `cues`, shifted `offsetMs` earlier (see vttChunks for many cues). */
export function vttDocument(cues: Cue[], offsetMs = 0): string {
  const shifted = cues.map((cue) => shiftCue(cue, offsetMs)).filter((cue): cue is Cue => cue !== null);
  return VTT_HEADER + shifted.map(serializeCue).join('');
}

/** Serialised per turn of the event loop by vttChunks. */
const CUES_PER_TURN = 2000;

/** vttDocument in pieces, the event loop free between them: a big file's cues take a while to write. */
export async function* vttChunks(cues: readonly Cue[], offsetMs = 0): AsyncGenerator<string> {
  yield VTT_HEADER;
  for (let at = 0; at < cues.length; at += CUES_PER_TURN) {
    let text = '';
    for (const cue of cues.slice(at, at + CUES_PER_TURN)) {
      const shifted = shiftCue(cue, offsetMs);
      if (shifted) text += serializeCue(shifted);
    }
    if (text) yield text;
    await nextTurn();
  }
}
