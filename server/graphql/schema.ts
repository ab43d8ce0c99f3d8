/** The schema: each domain file adds its types and fields to the shared builder. */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './errors.ts';
import './plugins.ts';
import './instances.ts';
import './history.ts';
import './health.ts';
import './tokens.ts';
import './operations.ts';
import './configuration.ts';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL committed as `schema.graphql` (sorted, so it diffs cleanly). */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
