import { mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import localStorage from '../../../plugins/local-storage/index.ts';
import type { LocalStorageConfig } from '../../../plugins/local-storage/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, thrownBy } from '../../support/plugin-context.ts';

let root: string;
let base: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'plugform-local-storage-'));
  base = join(root, 'files');
  outside = join(root, 'outside');
  await mkdir(base);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function config(overrides: Partial<LocalStorageConfig> = {}): LocalStorageConfig {
  return { baseDirectory: base, createIfMissing: false, maxFileSize: 1024, ...overrides };
}

async function provider(overrides: Partial<LocalStorageConfig> = {}) {
  const context = createTestPluginContext();
  const instance = await localStorage.createProvider(config(overrides), context);
  return { instance, context };
}

/** Every file below a directory, relative, sorted: proves what was (not) written. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (content: Uint8Array) => new TextDecoder().decode(content);

describe('local-storage plugin', () => {
  it('has a schema the registry accepts, whose defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(localStorage)).toEqual([]);
    expect(validateConfig(localStorage, { baseDirectory: '/srv/files' })).toEqual({
      ok: true,
      value: { baseDirectory: '/srv/files', createIfMissing: false, maxFileSize: 10 * 1024 * 1024 },
    });
    expect(validateConfig(localStorage, { baseDirectory: 'relative/dir' })).toMatchObject({ ok: false, errors: [{ field: 'baseDirectory' }] });
  });

  it('stores, retrieves and deletes a file with its metadata', async () => {
    const { instance } = await provider();
    const location = await instance.storeFile('invoices/2024/0001.txt', bytes('total: 12.50'), { customer: 'ACME', pages: 2 });
    expect(location).toBe(join(base, 'invoices/2024/0001.txt'));
    expect(await filesBelow(base)).toEqual(['invoices/2024/0001.txt', 'invoices/2024/0001.txt.meta.json']);

    const stored = await instance.retrieveFile('invoices/2024/0001.txt');
    expect(text(stored.content)).toBe('total: 12.50');
    expect(stored.metadata).toEqual({ customer: 'ACME', pages: 2 });

    expect(await instance.deleteFile('invoices/2024/0001.txt')).toBe(true);
    expect(await instance.deleteFile('invoices/2024/0001.txt')).toBe(false);
    expect(await filesBelow(base)).toEqual([]);
  });

  it('replaces a file atomically: concurrent writers leave one complete version and no temporary files', async () => {
    const { instance } = await provider({ maxFileSize: 1_000_000 });
    const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(200_000));
    await Promise.all(versions.map((v, i) => instance.storeFile('report.txt', bytes(v), { version: i })));
    const stored = await instance.retrieveFile('report.txt');
    expect(versions).toContain(text(stored.content));
    expect(await filesBelow(base)).toEqual(['report.txt', 'report.txt.meta.json']);
  });

  it('reports a missing file clearly', async () => {
    const { instance } = await provider();
    const error = await thrownBy(() => instance.retrieveFile('nope/missing.pdf'));
    expect(error.message).toBe('File not found: nope/missing.pdf');
  });

  it.each([
    ['../escape.txt', 'path traversal'],
    ['a/../../escape.txt', 'path traversal'],
    ['..', 'path traversal'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/win.ini', 'absolute path'],
    ['a\\..\\..\\escape.txt', 'backslash'],
    ['a//b.txt', 'empty or "." folder'],
    ['./a.txt', 'empty or "." folder'],
    ['', 'empty'],
    ['x\0.txt', 'NUL'],
    ['notes.meta.json', 'reserved for metadata'],
    ['.plugform-tmp-123', 'reserved'],
  ])('refuses the key %j (%s) and writes nothing', async (key, reason) => {
    const { instance } = await provider();
    const error = await thrownBy(() => instance.storeFile(key, bytes('x')));
    expect(error.message).toMatch(/^Invalid key /);
    expect(error.message).toContain(reason);
    await expect(instance.retrieveFile(key)).rejects.toThrow(/^Invalid key /);
    await expect(instance.deleteFile(key)).rejects.toThrow(/^Invalid key /);
    expect(await filesBelow(root)).toEqual([]);
  });

  it('refuses to follow a symbolic link, on any component', async () => {
    const { instance } = await provider();
    await writeFile(join(outside, 'secret.txt'), 'outside data');
    await symlink(outside, join(base, 'linked-dir'));
    await symlink(join(outside, 'secret.txt'), join(base, 'linked-file.txt'));

    await expect(instance.storeFile('linked-dir/new.txt', bytes('x'))).rejects.toThrow(/^Refused: folder "linked-dir" of linked-dir\/\w+\.txt is a symbolic link/);
    await expect(instance.retrieveFile('linked-dir/secret.txt')).rejects.toThrow(/^Refused: folder "linked-dir" of linked-dir\/\w+\.txt is a symbolic link/);
    await expect(instance.deleteFile('linked-dir/secret.txt')).rejects.toThrow(/^Refused: folder "linked-dir" of linked-dir\/\w+\.txt is a symbolic link/);
    await expect(instance.retrieveFile('linked-file.txt')).rejects.toThrow('Refused: linked-file.txt is a symbolic link');
    expect(await filesBelow(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside data');
  });

  it('refuses a file over the size limit', async () => {
    const { instance } = await provider({ maxFileSize: 10 });
    await expect(instance.storeFile('big.bin', new Uint8Array(11))).rejects.toThrow('File "big.bin" is 11 bytes; the limit is 10 bytes');
    await instance.storeFile('ok.bin', new Uint8Array(10));
    expect(await filesBelow(base)).toEqual(['ok.bin', 'ok.bin.meta.json']);
  });

  it('test and health pass on a writable directory and leave nothing behind', async () => {
    const { instance } = await provider();
    const test = await instance.testConnection!();
    expect(test).toMatchObject({ success: true, message: `Base directory ${base} exists and is writable` });
    const health = await instance.healthCheck!();
    expect(health.status).toBe('healthy');
    expect(health.details).toMatchObject({ baseDirectory: base, freeBytes: expect.any(Number) });
    expect(await readdir(base)).toEqual([]);
  });

  it('fails on a missing directory unless it may be created, and a test never creates it', async () => {
    const missing = join(root, 'not-yet', 'files');
    const strict = await provider({ baseDirectory: missing });
    const test = await strict.instance.testConnection!();
    expect(test.success).toBe(false);
    expect(test.message).toBe(`Base directory ${missing} does not exist (enable "Create if missing" to create it on the first write)`);
    expect((await strict.instance.healthCheck!()).status).toBe('unhealthy');
    await expect(strict.instance.storeFile('a.txt', bytes('x'))).rejects.toThrow(/does not exist \(enable "Create if missing"/);

    const lenient = await provider({ baseDirectory: missing, createIfMissing: true });
    const allowed = await lenient.instance.testConnection!();
    expect(allowed).toMatchObject({ success: true, message: expect.stringContaining('will be created on the first write') });
    expect((await lenient.instance.healthCheck!()).status).toBe('degraded');
    await expect(stat(missing)).rejects.toThrow();

    await lenient.instance.storeFile('a.txt', bytes('created'));
    expect(text((await lenient.instance.retrieveFile('a.txt')).content)).toBe('created');
    expect((await lenient.instance.healthCheck!()).status).toBe('healthy');
  });

  it('reports a base path that is a file', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'x');
    const { instance } = await provider({ baseDirectory: file });
    expect(await instance.healthCheck!()).toMatchObject({ status: 'unhealthy', message: `Base directory ${file} is not a directory` });
  });

  it.skipIf(process.getuid?.() === 0)('reports a directory it may not write to', async () => {
    // Root writes anywhere, so this runs only as an ordinary user.
    await chmod(base, 0o555);
    try {
      const { instance } = await provider();
      const health = await instance.healthCheck!();
      expect(health.status).toBe('unhealthy');
      expect(health.message).toBe(`Base directory ${base} is not writable: Permission denied for probe file`);
      await expect(instance.storeFile('a.txt', bytes('x'))).rejects.toThrow('Permission denied for a.txt');
    } finally {
      await chmod(base, 0o755);
    }
  });

  it('refuses a relative base directory at configure time', async () => {
    expect(() => localStorage.createProvider(config({ baseDirectory: 'data/files' }), createTestPluginContext())).toThrow('Base directory must be an absolute path (got "data/files")');
  });

  it('logs keys and sizes, never content or metadata values', async () => {
    const { instance, context } = await provider();
    await instance.storeFile('k.txt', bytes('content-canary'), { token: 'meta-canary' });
    await instance.deleteFile('k.txt');
    expect(context.loggedText()).toContain('k.txt');
    expect(context.loggedText()).not.toMatch(/content-canary|meta-canary/);
  });
});
