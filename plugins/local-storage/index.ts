/**
 * Local filesystem storage: files under one base directory of the server's disk.
 *
 * The base directory must lie inside one of the storage roots the operator allows
 * (`context.fileRoots`, from PLUGFORM_LOCAL_STORAGE_ROOTS; never the data dir, which holds the
 * secret key). Keys are relative paths (`invoices/2024/0001.pdf`), checked as text before they
 * touch the disk: no `..`, no absolute paths, no backslashes. Every folder from the root down
 * is opened from the handle of its parent without following links (see `confined-fs.ts`), so
 * neither a planted link nor a folder swapped for one during a write can lead outside. Writes
 * are atomic (temporary file in the same folder, fsync, rename), so a reader sees the old file
 * or the new one, never half. Metadata lives in a sidecar `<file>.meta.json` next to the file.
 */
import { randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { definePlugin } from '../sdk/index.ts';
import type { ConfigOf, FieldSpec, HealthReport, PluginContext, StorageProvider, StoredFile, StoredFileInfo, TestReport } from '../sdk/index.ts';
import { canCreateIn, ConfinementError, freeBytesAt, listFilesBelow, openBelow, openRoot, readFileAt, removeFileAt, writeFileAt } from './confined-fs.ts';

const fields = [
  {
    key: 'baseDirectory',
    label: 'Base directory',
    type: 'STRING',
    required: true,
    minLength: 1,
    maxLength: 1024,
    validationRules: [{ type: 'pattern', value: '^/', message: 'Base directory must be an absolute path (start with /)' }],
    placeholder: '/var/lib/plugform/files',
    helpText: 'Absolute path on the server. Every file is stored below it; keys cannot leave it.',
    group: 'Storage',
    order: 1,
  },
  {
    key: 'createIfMissing',
    label: 'Create if missing',
    type: 'BOOLEAN',
    default: false,
    helpText: 'Create the directory on the first write. Off by default, so a mistyped path fails the connection test instead of quietly creating a new directory.',
    group: 'Storage',
    order: 2,
  },
  {
    key: 'maxFileSize',
    label: 'Max file size (bytes)',
    type: 'INTEGER',
    default: 10 * 1024 * 1024,
    minValue: 1,
    maxValue: 5 * 1024 * 1024 * 1024,
    helpText: 'Larger files are refused. 10 MiB by default.',
    group: 'Limits',
    order: 1,
  },
] as const satisfies readonly FieldSpec[];

export type LocalStorageConfig = ConfigOf<typeof fields>;

export default definePlugin({
  name: 'local-storage',
  displayName: 'Local filesystem storage',
  type: 'STORAGE',
  version: '1.0.0',
  description: "Store files in a directory on the server's filesystem.",
  author: 'Plugform',
  homepage: 'https://nodejs.org/api/fs.html',
  tags: ['storage', 'filesystem'],
  groups: ['Storage', 'Limits'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  createProvider: (config, context) => createLocalStorageProvider(config, context),
});

/** Sidecars and our own temporary files are reserved names; no key may collide with them. */
const SIDECAR_SUFFIX = '.meta.json';
const RESERVED_PREFIX = '.plugform-';
const MAX_KEY_LENGTH = 1024;

/** Where a configured base directory lies: the allowed root it is in and its folders below it. */
interface Placement {
  config: LocalStorageConfig;
  root: string;
  /** Folders from the root down to the base directory (empty when the base is the root). */
  baseParts: string[];
}

function createLocalStorageProvider(given: LocalStorageConfig, context: PluginContext): StorageProvider<LocalStorageConfig> {
  if (!isAbsolute(given.baseDirectory)) throw new Error(`Base directory must be an absolute path (got "${given.baseDirectory}")`);
  // Nothing is created here: providers are also made for connection tests, which must not
  // leave traces. The directory is created by the first write when allowed.
  const placement = placementOf({ ...given, baseDirectory: resolve(given.baseDirectory) }, context.fileRoots);

  return {
    async storeFile(key, content, metadata = {}) {
      const place = placement;
      const target = targetOf(place.config, key);
      if (content.byteLength > place.config.maxFileSize) {
        throw new Error(`File "${key}" is ${content.byteLength} bytes; the limit is ${place.config.maxFileSize} bytes`);
      }
      const sidecar = JSON.stringify({ metadata, size: content.byteLength, storedAt: new Date().toISOString() });
      const { folders, name } = splitKey(key);
      await withFolder(place, folders, key, 'write', async (folder) => {
        await writeFileAt(folder, name, content, `${RESERVED_PREFIX}tmp-`).catch((error: unknown) => {
          throw storageError(error, key);
        });
        await writeFileAt(folder, name + SIDECAR_SUFFIX, Buffer.from(sidecar), `${RESERVED_PREFIX}tmp-`).catch((error: unknown) => {
          throw storageError(error, `metadata of ${key}`);
        });
      });
      context.logger.info('file stored', { key, size: content.byteLength });
      return target;
    },

    async retrieveFile(key): Promise<StoredFile> {
      const place = placement;
      targetOf(place.config, key);
      const { folders, name } = splitKey(key);
      return withFolder(place, folders, key, 'read', async (folder) => {
        const content = await readFileAt(folder, name).catch((error: unknown) => {
          throw storageError(error, key);
        });
        return { content, metadata: await readMetadata(folder, name) };
      });
    },

    async deleteFile(key) {
      const place = placement;
      targetOf(place.config, key);
      const { folders, name } = splitKey(key);
      const existed = await withFolder(place, folders, key, 'read', async (folder) => {
        const removed = await removeFileAt(folder, name).catch((error: unknown) => {
          throw storageError(error, key);
        });
        await removeFileAt(folder, name + SIDECAR_SUFFIX).catch(() => undefined);
        return removed;
      }).catch((error: unknown) => {
        if (error instanceof FileNotFound) return false;
        throw error;
      });
      if (existed) context.logger.info('file deleted', { key });
      return existed;
    },

    /** Walks the base directory; metadata sidecars, temporary files and symbolic links are not files of the store. */
    async listFiles(prefix, { limit }) {
      const place = placement;
      const entries = await withFolder(place, [], place.config.baseDirectory, 'read', (folder) => listFilesBelow(folder)).catch((error: unknown) => {
        // Nothing stored yet: the base directory is created on the first write.
        if (error instanceof MissingBaseDirectory) return [];
        throw error;
      });
      return entries
        .filter((entry) => !entry.key.endsWith(SIDECAR_SUFFIX) && !entry.key.split('/').some((part) => part.startsWith(RESERVED_PREFIX)))
        .filter((entry) => entry.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .slice(0, limit)
        .map((entry): StoredFileInfo => ({ key: entry.key, size: entry.size, lastModified: entry.modified.toISOString() }));
    },

    async testConnection() {
      const probe = await probeDirectory(placement);
      const report: TestReport = { success: probe.status !== 'unhealthy', message: probe.message, details: probe.details };
      return report;
    },

    async healthCheck() {
      const probe = await probeDirectory(placement);
      const report: HealthReport = { status: probe.status, message: probe.message, details: probe.details };
      return report;
    },
  };
}

/** The allowed root `config.baseDirectory` lies in (the base itself or a parent of it). */
function placementOf(config: LocalStorageConfig, roots: readonly string[]): Placement {
  if (roots.length === 0) {
    throw new Error('Base directory: this server allows no storage roots for local files (the operator sets them with PLUGFORM_LOCAL_STORAGE_ROOTS)');
  }
  for (const root of roots) {
    const rel = relative(root, config.baseDirectory);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      return { config, root, baseParts: rel === '' ? [] : rel.split(sep) };
    }
  }
  throw new Error(`Base directory ${config.baseDirectory} is outside the storage roots this server allows (${roots.join(', ')}); the operator sets them with PLUGFORM_LOCAL_STORAGE_ROOTS`);
}

function splitKey(key: string): { folders: string[]; name: string } {
  const parts = key.split('/');
  return { folders: parts.slice(0, -1), name: parts[parts.length - 1]! };
}

/** A missing file (or its folder), with the SDK's code for it (StorageProvider.retrieveFile). */
class FileNotFound extends Error {
  override readonly name = 'FileNotFound';
  readonly code = 'NOT_FOUND';
}

/**
 * Opens the folder of a key from the root down (root → base → the key's folders), each from
 * its parent's handle, runs `work` with the handle, and closes everything. A write creates
 * the key's folders, and the base directory when "Create if missing" is on.
 */
async function withFolder<T>(place: Placement, folders: readonly string[], key: string, mode: 'read' | 'write', work: (folder: FileHandle) => Promise<T>): Promise<T> {
  const { config } = place;
  const root = await openRoot(place.root).catch((error: unknown) => {
    throw codeOf(error) === 'ENOENT' ? new Error(`The storage root ${place.root} does not exist; the operator must create it`) : storageError(error, place.root);
  });
  try {
    const base = await openBelow(root, place.baseParts, { create: mode === 'write' && config.createIfMissing, describe: (i) => baseComponent(place, i) }).catch((error: unknown) => {
      throw codeOf(error) === 'ENOENT' ? missingBaseError(config) : confinedError(error, config.baseDirectory);
    });
    try {
      const folder = await openBelow(base, folders, { create: mode === 'write', describe: (i) => `folder "${folders.slice(0, i + 1).join('/')}" of ${key}` }).catch((error: unknown) => {
        throw codeOf(error) === 'ENOENT' ? new FileNotFound(`File not found: ${key}`) : confinedError(error, key);
      });
      try {
        return await work(folder);
      } finally {
        await folder.close();
      }
    } finally {
      await base.close();
    }
  } finally {
    await root.close();
  }
}

/** "Base directory /srv/files/a" for the base itself, "folder /srv/files" for one on the way. */
function baseComponent(place: Placement, index: number): string {
  const path = resolve(place.root, ...place.baseParts.slice(0, index + 1));
  return index === place.baseParts.length - 1 ? `Base directory ${path}` : `folder ${path}`;
}

function confinedError(error: unknown, what: string): Error {
  return error instanceof ConfinementError ? new Error(error.message) : storageError(error, what);
}

// ---------------------------------------------------------------------------------------
// Keys and paths

/**
 * Checks a key and returns the absolute path it names. The checks are on the key's text, so
 * a refused key never reaches the filesystem; `withFolder` then refuses links on the way.
 */
export function targetOf(config: LocalStorageConfig, key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new Error(`Invalid key ${JSON.stringify(key.slice(0, 100))}: ${problem}`);
  const target = resolve(config.baseDirectory, key);
  // Belt and braces: after the checks above this cannot fail, but it is the property we need.
  const rel = relative(config.baseDirectory, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`Invalid key ${JSON.stringify(key)}: it leaves the base directory`);
  return target;
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (key.length > MAX_KEY_LENGTH) return `it is longer than ${MAX_KEY_LENGTH} characters`;
  if (key.includes('\0')) return 'it contains a NUL character';
  if (key.includes('\\')) return 'it contains a backslash; use / between folders';
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'it is an absolute path; keys are relative to the base directory';
  const segments = key.split('/');
  if (segments.some((s) => s === '..')) return 'it contains ".." (path traversal)';
  if (segments.some((s) => s === '' || s === '.')) return 'it contains an empty or "." folder name';
  if (segments.some((s) => s.startsWith(RESERVED_PREFIX))) return `names starting with "${RESERVED_PREFIX}" are reserved`;
  if (key.endsWith(SIDECAR_SUFFIX)) return `names ending with "${SIDECAR_SUFFIX}" are reserved for metadata`;
  return undefined;
}

/** The base directory is not there (yet): it is created on the first write when "Create if missing" is on. */
class MissingBaseDirectory extends Error {
  override readonly name = 'MissingBaseDirectory';
}

function missingBaseError(config: LocalStorageConfig): Error {
  return new MissingBaseDirectory(`Base directory ${config.baseDirectory} does not exist (enable "Create if missing" to create it on the first write)`);
}

// ---------------------------------------------------------------------------------------
// Reading and writing

async function readMetadata(folder: FileHandle, name: string): Promise<Record<string, unknown>> {
  const raw = await readFileAt(folder, name + SIDECAR_SUFFIX).catch(() => undefined);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(raw));
    if (typeof parsed === 'object' && parsed !== null && 'metadata' in parsed) {
      const metadata = parsed.metadata;
      if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) return { ...metadata };
    }
  } catch {
    // A damaged sidecar must not make the file itself unreadable.
  }
  return {};
}

