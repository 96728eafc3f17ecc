/**
 * Finds a working FFmpeg + ffprobe pair: $FFMPEG_PATH/$FFPROBE_PATH, then PATH, then the static binaries
 * shipped in npm packages, so a fresh machine needs nothing but Node. A candidate counts only if
 * `-version` runs; the result is cached per environment.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  origin: 'env' | 'path' | 'npm';
  version: string;
}

export class FfmpegNotFoundError extends Error {
  readonly code = 'FFMPEG_NOT_FOUND';
  constructor(readonly tried: string[]) {
    super(
      `No working FFmpeg found (tried: ${tried.join(', ') || 'nothing'}). Install ffmpeg and ffprobe, ` +
        'or set FFMPEG_PATH and FFPROBE_PATH.',
    );
    this.name = 'FfmpegNotFoundError';
  }
}

const cache = new Map<string, Promise<FfmpegTools>>();

export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<FfmpegTools> {
  const key = JSON.stringify([env.FFMPEG_PATH, env.FFPROBE_PATH, env.PATH]);
  let found = cache.get(key);
  if (!found) {
    found = locate(env);
    cache.set(key, found);
    found.catch(() => cache.delete(key)); // a later install may fix it
  }
  return found;
}

async function locate(env: NodeJS.ProcessEnv): Promise<FfmpegTools> {
  const tried: string[] = [];
  const attempt = async (
    ffmpeg: string | null,
    probes: Array<string | null>,
    origin: FfmpegTools['origin'],
  ) => {
    if (!ffmpeg) return null;
    tried.push(ffmpeg);
    const version = await firstLine(ffmpeg);
    if (!version) return null;
    for (const ffprobe of probes) {
      if (!ffprobe) continue;
      tried.push(ffprobe);
      if (await firstLine(ffprobe)) return { ffmpeg, ffprobe, origin, version };
    }
    return null;
  };
  const onPath = (name: string) => searchPath(name, env.PATH);
  const npmProbe = () => npmBinary('@ffprobe-installer/ffprobe');
  if (env.FFMPEG_PATH) {
    const beside = join(dirname(env.FFMPEG_PATH), 'ffprobe');
    const probes = [env.FFPROBE_PATH ?? null, beside, onPath('ffprobe'), npmProbe()];
    const tools = await attempt(env.FFMPEG_PATH, probes, 'env');
    if (tools) return tools;
  }
  const fromPath = await attempt(
    onPath('ffmpeg'),
    [env.FFPROBE_PATH ?? null, onPath('ffprobe'), npmProbe()],
    'path',
  );
  if (fromPath) return fromPath;
  const fromNpm = await attempt(
    npmBinary('@ffmpeg-installer/ffmpeg'),
    [env.FFPROBE_PATH ?? null, npmProbe()],
    'npm',
  );
  if (fromNpm) return fromNpm;
  throw new FfmpegNotFoundError([...new Set(tried)]);
}

/** The executable `name` in the PATH directories, as an absolute path. */
function searchPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** The `.path` an installer package exports; those packages throw (even strings) on unsupported platforms. */
function npmBinary(pkg: string): string | null {
  try {
    const mod = createRequire(import.meta.url)(pkg) as { path?: unknown };
    return typeof mod.path === 'string' ? mod.path : null;
  } catch {
    return null;
  }
}

/** First line of `binary -version`, or null when it does not run. */
function firstLine(binary: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(binary, ['-version'], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
      // "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) ..." → "ffmpeg version 5.1.9-0+deb12u1"
      const line = String(stdout ?? '')
        .split('\n')[0]
        ?.replace(/\s+Copyright.*$/, '')
        .trim();
      resolve(err || !line ? null : line);
    });
  });
}
