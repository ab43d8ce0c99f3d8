/**
 * The Pothos schema builder. Cross-cutting concerns are Pothos plugins: scope-auth guards
 * fields by role, errors turns typed errors into union members a client can react to,
 * prisma resolves database objects without N+1 queries, relay provides connections, dataloader
 * batches what is not a Prisma relation (the audit trail).
 */
import SchemaBuilder from '@pothos/core';
import { createGraphQLError } from 'graphql-yoga';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../../prisma/generated/pothos-types.ts';
import { getDatamodel } from '../../prisma/generated/pothos-types.ts';
import { roleAtLeast } from '../access/roles.ts';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean; invoke: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SecretValue: { Input: string; Output: never };
    MaskedSecret: { Input: never; Output: unknown };
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // A service token (one with scopes) holds none of the role scopes: it may only invoke
    // the operations its scopes name (checked per call by the operation service).
    authScopes: (context) => {
      const person = context.principal !== null && !context.principal.scopes ? context.principal : null;
      return {
        viewer: person !== null,
        operator: person !== null && roleAtLeast(person.role, 'operator'),
        admin: person !== null && roleAtLeast(person.role, 'admin'),
        invoke: context.principal !== null && (Boolean(context.principal.scopes) || roleAtLeast(context.principal.role, 'operator')),
      };
    },
    // A field with several scopes is open to any of them. (A field without `authScopes` is
    // open to everyone: every root field names its scope; test/api/access.test.ts checks.)
    defaultStrategy: 'any',
    // Refuse a subscription when it is made, not on each event: otherwise anyone could hold
    // a stream open and be told of every change (as errors, but told nonetheless).
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context) =>
      notAuthorizedError(
        context.principal
          ? context.principal.scopes
            ? `Token "${context.principal.tokenName}" is a service token: it may only call the operations its scopes name`
            : `Your token's role (${context.principal.role}) does not allow this`
          : 'Sign in: send an API token as "Authorization: Bearer <token>"',
      ),
  },
  errors: { defaultTypes: [] },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: { clientMutationId: 'omit', cursorType: 'String' },
});

/**
 * Refused for lack of a token or role. A GraphQLError, so yoga shows its message. Made by
 * yoga's `createGraphQLError`, so it is an instance of the GraphQLError class yoga checks
 * against even when this module got another copy of graphql-js (graphql ships CommonJS and
 * ESM builds; Vite-based runners such as vitest load the ESM one for our code while yoga
 * gets the CommonJS one, and yoga would then mask the error as unexpected).
 */
export function notAuthorizedError(message: string) {
  return createGraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
