/**
 * Scalars. The two secret scalars make the write-only contract structural: `SecretValue`
 * can only be parsed from input (serialising it throws), and `MaskedSecret` can only ever
 * serialise to the mask, whatever a resolver hands it.
 *
 * Errors are made with yoga's `createGraphQLError` (see `notAuthorizedError` in builder.ts):
 * yoga then reports them as bad input, never as an unexpected error.
 */
import { Kind, type ValueNode } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { SECRET_MASK } from '../instances/secret-values.ts';
import { builder } from './builder.ts';

builder.scalarType('DateTime', {
  description: 'An ISO 8601 timestamp in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    // The value is not repeated: an error never echoes what it was given.
    if (Number.isNaN(date.getTime())) throw createGraphQLError('DateTime must be an ISO 8601 timestamp');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables),
});

builder.scalarType('JSONObject', {
  description: 'A JSON object.',
  serialize: (value) => value,
  parseValue: (value) => asObject(value),
  parseLiteral: (ast, variables) => asObject(literalValue(ast, variables)),
});

builder.scalarType('SecretValue', {
  description: `A secret, write-only: accepted as input, never returned. Sending the mask "${SECRET_MASK}" means "keep the stored value".`,
  serialize: () => {
    throw createGraphQLError('SecretValue is write-only and cannot be returned');
  },
  parseValue: (value) => {
    if (typeof value !== 'string') throw createGraphQLError('SecretValue must be a string');
    return value;
  },
});

builder.scalarType('MaskedSecret', {
  description: `The mask "${SECRET_MASK}" standing for a secret that is set. It never carries the value.`,
  serialize: () => SECRET_MASK,
  parseValue: () => {
    throw createGraphQLError('MaskedSecret is output-only; send secrets as SecretValue');
  },
});

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw createGraphQLError('JSONObject must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function literalValue(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((item) => literalValue(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalValue(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw createGraphQLError(`Unsupported literal of kind ${ast.kind}`);
  }
}
