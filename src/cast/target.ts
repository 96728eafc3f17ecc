/** `--cast dlna[:NAME]` / `--cast chromecast[:NAME]`: which kind of renderer, and which one. */
export const CAST_KINDS = ['dlna', 'chromecast'] as const;

export interface CastTarget {
  kind: (typeof CAST_KINDS)[number];
  /** Part of the friendly name, case-insensitive; absent: the first found. */
  name?: string;
}

/** Undefined when the text is not `KIND[:NAME]`. */
export function parseCastTarget(text: string): CastTarget | undefined {
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
  const name = colon < 0 ? undefined : text.slice(colon + 1).trim();
  if (name === '' || !CAST_KINDS.includes(kind as CastTarget['kind'])) return undefined;
  return { kind: kind as CastTarget['kind'], ...(name ? { name } : {}) };
}
