/** Parsing of flag values, with one clear line per mistake (exit code 2). */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { type CastTarget, parseCastTarget } from '../cast/target.js';
import { installedHint, isPlayerName, type PlayerName, playerNames } from './player.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

export function parseIndex(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a file index (0, 1, 2...)');
  return Number(value);
}

const sizeUnits: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

/** Sizes like 50G, 500M, 1.5T (decimal units, as disks are sold). */
export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a size such as 500M, 50G or 2T');
  return Math.round(Number(match[1]) * sizeUnits[match[2].toLowerCase()]);
}

/**
 * Bandwidth caps like 2M or 500K, in bytes per second and the same decimal units as sizes (2M = 2,000,000
 * B/s); a trailing `/s` is allowed. Zero is refused: it would stop every transfer, not cap it.
 */
export function parseRate(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?(?:\/s)?$/i.exec(value.trim());
  const rate = match ? Math.round(Number(match[1]) * sizeUnits[match[2].toLowerCase()]) : Number.NaN;
  if (!Number.isSafeInteger(rate) || rate < 1) {
    throw new InvalidArgumentError('expected a positive rate in bytes per second such as 500K or 2M');
  }
  return rate;
}

/** A server's base URL (http or https, no path): the cluster's front or one of its nodes. */
export function parseBaseUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/') {
    throw new InvalidArgumentError('expected a base URL such as http://127.0.0.1:8080');
  }
  return url.origin;
}

export function parseUrlList(value: string): string[] {
  const urls = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new InvalidArgumentError('expected comma-separated base URLs');
  return urls.map(parseBaseUrl);
}

export function parsePlayer(value: string): PlayerName | 'none' {
  if (value === 'none' || isPlayerName(value)) return value;
  throw new InvalidArgumentError(`expected ${playerNames.join(', ')} or none; ${installedHint()}`);
}

export function defaultDir(env = process.env): string {
  return env.STREAMTIDE_DIR || join(homedir(), '.cache', 'streamtide');
}

/** The token in a file (its first line, trimmed): kept out of the command line, which `ps` shows to all. */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read it: ${(err as Error).message}`);
  }
  const token = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!token) throw new InvalidArgumentError('the file holds no token on its first line');
  return token;
}

export function parseCast(value: string): CastTarget {
  const target = parseCastTarget(value);
  if (!target) throw new InvalidArgumentError('expected dlna, dlna:NAME, chromecast or chromecast:NAME');
  return target;
}