function storageError(error: unknown, what: string): Error {
  switch (codeOf(error)) {
    case 'ENOENT':
      return new FileNotFound(`File not found: ${what}`);
    case 'ELOOP':
      return new Error(`Refused: ${what} is a symbolic link`);
    case 'EISDIR':
      return new Error(`${what} is a directory, not a file`);
    case 'ENOTDIR':
      return new Error(`A folder on the way to ${what} is a file`);
    case 'EACCES':
    case 'EPERM':
      return new Error(`Permission denied for ${what}`);
    case 'ENOSPC':
      return new Error(`No space left on the device while writing ${what}`);
    case 'EROFS':
      return new Error(`The filesystem is read-only; cannot write ${what}`);
    default:
      return new Error(`Filesystem error for ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

// ---------------------------------------------------------------------------------------
// Connection test and health

interface Probe {
  status: 'healthy' | 'degraded' | 'unhealthy';
  message: string;
  details: Record<string, unknown>;
}

/**
 * Is the directory there and writable? Writes and deletes a small probe file to be sure, in
 * the base directory reached from the root without following links (the probe never lands
 * anywhere else).
 */
async function probeDirectory(place: Placement): Promise<Probe> {
  const { config } = place;
  const base = config.baseDirectory;
  const details: Record<string, unknown> = { baseDirectory: base, maxFileSize: config.maxFileSize };
  let root: FileHandle;
  try {
    root = await openRoot(place.root);
  } catch (error) {
    const message = codeOf(error) === 'ENOENT' ? `The storage root ${place.root} does not exist; the operator must create it` : storageError(error, place.root).message;
    return { status: 'unhealthy', message, details };
  }
  try {
    let folder: FileHandle;
    try {
      folder = await openBelow(root, place.baseParts, { create: false, describe: (i) => baseComponent(place, i) });
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return await probeMissingDirectory(place, root, details);
      return { status: 'unhealthy', message: confinedError(error, base).message, details };
    }
    try {
      try {
        const probe = `${RESERVED_PREFIX}probe-${randomUUID()}`;
        await writeFileAt(folder, probe, Buffer.from('probe'), `${RESERVED_PREFIX}tmp-`).catch((error: unknown) => {
          throw storageError(error, 'probe file');
        });
        await removeFileAt(folder, probe);
      } catch (error) {
        return { status: 'unhealthy', message: `Base directory ${base} is not writable: ${reasonOf(error)}`, details };
      }
      const freeBytes = await freeBytesAt(folder);
      if (freeBytes !== undefined) details['freeBytes'] = freeBytes;
      if (freeBytes !== undefined && freeBytes < config.maxFileSize) {
        return { status: 'degraded', message: `Base directory ${base} is writable but only ${freeBytes} bytes are free`, details };
      }
      return { status: 'healthy', message: `Base directory ${base} exists and is writable`, details };
    } finally {
      await folder.close();
    }
  } finally {
    await root.close();
  }
}

async function probeMissingDirectory(place: Placement, root: FileHandle, details: Record<string, unknown>): Promise<Probe> {
  const base = place.config.baseDirectory;
  if (!place.config.createIfMissing) {
    return { status: 'unhealthy', message: `Base directory ${base} does not exist (enable "Create if missing" to create it on the first write)`, details };
  }
  // Checked without creating anything: the nearest existing folder below the root must let us create it.
  let existing = 0;
  let ancestor = await openBelow(root, [], { create: false, describe: () => place.root });
  try {
    for (const part of place.baseParts) {
      const next = await openBelow(ancestor, [part], { create: false, describe: () => baseComponent(place, existing) }).catch((error: unknown) => {
        if (codeOf(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (!next) break;
      await ancestor.close();
      ancestor = next;
      existing += 1;
    }
    const where = resolve(place.root, ...place.baseParts.slice(0, existing));
    try {
      await canCreateIn(ancestor);
    } catch (error) {
      return { status: 'unhealthy', message: `Base directory ${base} does not exist and ${where} is not writable: ${reasonOf(error)}`, details };
    }
  } catch (error) {
    return { status: 'unhealthy', message: confinedError(error, base).message, details };
  } finally {
    await ancestor.close();
  }
  return { status: 'degraded', message: `Base directory ${base} does not exist yet; it will be created on the first write`, details };
}

function reasonOf(error: unknown): string {
  const code = codeOf(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only filesystem';
  if (code === 'ENOSPC') return 'no space left on the device';
  return error instanceof Error ? error.message : String(error);
}
