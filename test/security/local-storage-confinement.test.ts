/**
 * local-storage is confined to the roots the operator configures (PLUGFORM_LOCAL_STORAGE_ROOTS,
 * default a `files` folder beside the data dir): an operator token cannot point it at the
 * server's own data dir (next to `secret.key`), at `/etc` or at `/`, neither to save nor to
 * test; health probes stay inside the root; and a folder swapped for a symbolic link while
 * files are written never lets a file land outside.
 */
import { mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import localStorage from '../../plugins/local-storage/index.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { CHECK_HEALTH, CREATE, mutate, succeed } from '../support/graphql.ts';
import { createTestPluginContext } from '../support/plugin-context.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { testUnsaved } from './support.ts';

let scratch: string;
let root: string;
let server: TestServer;

/** Every entry below `dir`, relative, sorted. */
async function entriesBelow(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'plugform-confinement-'));
  root = join(scratch, 'storage-root');
  await mkdir(root);
  server = await startTestServer({ env: { PLUGFORM_LOCAL_STORAGE_ROOTS: root } });
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

let names = 0;
const create = (baseDirectory: string) =>
  mutate(server, CREATE, 'createPluginInstance', { input: { pluginName: 'local-storage', name: `files-${++names}`, configuration: { baseDirectory, createIfMissing: true } } });

describe('the base directory must lie inside an allowed root', () => {
  it.each([
    ['the data dir', () => server.dataDir],
    ['a folder inside the data dir', () => join(server.dataDir, 'pglite')],
    ['the parent of the data dir', () => dirname(server.dataDir)],
    ['/etc', () => '/etc'],
    ['/', () => '/'],
  ])('%s is refused when saving and when testing, and nothing is written there', async (_what, path) => {
    const before = await entriesBelow(server.dataDir);
    const saved = await create(path());
    expect(saved.__typename).toBe('ConfigureError');
    expect(saved.message).toContain(`is outside the storage roots this server allows (${root}); the operator sets them with PLUGFORM_LOCAL_STORAGE_ROOTS`);

    const tested = await testUnsaved(server, 'local-storage', { baseDirectory: path(), createIfMissing: true });
    expect(tested.data).toMatchObject({ success: false, message: expect.stringContaining('is outside the storage roots') });
    expect(await entriesBelow(server.dataDir)).toEqual(before);
  });

  it('a folder inside the root is accepted, and its health probe stays inside it', async () => {
    const base = join(root, 'invoices');
    const instance = await succeed(server, CREATE, 'createPluginInstance', {
      input: { pluginName: 'local-storage', name: `files-${++names}`, configuration: { baseDirectory: base, createIfMissing: true } },
    });
    const check = await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id });
    expect(check.status).toBe('DEGRADED'); // will be created on the first write: nothing was created
    expect(await entriesBelow(root)).toEqual([]);
    await mkdir(base);
    expect((await succeed(server, CHECK_HEALTH, 'checkPluginInstanceHealth', { id: instance.id })).status).toBe('HEALTHY');
    expect(await entriesBelow(root)).toEqual(['invoices']);
  });

  it('a base directory reached through a symbolic link inside the root is refused', async () => {
    await symlink(server.dataDir, join(root, 'to-data'));
    const tested = await testUnsaved(server, 'local-storage', { baseDirectory: join(root, 'to-data'), createIfMissing: false });
    expect(tested.data).toMatchObject({ success: false, message: expect.stringContaining(`Refused: Base directory ${join(root, 'to-data')} is a symbolic link`) });
    await rm(join(root, 'to-data'));
  });
});

describe('the roots themselves', () => {
  const dataDir = '/srv/plugform/data';
  it('default to a files folder beside the data dir', () => {
    expect(loadConfig({ PLUGFORM_DATA_DIR: dataDir }).localStorageRoots).toEqual(['/srv/plugform/files']);
  });

  it.each([dataDir, '/srv/plugform', '/', `${dataDir}/uploads`, 'relative/files'])('refuse %s at startup, naming the setting', (roots) => {
    expect(() => loadConfig({ PLUGFORM_DATA_DIR: dataDir, PLUGFORM_LOCAL_STORAGE_ROOTS: roots })).toThrow(ConfigError);
    expect(() => loadConfig({ PLUGFORM_DATA_DIR: dataDir, PLUGFORM_LOCAL_STORAGE_ROOTS: roots })).toThrow(/^PLUGFORM_LOCAL_STORAGE_ROOTS: /);
  });

  it('compare through symbolic links: a root that is a link to the data dir is refused', async () => {
    const data = join(scratch, 'real-data');
    await mkdir(data);
    await symlink(data, join(scratch, 'innocent-root'));
    expect(() => loadConfig({ PLUGFORM_DATA_DIR: data, PLUGFORM_LOCAL_STORAGE_ROOTS: join(scratch, 'innocent-root') })).toThrow(/is, contains or lies inside the data dir/);
  });
});

describe('writes while a folder is swapped for a symbolic link', () => {
  it('never land outside the root: a link is refused however it points when checked', async () => {
    const swapRoot = join(scratch, 'swap-root');
    const outside = join(scratch, 'outside');
    const base = join(swapRoot, 'base');
    const inside = join(base, 'docs.real');
    await mkdir(inside, { recursive: true });
    await mkdir(outside);
    // `docs` is a link that points inside the base half of the time and outside the other
    // half: a check by path ("does it resolve inside?") passes, and the write that follows
    // may go through the link after it was flipped. Flips are atomic (rename over the link).
    const docs = join(base, 'docs');
    await symlink(inside, docs);
    const provider = await localStorage.createProvider({ baseDirectory: base, createIfMissing: false, maxFileSize: 1024 }, createTestPluginContext({ fileRoots: [swapRoot] }));

    let flipping = true;
    const flipper = (async () => {
      for (let round = 0; flipping; round++) {
        const next = `${docs}.next`;
        await symlink(round % 2 === 0 ? outside : inside, next);
        await rename(next, docs);
      }
    })();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 500 }, (_, i) => provider.storeFile(`docs/file-${i}.txt`, new TextEncoder().encode(`content ${i}`))),
    );
    flipping = false;
    await flipper;

    expect(await entriesBelow(outside)).toEqual([]);
    // Deterministic, whatever the timing: every write is refused, because the link is.
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/Refused: folder "docs" of docs\/file-\d+\.txt is a symbolic link/);
    }
  });
});
