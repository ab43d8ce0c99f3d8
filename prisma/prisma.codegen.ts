/**
 * Codegen target: the Prisma client and Pothos' Prisma types (prisma/generated/), produced by
 * `prisma generate` in a scratch directory so `codegen --check` can compare without writing.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CodegenTarget } from '../codegen.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GENERATED = 'prisma/generated';

export const prismaCodegen: CodegenTarget = {
  name: 'prisma',
  async generate() {
    const scratch = await mkdtemp(join(tmpdir(), 'plugform-prisma-generate-'));
    try {
      // Same relative layout as the repository: the schema's output paths are relative to
      // it, and the generators are found through node_modules next to it.
      await cp(join(ROOT, 'prisma/schema.prisma'), join(scratch, 'prisma/schema.prisma'));
      await symlink(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
      await runPrismaGenerate(scratch);
      const files: Record<string, string> = {};
      for (const path of await listFiles(join(scratch, GENERATED))) {
        files[`${GENERATED}/${relative(join(scratch, GENERATED), path).split('\\').join('/')}`] = await readFile(path, 'utf8');
      }
      return files;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

async function runPrismaGenerate(cwd: string): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const env = {
    ...process.env,
    // generate never runs the schema engine, but Prisma 7 insists on finding its binary,
    // which cannot be downloaded here; any existing file satisfies the check.
    PRISMA_SCHEMA_ENGINE_BINARY: process.env['PRISMA_SCHEMA_ENGINE_BINARY'] || process.execPath,
    // Generators named by provider (prisma-pothos-types) are looked up on PATH, as under npx.
    PATH: [join(ROOT, 'node_modules/.bin'), process.env['PATH']].filter(Boolean).join(delimiter),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
  try {
    await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], { cwd, env });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`prisma generate failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
