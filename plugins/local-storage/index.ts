/**
 * Local filesystem storage: files under one base directory of the server's disk.
 *
 * Keys are relative paths (`invoices/2024/0001.pdf`). Every key is checked before it touches
 * the disk, so no key can reach outside the base directory: no `..`, no absolute paths, no
 * backslashes, and no symbolic link on the way out. Writes are atomic (temporary file in the
 * same directory, fsync, rename), so a reader sees the old file or the new one, never half.
 * Metadata lives in a sidecar `<file>.meta.json` next to the file.
 */
import { randomUUID } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, mkdir, open, readdir, readFile, realpath, rename, rm, stat, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { definePlugin } from '../sdk/index.ts';
import type { ConfigOf, FieldSpec, HealthReport, PluginContext, StorageProvider, StoredFile, StoredFileInfo, TestReport } from '../sdk/index.ts';

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
  createProvider: (context) => createLocalStorageProvider(context),
});

/** Sidecars and our own temporary files are reserved names; no key may collide with them. */
const SIDECAR_SUFFIX = '.meta.json';
const RESERVED_PREFIX = '.plugform-';
const MAX_KEY_LENGTH = 1024;

function createLocalStorageProvider(context: PluginContext): StorageProvider<LocalStorageConfig> {
  let config: LocalStorageConfig | undefined;

  function current(): LocalStorageConfig {
    if (!config) throw new Error('local-storage: the provider is not configured');
    return config;
  }

  return {
    configure(next) {
      if (!isAbsolute(next.baseDirectory)) throw new Error(`Base directory must be an absolute path (got "${next.baseDirectory}")`);
      // Nothing is created here: configure() also runs for connection tests, which must not
      // leave traces. The directory is created by the first write when allowed.
      config = { ...next, baseDirectory: resolve(next.baseDirectory) };
    },

    async storeFile(key, content, metadata = {}) {
      const cfg = current();
      const target = targetOf(cfg, key);
      if (content.byteLength > cfg.maxFileSize) {
        throw new Error(`File "${key}" is ${content.byteLength} bytes; the limit is ${cfg.maxFileSize} bytes`);
      }
      const sidecar = JSON.stringify({ metadata, size: content.byteLength, storedAt: new Date().toISOString() });
      await ensureParentDirectory(cfg, target);
      await writeAtomically(target, content, key);
      await writeAtomically(target + SIDECAR_SUFFIX, Buffer.from(sidecar), `metadata of ${key}`);
      context.logger.info('file stored', { key, size: content.byteLength });
      return target;
    },

    async retrieveFile(key): Promise<StoredFile> {
      const cfg = current();
      const target = targetOf(cfg, key);
      await assertInsideBase(cfg, dirname(target));
      const content = await readNoFollow(target, key);
      return { content, metadata: await readMetadata(target) };
    },

    async deleteFile(key) {
      const cfg = current();
      const target = targetOf(cfg, key);
      await assertInsideBase(cfg, dirname(target));
      const existed = await unlink(target).then(() => true, (error: unknown) => {
        if (codeOf(error) === 'ENOENT') return false;
        throw storageError(error, key);
      });
      await rm(target + SIDECAR_SUFFIX, { force: true });
      if (existed) context.logger.info('file deleted', { key });
      return existed;
    },

    /** Walks the base directory; metadata sidecars, temporary files and symbolic links are not files of the store. */
    async listFiles(prefix, { limit }) {
      const cfg = current();
      const entries = await readdir(cfg.baseDirectory, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
        if (codeOf(error) === 'ENOENT') return [];
        throw storageError(error, prefix);
      });
      const keys = entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith(SIDECAR_SUFFIX) && !entry.name.startsWith(RESERVED_PREFIX))
        .map((entry) => relative(cfg.baseDirectory, join(entry.parentPath, entry.name)).split(sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort()
        .slice(0, limit);
      const files: StoredFileInfo[] = [];
      for (const key of keys) {
        const info = await stat(join(cfg.baseDirectory, key)).catch(() => undefined);
        if (info) files.push({ key, size: info.size, lastModified: info.mtime.toISOString() });
      }
      return files;
    },

    async testConnection() {
      const probe = await probeDirectory(current());
      const report: TestReport = { success: probe.status !== 'unhealthy', message: probe.message, details: probe.details };
      return report;
    },

    async healthCheck() {
      const probe = await probeDirectory(current());
      const report: HealthReport = { status: probe.status, message: probe.message, details: probe.details };
      return report;
    },

    stop() {
      config = undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Keys and paths

/**
 * Checks a key and returns the absolute path it names. The checks are on the key's text, so
 * a refused key never reaches the filesystem; `assertInsideBase` then guards against links.
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

/**
 * Refuses a path whose existing part resolves (through symbolic links) outside the base
 * directory: a link planted inside the base must not become a way out.
 */
async function assertInsideBase(config: LocalStorageConfig, directory: string): Promise<void> {
  const base = await realpath(config.baseDirectory).catch((error: unknown) => {
    throw missingBaseError(config, error);
  });
  const real = await realpathOfExistingPart(directory);
  if (real !== base && !real.startsWith(base + sep)) {
    throw new Error(`Refused: "${relative(config.baseDirectory, directory)}" resolves outside the base directory (symbolic link)`);
  }
}

async function realpathOfExistingPart(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT' || dirname(path) === path) throw error;
    return join(await realpathOfExistingPart(dirname(path)), basename(path));
  }
}

async function ensureParentDirectory(config: LocalStorageConfig, target: string): Promise<void> {
  const baseStat = await stat(config.baseDirectory).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT' && config.createIfMissing) return undefined;
    throw missingBaseError(config, error);
  });
  if (baseStat && !baseStat.isDirectory()) throw new Error(`Base directory ${config.baseDirectory} is not a directory`);
  if (!baseStat) await mkdir(config.baseDirectory, { recursive: true });
  await assertInsideBase(config, dirname(target));
  await mkdir(dirname(target), { recursive: true });
}

