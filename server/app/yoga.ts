/**
 * The GraphQL server as a composition of small pieces: CSRF protection (a yoga plugin),
 * bearer-token authentication (the context factory) and masking of unexpected errors.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import type { Principal } from '../access/roles.ts';
import type { Services } from '../graphql/context.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema.ts';
import { useCsrfProtection } from './csrf.ts';
import { currentRequestId } from './request-id.ts';

export interface YogaOptions {
  services: Services;
  graphiql: boolean;
  allowedOrigins?: readonly string[];
}

async function authenticate(request: Request, services: Services): Promise<Principal | null> {
  const header = request.headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) {
    throw new GraphQLError('The Authorization header must be "Bearer <token>"', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  const principal = await services.tokens.authenticate(match[1]!);
  if (!principal) {
    throw new GraphQLError('This API token is unknown or revoked', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  return principal;
}

export function createGraphQLServer(options: YogaOptions): YogaServerInstance<Record<string, unknown>, GraphQLContext> {
  const { services } = options;
  const logger = services.logger.child('graphql');
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql ? { title: 'Plugform GraphQL', defaultQuery: '{ plugins { name displayName type version } }' } : false,
    landingPage: false,
    logging: false,
    plugins: [useCsrfProtection(options.allowedOrigins)],
    context: async ({ request }) => ({
      ...services,
      principal: await authenticate(request, services),
      requestId: currentRequestId() ?? randomUUID(),
    }),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof GraphQLError || (error instanceof GraphQLError && !error.originalError)) {
          return defaultMaskError(error, message, isDev);
        }
        const id = currentRequestId() ?? randomUUID();
        logger.error('unexpected error', {
          requestId: id,
          path: error instanceof GraphQLError ? error.path?.join('.') : undefined,
          error: original instanceof Error ? `${original.name}: ${original.message}` : String(original),
        });
        return new GraphQLError(`Unexpected error; the server log has the details under request id ${id}`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: id },
        });
      },
    },
  });
}
