/**
 * Codegen target: the console's typed documents. GraphQL Code Generator's client preset
 * reads the `graphql(...)` calls in `web/src/**` and writes their result and variable types
 * to `web/src/gql/`, from the printed schema (the same text as `schema.graphql`, taken from
 * the code so `--check` never compares against a stale schema file).
 *
 * Deterministic: the document files are listed and sorted here (not globbed by the
 * generator), and the outputs are returned sorted. Generated as erasable TypeScript (type
 * imports, enums as string unions, `.ts` import extensions) to type-check with this
 * repository's settings and bundle with Vite.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { CodegenTarget } from '../codegen.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE_DIR = 'web/src';
const OUTPUT_DIR = `${SOURCE_DIR}/gql/`;

/** Every .ts/.tsx file under web/src (but gql/) that calls `graphql(`, sorted. */
async function documentFiles(): Promise<string[]> {
  const entries = await readdir(resolve(ROOT, SOURCE_DIR), { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const path = relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/');
    if (path.startsWith(OUTPUT_DIR)) continue;
    if ((await readFile(resolve(ROOT, path), 'utf8')).includes('graphql(`')) files.push(path);
  }
  return files.sort();
}

export const consoleCodegen: CodegenTarget = {
  name: 'console-typed-documents',
  async generate() {
    const { printedSchema } = await import('../server/graphql/schema.ts');
    const outputs = await generate(
      {
        cwd: ROOT,
        silent: true,
        schema: printedSchema(),
        documents: await documentFiles(),
        generates: {
          [OUTPUT_DIR]: {
            preset: 'client',
            presetConfig: { fragmentMasking: false },
            config: {
              useTypeImports: true,
              enumsAsTypes: true,
              importExtension: '.ts',
              scalars: {
                DateTime: 'string',
                JSON: 'unknown',
                JSONObject: 'Record<string, unknown>',
                SecretValue: 'string',
                MaskedSecret: 'string',
              },
            },
          },
        },
      },
      false,
    );
    const files: Record<string, string> = {};
    for (const output of [...outputs].sort((a, b) => a.filename.localeCompare(b.filename))) {
      files[relative(ROOT, resolve(ROOT, output.filename)).split('\\').join('/')] = output.content;
    }
    return files;
  },
};
