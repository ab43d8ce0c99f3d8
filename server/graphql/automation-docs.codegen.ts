/**
 * Codegen target: the typed documents of the automation example (README, "Automate with
 * GraphQL"). GraphQL Code Generator's client preset reads the `graphql(...)` calls in
 * `docs/automation/*.ts` and writes their result and variable types to
 * `docs/automation/gql/`, from the printed schema (the same text as `schema.graphql`, taken
 * from the code so `--check` never compares against a stale schema file).
 *
 * Generated as erasable TypeScript (type imports, enums as string unions, `.ts` import
 * extensions) so it runs under tsx and Node's type stripping and type-checks with this
 * repository's settings.
 */
import { relative, resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { CodegenTarget } from '../../codegen.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const AUTOMATION_DIR = 'docs/automation';
const OUTPUT_DIR = `${AUTOMATION_DIR}/gql/`;

export const automationDocsCodegen: CodegenTarget = {
  name: 'automation-typed-documents',
  async generate() {
    const { printedSchema } = await import('./schema.ts');
    const outputs = await generate(
      {
        cwd: ROOT,
        silent: true,
        schema: printedSchema(),
        documents: [`${AUTOMATION_DIR}/*.ts`],
        generates: {
          [OUTPUT_DIR]: {
            preset: 'client',
            presetConfig: { fragmentMasking: false },
            config: {
              useTypeImports: true,
              enumsAsTypes: true,
              importExtension: '.ts',
              scalars: { DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>', SecretValue: 'string', MaskedSecret: 'string' },
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
