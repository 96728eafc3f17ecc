/**
 * Torrent-supplied names are hostile input: every path a torrent brings is rewritten to a plain relative path
 * (no `..`, no absolute root, no NUL or control characters, no empty parts) and the store (file-store.ts) writes
 * only under the torrent's own folder, checked again after resolving.
 */
import { resolve, sep } from 'node:path';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
const RESERVED = /[<>:"\\|?*\u0000-\u001f\u007f]/g;
const MAX_PART_BYTES = 200;

function safePart(part: string): string | null {
  const cleaned = part.replace(RESERVED, '_').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return null;
  return truncate(cleaned);
}

/** Keeps a name under the usual 255-byte limit, keeping its extension. */
function truncate(name: string): string {
  if (Buffer.byteLength(name) <= MAX_PART_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = name.slice(0, name.length - ext.length);
  while (Buffer.byteLength(stem + ext) > MAX_PART_BYTES) stem = stem.slice(0, -1);
  return stem + ext;
}

/** One torrent path (either separator) as a safe relative path with forward slashes; never empty. */
export function safeRelativePath(path: string): string {
  const parts = path
    .split(/[/\\]+/)
    .map(safePart)
    .filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join('/') : '_';
}

/** Every folder above the paths (`a` and `a/b` for `a/b/c`). */
function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of paths) {
    for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      folders.add(path.slice(0, slash));
    }
  }
  return folders;
}

/**
 * Safe paths for all files of a torrent. Two files that sanitise to the same path get distinct names, and so
 * does a file whose path is another's folder: a magnet's file list arrives after the add, too late to refuse.
 */
export function safeFilePaths(paths: readonly string[]): string[] {
  const safe = paths.map(safeRelativePath);
  const folders = foldersOf(safe);
  const names = new Set(safe);
  const seen = new Set<string>();
  return safe.map((path, index) => {
    let unique = path;
    // A new name takes none of the torrent's own, nor a folder.
    while (seen.has(unique) || folders.has(unique) || (unique !== path && names.has(unique))) {
      unique = `${unique}~${index}`;
    }
    seen.add(unique);
    return unique;
  });
}

/**
 * Two files where one's path is a folder of the other's (`x` and `x/y`, maybe only once sanitised): no file
 * system holds both under their names. Returns the pair, or null.
 */
export function fileFolderClash(paths: readonly string[]): [file: string, inside: string] | null {
  const files = paths.map(safeRelativePath);
  const folders = foldersOf(files);
  const file = files.find((path) => folders.has(path));
  return file === undefined ? null : [file, files.find((path) => path.startsWith(`${file}/`))!];
}

/** Absolute path of `relative` under `root`; throws if it would land anywhere else. */
export function confine(root: string, relative: string): string {
  const base = resolve(root);
  const full = resolve(base, relative);
  if (!full.startsWith(base + sep))
    throw new Error(`refusing a path outside the download folder: ${relative}`);
  return full;
}
