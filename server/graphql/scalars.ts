/**
 * Scalars. The two secret scalars make the write-only contract structural: `SecretValue`
 * can only be parsed from input (serialising it throws), and `MaskedSecret` can only ever
 * serialise to the mask, whatever a resolver hands it.
 *
 * Errors are made with yoga's `createGraphQLError` (see `notAuthorizedError` in builder.ts):
 * yoga then reports them as bad input, never as an unexpected error.
 */
import { GraphQLScalarType } from 'graphql';
import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';
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

// JSON and JSONObject come from graphql-scalars, under this schema's descriptions and with
// input errors of our own: theirs print the rejected value, and an error never echoes input.
builder.addScalarType('JSON', withoutEcho(JSONResolver, 'Any JSON value.', 'JSON must be a JSON value'));
builder.addScalarType('JSONObject', withoutEcho(JSONObjectResolver, 'A JSON object.', 'JSONObject must be a JSON object'));

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

function withoutEcho(scalar: GraphQLScalarType, description: string, message: string): GraphQLScalarType {
  const config = scalar.toConfig();
  const refuse =
    <A extends unknown[]>(parse: (...args: A) => unknown) =>
    (...args: A) => {
      try {
        return parse(...args);
      } catch {
        throw createGraphQLError(message);
      }
    };
  // No specifiedByURL either: the schema reads as it did before the library.
  return new GraphQLScalarType({
    ...config,
    description,
    specifiedByURL: null,
    extensions: {},
    parseValue: refuse(config.parseValue!),
    parseLiteral: refuse(config.parseLiteral!),
  });
}
