/** Audio and subtitle choices offered from a probe, with readable labels. Pure. */
import { isImageSubtitle } from '../../stream/image-subtitles.js';
import type { Probe, ProbeStream } from '../types.js';

export interface Choice {
  value: string;
  label: string;
  disabled?: boolean;
}

const languageNames = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: 'language' });
  } catch {
    return undefined;
  }
})();

export function languageName(code: string | null | undefined): string | undefined {
  if (!code || code === 'und') return undefined;
  try {
    return languageNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

function channelsLabel(channels: number | null | undefined): string | undefined {
  if (!channels) return undefined;
  return (
    ({ 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' } as Record<number, string>)[channels] ?? `${channels} ch`
  );
}

function streamLabel(stream: ProbeStream, position: number, extra: Array<string | undefined>): string {
  const parts = [stream.title || undefined, languageName(stream.language), ...extra].filter(Boolean);
  return parts.length > 0 ? `${position}. ${parts.join(' · ')}` : `Track ${position}`;
}

export const audioStreams = (probe: Probe) => probe.streams.filter((s) => s.type === 'audio');

/** Values are the 0-based position among audio streams (what `&audio=N` takes). */
export function audioChoices(probe: Probe): Choice[] {
  return audioStreams(probe).map((stream, n) => ({
    value: String(n),
    label: streamLabel(stream, n + 1, [
      stream.codec ?? undefined,
      channelsLabel(stream.channels),
      stream.default ? 'default' : undefined,
    ]),
  }));
}

/** The audio stream the server plays when none is asked for: the default-flagged one, else the first. */
export function defaultAudio(probe: Probe): number {
  const index = audioStreams(probe).findIndex((s) => s.default);
  return Math.max(index, 0);
}

export type SubtitleChoice =
  | { kind: 'off' }
  | { kind: 'embedded'; stream: number }
  | { kind: 'file'; fileIndex: number };

export function subtitleValue(choice: SubtitleChoice): string {
  if (choice.kind === 'embedded') return `s${choice.stream}`;
  if (choice.kind === 'file') return `f${choice.fileIndex}`;
  return 'off';
}

export function parseSubtitleValue(value: string): SubtitleChoice {
  const n = Number(value.slice(1));
  if (value.startsWith('s') && Number.isInteger(n)) return { kind: 'embedded', stream: n };
  if (value.startsWith('f') && Number.isInteger(n)) return { kind: 'file', fileIndex: n };
  return { kind: 'off' };
}

/** Embedded streams are named by their absolute stream index (the probe's `index`), files by file index. */
export function subtitleChoices(probe: Probe): Choice[] {
  const embedded = probe.streams
    .filter((s) => s.type === 'subtitle')
    .map((stream, n) => {
      const image = isImageSubtitle(stream.codec ?? '');
      return {
        value: subtitleValue({ kind: 'embedded', stream: stream.index }),
        label: streamLabel(stream, n + 1, [
          stream.forced ? 'forced' : undefined,
          image ? 'image, not supported' : undefined,
        ]),
        disabled: image,
      };
    });
  const files = (probe.subtitleFiles ?? []).map((file) => ({
    value: subtitleValue({ kind: 'file', fileIndex: file.index }),
    label: [file.name, languageName(file.language)].filter(Boolean).join(' · '),
  }));
  return [{ value: 'off', label: 'Off' }, ...embedded, ...files];
}

/** A language code for `<track srclang>`, when the choice has one. */
export function subtitleLanguage(probe: Probe, choice: SubtitleChoice): string | undefined {
  const code =
    choice.kind === 'embedded'
      ? probe.streams.find((s) => s.index === choice.stream)?.language
      : choice.kind === 'file'
        ? probe.subtitleFiles?.find((f) => f.index === choice.fileIndex)?.language
        : undefined;
  return code && code !== 'und' ? code : undefined;
}
