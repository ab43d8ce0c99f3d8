/**
 * File access confined below a root, safe against symbolic-link swaps.
 *
 * Checking a path and then opening it is a race: between the two, a folder on the way can be
 * replaced by a link to `/etc`. So nothing here opens a path from the root down. Each folder
 * is opened from the handle of its parent, with `O_NOFOLLOW | O_DIRECTORY`, and the handle is
 * held while the next one is opened; files are created, read, renamed and removed relative to
 * the held handle of their folder, the last component again with `O_NOFOLLOW`. A link on any
 * component is refused (`ELOOP`/`ENOTDIR`), and a folder swapped after it was opened no longer
 * matters: the handle still names the folder that was checked.
 *
 * Node has no `openat()`. On Linux, `/proc/self/fd/<fd>/<name>` resolves `<name>` in the
 * directory the descriptor refers to (the kernel follows the descriptor, not a path), which is
 * `openat(fd, name)`; every operation below goes through such a path. Without `/proc` (not
 * Linux) the plugin refuses to work rather than fall back to racy path checks.
 */
import { randomUUID } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { access, lstat, mkdir, open, readdir, rename, statfs, unlink, type FileHandle } from 'node:fs/promises';

const PROC_FD = '/proc/self/fd';
const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A problem with one component of a path, for the plugin's messages. */
export class ConfinementError extends Error {
  override readonly name = 'ConfinementError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The name `name` inside the folder `handle` is open on. */
function at(handle: FileHandle, name: string): string {
  return `${PROC_FD}/${handle.fd}/${name}`;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export interface OpenDirectoryOptions {
  /** Create missing folders on the way (mode 0750). */
  create: boolean;
  /** Words for messages: the `index`-th component as the user knows it. */
  describe: (index: number) => string;
}

/** Opens the operator's root folder (trusted as configured: it may itself be a link). */
export async function openRoot(root: string): Promise<FileHandle> {
  if (!existsSync(PROC_FD)) {
    throw new ConfinementError('UNSUPPORTED', 'local-storage needs /proc/self/fd (Linux) to open files relative to a held folder');
  }
  return open(root, constants.O_RDONLY | constants.O_DIRECTORY);
}

/**
 * Opens each of `parts` below the folder `start` is open on, each from the handle of its
 * parent and never following a link. Returns a new handle on the last one (on `start`'s
 * folder when `parts` is empty); the caller closes it, and still owns `start`.
 */
export async function openBelow(start: FileHandle, parts: readonly string[], options: OpenDirectoryOptions): Promise<FileHandle> {
  let current = await open(at(start, '.'), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const [index, part] of parts.entries()) {
      const next = await openChild(current, part, options, index);
      await current.close();
      current = next;
    }
    return current;
  } catch (error) {
    await current.close().catch(() => undefined);
    throw error;
  }
}

async function openChild(parent: FileHandle, part: string, options: OpenDirectoryOptions, index: number): Promise<FileHandle> {
  try {
    return await open(at(parent, part), DIRECTORY_FLAGS);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT' && options.create) {
      // If a link appears here meanwhile, mkdir fails with EEXIST and the open below refuses it.
      await mkdir(at(parent, part), { mode: 0o750 }).catch((mkdirError: unknown) => {
        if (codeOf(mkdirError) !== 'EEXIST') throw mkdirError;
      });
      return openChild(parent, part, { ...options, create: false }, index);
    }
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      const info = await lstat(at(parent, part)).catch(() => undefined);
      if (info && !info.isSymbolicLink()) throw new ConfinementError('NOT_DIRECTORY', `${options.describe(index)} is not a directory`);
      throw new ConfinementError('LINK', `Refused: ${options.describe(index)} is a symbolic link (links are never followed)`);
    }
    throw error;
  }
}

/** Whether the folder `directory` is open on lets this process create entries in it. */
export async function canCreateIn(directory: FileHandle): Promise<void> {
  await access(at(directory, '.'), constants.W_OK | constants.X_OK);
}

/** Writes `name` in `directory` atomically: temporary file (`O_EXCL | O_NOFOLLOW`), fsync, rename. */
export async function writeFileAt(directory: FileHandle, name: string, data: Uint8Array, temporaryPrefix: string): Promise<void> {
  const temporary = `${temporaryPrefix}${randomUUID()}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    const handle = await open(at(directory, temporary), flags, 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // rename() replaces a link at `name` itself; it never writes through it.
    await rename(at(directory, temporary), at(directory, name));
  } catch (error) {
    await unlink(at(directory, temporary)).catch(() => undefined);
    throw error;
  }
}

/** Reads `name` in `directory`, refusing a link. */
export async function readFileAt(directory: FileHandle, name: string): Promise<Uint8Array> {
  const handle = await open(at(directory, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Removes `name` in `directory` (a link is removed, never its target); false when it was not there. */
export async function removeFileAt(directory: FileHandle, name: string): Promise<boolean> {
  return unlink(at(directory, name)).then(
    () => true,
    (error: unknown) => {
      if (codeOf(error) === 'ENOENT') return false;
      throw error;
    },
  );
}

/** Free bytes of the filesystem `directory` is on. */
export async function freeBytesAt(directory: FileHandle): Promise<number | undefined> {
  const info = await statfs(`${PROC_FD}/${directory.fd}`).catch(() => undefined);
  return info ? info.bavail * info.bsize : undefined;
}

export interface FileEntry {
  /** The path below the starting folder, with `/` between folders. */
  key: string;
  size: number;
  modified: Date;
}

/**
 * Every regular file below the folder `directory` is open on, each subfolder opened from its
 * parent's handle as everywhere here: a symbolic link (to a file or a folder) is never listed
 * or entered.
 */
export async function listFilesBelow(directory: FileHandle, prefix = ''): Promise<FileEntry[]> {
  const found: FileEntry[] = [];
  for (const entry of await readdir(at(directory, '.'), { withFileTypes: true })) {
    if (entry.isFile()) {
      const info = await lstat(at(directory, entry.name)).catch(() => undefined);
      if (info?.isFile()) found.push({ key: prefix + entry.name, size: info.size, modified: info.mtime });
    } else if (entry.isDirectory()) {
      const child = await openBelow(directory, [entry.name], { create: false, describe: () => prefix + entry.name }).catch(() => undefined);
      if (!child) continue;
      try {
        found.push(...(await listFilesBelow(child, `${prefix}${entry.name}/`)));
      } finally {
        await child.close();
      }
    }
  }
  return found;
}