function missingBaseError(config: LocalStorageConfig, error: unknown): Error {
  if (codeOf(error) === 'ENOENT') {
    return new Error(`Base directory ${config.baseDirectory} does not exist (enable "Create if missing" to create it on the first write)`);
  }
  return storageError(error, config.baseDirectory);
}

// ---------------------------------------------------------------------------------------
// Reading and writing

/**
 * Temporary file in the target's directory (same filesystem, so rename is atomic), fsync,
 * rename. `label` names the file in errors (the key, not our temporary name).
 */
async function writeAtomically(target: string, data: Uint8Array, label: string): Promise<void> {
  const temporary = join(dirname(target), `${RESERVED_PREFIX}tmp-${randomUUID()}`);
  try {
    const handle = await open(temporary, 'wx', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw storageError(error, label);
  }
}

/** Reads a file without following a symbolic link at its last component. */
async function readNoFollow(path: string, key: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw storageError(error, key);
  }
}

async function readMetadata(target: string): Promise<Record<string, unknown>> {
  const text = await readFile(target + SIDECAR_SUFFIX, 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
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
      // The SDK's convention for a missing file (StorageProvider.retrieveFile).
      return Object.assign(new Error(`File not found: ${what}`), { code: 'NOT_FOUND' });
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

/** Is the directory there and writable? Writes and deletes a small probe file to be sure. */
async function probeDirectory(config: LocalStorageConfig): Promise<Probe> {
  const base = config.baseDirectory;
  const details: Record<string, unknown> = { baseDirectory: base, maxFileSize: config.maxFileSize };
  let info: Stats;
  try {
    info = await stat(base);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return probeMissingDirectory(config, details);
    return { status: 'unhealthy', message: storageError(error, base).message, details };
  }
  if (!info.isDirectory()) return { status: 'unhealthy', message: `Base directory ${base} is not a directory`, details };

  const probe = join(base, `${RESERVED_PREFIX}probe-${randomUUID()}`);
  try {
    await writeAtomically(probe, Buffer.from('probe'), 'probe file');
    await unlink(probe);
  } catch (error) {
    return { status: 'unhealthy', message: `Base directory ${base} is not writable: ${reasonOf(error)}`, details };
  }
  const freeBytes = await freeBytesOf(base);
  if (freeBytes !== undefined) details['freeBytes'] = freeBytes;
  if (freeBytes !== undefined && freeBytes < config.maxFileSize) {
    return { status: 'degraded', message: `Base directory ${base} is writable but only ${freeBytes} bytes are free`, details };
  }
  return { status: 'healthy', message: `Base directory ${base} exists and is writable`, details };
}

async function probeMissingDirectory(config: LocalStorageConfig, details: Record<string, unknown>): Promise<Probe> {
  const base = config.baseDirectory;
  if (!config.createIfMissing) {
    return { status: 'unhealthy', message: `Base directory ${base} does not exist (enable "Create if missing" to create it on the first write)`, details };
  }
  // Checked without creating anything: the nearest existing ancestor must let us create it.
  const ancestor = await nearestExistingAncestor(base);
  try {
    await access(ancestor, constants.W_OK | constants.X_OK);
  } catch (error) {
    return { status: 'unhealthy', message: `Base directory ${base} does not exist and ${ancestor} is not writable: ${reasonOf(error)}`, details };
  }
  return { status: 'degraded', message: `Base directory ${base} does not exist yet; it will be created on the first write`, details };
}

async function nearestExistingAncestor(path: string): Promise<string> {
  const parent = dirname(path);
  if (parent === path) return path;
  return stat(parent).then(() => parent, () => nearestExistingAncestor(parent));
}

async function freeBytesOf(path: string): Promise<number | undefined> {
  const info = await statfs(path).catch(() => undefined);
  return info ? info.bavail * info.bsize : undefined;
}

function reasonOf(error: unknown): string {
  const code = codeOf(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only filesystem';
  if (code === 'ENOSPC') return 'no space left on the device';
  return error instanceof Error ? error.message : String(error);
}
