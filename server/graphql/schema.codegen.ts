/**
 * Codegen targets of the GraphQL API:
 * - `schema.graphql` at the repository root, the printed SDL of the Pothos schema (sorted,
 *   see `printedSchema`). It depends only on the code of `server/graphql/`, never on which
 *   plugins are installed: a plugin's configuration travels as `JSONObject` described by
 *   its `jsonSchema`, so installing a plugin never changes the API's types.
 * - the typed documents of the automation example (see automation-docs.codegen.ts).
 *
 * The schema module is imported when a target runs, not when codegen.ts loads, so the
 * Prisma target can generate the client the schema imports first.
 */
import type { CodegenTarget } from '../../codegen.ts';
import { automationDocsCodegen } from './automation-docs.codegen.ts';

export const SCHEMA_FILE = 'schema.graphql';

export const schemaCodegen: CodegenTarget = {
  name: 'graphql-schema',
  async generate() {
    const { printedSchema } = await import('./schema.ts');
    return { [SCHEMA_FILE]: printedSchema() };
  },
};

/** Registered in codegen.ts, in this order. */
export const graphqlCodegenTargets: CodegenTarget[] = [schemaCodegen, automationDocsCodegen];
