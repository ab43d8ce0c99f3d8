/**
 * `npm run codegen` writes every generated file; `npm run codegen -- --check` writes nothing
 * and fails when a committed generated file differs from what the generators produce now
 * (CI runs the check as part of `npm test`).
 *
 * Each target lives next to the domain it serves and returns the files it owns
 * (path relative to the repository root → content).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { configTypesCodegen } from './server/registry/config-types.codegen.ts';

export interface CodegenTarget {
  name: string;
  generate(): Promise<Record<string, string>>;
}

const targets: CodegenTarget[] = [(await import('./prisma/prisma.codegen.ts')).prismaCodegen, configTypesCodegen];
targets.push(...(await import('./server/graphql/schema.codegen.ts')).graphqlCodegenTargets);
targets.push(...(await import('./web/console.codegen.ts')).consoleCodegenTargets);

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const target of targets) {
    const files = await target.generate();
    for (const [path, content] of Object.entries(files)) {
      const absolute = resolve(import.meta.dirname, path);
      const current = await readFile(absolute, 'utf8').catch(() => undefined);
      if (current === content) continue;
      if (check) {
        stale.push(`${path} (${target.name})`);
      } else {
        await mkdir(dirname(absolute), { recursive: true });
        await writeFile(absolute, content);
        console.log(`codegen: wrote ${path}`);
      }
    }
    console.log(`codegen: ${target.name}: ${Object.keys(files).length} file(s) ${check ? 'checked' : 'up to date'}`);
  }
  if (stale.length > 0) {
    console.error(`codegen: these generated files are stale; run \`npm run codegen\` and commit:\n  ${stale.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
