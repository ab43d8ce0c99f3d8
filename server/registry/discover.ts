/**
 * Finds candidate plugin entry files. Nothing is imported here: this module only decides
 * which files to try, in a deterministic order, so that "the first one wins" on duplicate
 * names means the same thing on every start.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { PluginLoadError } from './errors.ts';
import { describeError } from './errors.ts';

export type PluginOrigin = 'builtin' | 'local' | 'extra';

export interface PluginCandidate {
  /** Absolute path of the file to import (a folder plugin's index file). */
  path: string;
  origin: PluginOrigin;
}

export interface PluginSources {
  /** The built-in plugins folder (`plugins/` of this repository). */
  builtinDir: string;
  /** A `plugins/` folder of the working directory; ignored when missing or equal to `builtinDir`. */
  localDir?: string;
  /** `PLUGIN_PATHS` entries: each a folder of plugins, a plugin folder, or a plugin file. */
  extraPaths?: readonly string[];
}

export interface CandidateScan {
  candidates: PluginCandidate[];
  /** Configured paths that could not be read (a missing `PLUGIN_PATHS` entry, no permission …). */
  errors: PluginLoadError[];
}

const PLUGIN_EXTENSIONS = new Set(['.ts', '.js', '.mjs']);
const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs'];
/** Folders inside a plugins folder that are never plugins themselves. */
const SKIPPED_FOLDERS = new Set(['sdk', 'node_modules']);

/** Files next to plugins that are not plugins: tests, declarations, generated config types. */
export function isPluginFileName(name: string): boolean {
  if (name.startsWith('.')) return false;
  if (!PLUGIN_EXTENSIONS.has(extname(name))) return false;
  if (/\.d\.[cm]?ts$/.test(name)) return false;
  if (/\.(test|spec)(-d)?\.[cm]?[jt]s$/.test(name)) return false;
  if (/^config\.generated\.[cm]?[jt]s$/.test(name)) return false;
  return true;
}

export async function findPluginCandidates(sources: PluginSources): Promise<CandidateScan> {
  const scan: CandidateScan = { candidates: [], errors: [] };
  const builtinDir = resolve(sources.builtinDir);
  await scanPluginsFolder(builtinDir, 'builtin', true, scan);

  if (sources.localDir !== undefined) {
    const localDir = resolve(sources.localDir);
    // Running from the repository root makes `./plugins` the built-in folder itself.
    if ((await realOrSelf(localDir)) !== (await realOrSelf(builtinDir))) {
      await scanPluginsFolder(localDir, 'local', false, scan);
    }
  }

  for (const entry of sources.extraPaths ?? []) {
    await scanExtraPath(resolve(entry), scan);
  }

  return { candidates: await dropSameFile(scan.candidates), errors: scan.errors };
}

/** A folder whose children are plugins (files or folders with an index). */
async function scanPluginsFolder(dir: string, origin: PluginOrigin, mustExist: boolean, scan: CandidateScan) {
  const info = await statOrError(dir, scan, mustExist);
  if (info === undefined) return;
  if (!info.isDirectory()) {
    scan.errors.push({ path: dir, reason: 'expected a folder of plugins, found a file' });
    return;
  }
  await scanChildren(dir, origin, scan);
}

/** A `PLUGIN_PATHS` entry: a plugin file, a plugin folder (has an index) or a folder of plugins. */
async function scanExtraPath(path: string, scan: CandidateScan) {
  const info = await statOrError(path, scan, true);
  if (info === undefined) return;
  if (info.isFile()) {
    if (PLUGIN_EXTENSIONS.has(extname(path))) scan.candidates.push({ path, origin: 'extra' });
    else scan.errors.push({ path, reason: 'not a plugin file: expected a .ts, .js or .mjs file' });
    return;
  }
  if (!info.isDirectory()) {
    scan.errors.push({ path, reason: 'not a file or folder' });
    return;
  }
  const index = await findIndex(path);
  if (index !== undefined) scan.candidates.push({ path: index, origin: 'extra' });
  else await scanChildren(path, 'extra', scan);
}

async function scanChildren(dir: string, origin: PluginOrigin, scan: CandidateScan) {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    scan.errors.push({ path: dir, reason: `cannot read folder: ${describeError(error)}` });
    return;
  }
  for (const name of names) {
    if (name.startsWith('.') || SKIPPED_FOLDERS.has(name)) continue;
    const path = join(dir, name);
    let info: Stats;
    try {
      info = await stat(path); // follows symlinks: a linked plugin counts like a real one
    } catch {
      continue; // a dangling symlink is not a plugin anyone can have meant to load
    }
    if (info.isFile() && isPluginFileName(name)) {
      scan.candidates.push({ path, origin });
    } else if (info.isDirectory()) {
      // Folders without an index (assets, docs, shared helpers) are simply not plugins.
      const index = await findIndex(path);
      if (index !== undefined) scan.candidates.push({ path: index, origin });
    }
  }
}

async function findIndex(dir: string): Promise<string | undefined> {
  for (const name of INDEX_FILES) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

async function statOrError(path: string, scan: CandidateScan, mustExist: boolean): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && !mustExist) return undefined;
    scan.errors.push({ path, reason: missing ? 'path does not exist' : `cannot read: ${describeError(error)}` });
    return undefined;
  }
}

/** The same file reached twice (PLUGIN_PATHS repeating the built-in folder, a symlink) loads once. */
async function dropSameFile(candidates: PluginCandidate[]): Promise<PluginCandidate[]> {
  const seen = new Set<string>();
  const kept: PluginCandidate[] = [];
  for (const candidate of candidates) {
    const real = await realOrSelf(candidate.path);
    if (seen.has(real)) continue;
    seen.add(real);
    kept.push(candidate);
  }
  return kept;
}

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}
