import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../../plugins/sdk/index.ts';

/**
 * Crash-safe file writes for the local secret store: a reader (or the next start after a
 * power cut) sees either the old file or the new one, never a torn mix.
 */

/** The temp-file name pattern, so a start can sweep up what a crash left behind. */
export const TEMP_SUFFIX = '.tmp';

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** Writes and flushes a new file that must not exist yet (`wx`), with `mode` from the start. */
async function writeNewFile(path: string, data: string | Buffer, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    // open()'s mode is filtered by the umask; chmod makes 0600 exact whatever the umask.
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes the directory entry itself so a completed rename/link survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms/filesystems cannot fsync a directory; the rename is still atomic there.
    if (!isErrno(error, 'EISDIR', 'EINVAL', 'EPERM', 'EBADF')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Temp file in the same directory + fsync + rename (+ fsync of the directory). */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(path));
}

/**
 * Creates `path` with its full content only if it does not exist yet: `link()` of a finished
 * temp file fails with EEXIST instead of replacing, so two processes starting at once agree
 * on one file. Returns false when another file was already there.
 */
export async function createFileExclusive(path: string, data: string | Buffer, mode = 0o600): Promise<boolean> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, mode);
    await link(temp, path);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDir(dirname(path));
  return true;
}

export function isErrno(error: unknown, ...codes: string[]): boolean {
  return codes.includes(errorCode(error) ?? '');
}

/** For a message: the errno code, or words saying there was none. */
export function errnoCode(error: unknown): string {
  return errorCode(error) ?? 'unknown error';
}
