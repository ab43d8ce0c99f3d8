/** The Prisma codegen target is deterministic and the committed client is current. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { prismaCodegen } from '../../../prisma/prisma.codegen.ts';

// prisma generate is CPU-bound; on a busy two-core machine it takes several times its usual
// seconds.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('prisma codegen target', () => {
  it('generates the same files twice, and they match the committed ones', async () => {
    const first = await prismaCodegen.generate();
    const second = await prismaCodegen.generate();
    expect(second).toEqual(first);
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['prisma/generated/client/client.ts', 'prisma/generated/pothos-types.ts']));
    for (const [path, content] of Object.entries(first)) {
      expect(await readFile(resolve(import.meta.dirname, '../../..', path), 'utf8'), path).toBe(content);
    }
  });
});
