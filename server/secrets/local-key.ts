import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { SecretStoreError } from './secret-store.ts';
import { createFileExclusive, errnoCode, isErrno } from './atomic-file.ts';

/** Where the local store's key comes from, for messages that tell the operator what to restore. */
export type KeySource = { kind: 'env' } | { kind: 'file'; path: string; created: boolean };

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one "=" of padding; url-safe letters are accepted too.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Parses a 32-byte AES key written as 64 hex characters or base64. `origin` names where the
 * text came from; the text itself never appears in the error.
 */
export function parseSecretKey(raw: string, origin: string): Buffer {
  const text = raw.trim();
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  if (BASE64_KEY.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new SecretStoreError(
    'misconfigured',
    `${origin} must hold a 32-byte key as base64 (44 characters; make one with \`openssl rand -base64 32\`) ` +
      `or as 64 hex characters (\`openssl rand -hex 32\`); what it holds (${text.length} characters) is neither.`,
  );
}

export function generateKeyText(): string {
  return `${randomBytes(32).toString('base64')}\n`;
}

/**
 * Loads the key file, refusing one that group or others can read. Refusing (as ssh does with
 * private keys) rather than warning: a warning scrolls past, and the fix is one chmod.
 * Returns undefined when the file does not exist.
 */
export async function loadKeyFile(path: string): Promise<Buffer | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new SecretStoreError('io', `Cannot read the secret key file ${path} (${errnoCode(error)}).`);
  }
  if (!info.isFile()) {
    throw new SecretStoreError('misconfigured', `The secret key path ${path} is not a regular file.`);
  }
  // POSIX permission bits mean nothing on Windows; there the ACLs of the data dir apply.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretStoreError(
      'misconfigured',
      `The secret key file ${path} can be read by group or others (mode ${mode}); ` +
        `run \`chmod 600 ${path}\` (and make sure only the Plugform user owns it), then start again.`,
    );
  }
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SecretStoreError('io', `Cannot read the secret key file ${path} (${errnoCode(error)}).`);
  }
  return parseSecretKey(text, `The secret key file ${path}`);
}

/**
 * Creates the key file with mode 0600, or loads the one a concurrent start created first.
 */
export async function createKeyFile(path: string): Promise<{ key: Buffer; created: boolean }> {
  let created;
  try {
    created = await createFileExclusive(path, generateKeyText(), 0o600);
  } catch (error) {
    throw new SecretStoreError('io', `Cannot create the secret key file ${path} (${errnoCode(error)}).`);
  }
  const key = await loadKeyFile(path);
  if (!key) throw new SecretStoreError('io', `The secret key file ${path} vanished right after it was created.`);
  return { key, created };
}
