/**
 * The GraphQL server as a composition of small pieces: CSRF protection (a yoga plugin),
 * bearer-token authentication (the context factory) and masking of unexpected errors.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import type { Principal } from '../access/roles.ts';
import type { Services } from '../graphql/context.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema.ts';
import { CSRF_HEADER, useCsrfProtection } from './csrf.ts';
import { useInputValueFreeErrors } from './input-errors.ts';
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
    throw createGraphQLError('The Authorization header must be "Bearer <token>"', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  const principal = await services.tokens.authenticate(match[1]!);
  if (!principal) {
    throw createGraphQLError('This API token is unknown or revoked', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  return principal;
}

export function createGraphQLServer(options: YogaOptions): YogaServerInstance<Record<string, unknown>, GraphQLContext> {
  const { services } = options;
  const allowedOrigins = options.allowedOrigins ?? [];
  const logger = services.logger.child('graphql');
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql ? { title: 'Plugform GraphQL', defaultQuery: '{ plugins { name displayName type version } }' } : false,
    landingPage: false,
    logging: false,
    // Yoga's default CORS answers any origin, with credentials. Only the allowed origins get
    // CORS headers (no credentials: the token travels in a header); the server's own pages
    // need none, and for any other origin the browser stops at the preflight.
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && allowedOrigins.includes(origin)
        ? {
            origin: [origin],
            credentials: false,
            methods: ['GET', 'POST'],
            allowedHeaders: ['authorization', 'content-type', 'x-request-id', CSRF_HEADER],
            exposedHeaders: ['x-request-id'],
          }
        : false;
    },
    plugins: [useCsrfProtection(allowedOrigins), useInputValueFreeErrors()],
    context: async ({ request }) => ({
      ...services,
      principal: await authenticate(request, services),
      requestId: currentRequestId() ?? randomUUID(),
    }),
    maskedErrors: {
      maskError(error, message, isDev) {
        // Yoga knows which errors are meant for the client (parse, validation, bad variables,
        // refused access: GraphQL errors all the way down) and returns those unchanged. It
        // decides with its own copy of graphql-js, so no `instanceof` here can disagree.
        if (defaultMaskError(error, message, isDev) === error) return error as Error;
        const id = currentRequestId() ?? randomUUID();
        const located = error as Partial<Pick<GraphQLError, 'path' | 'nodes' | 'originalError'>>;
        const original = located.originalError ?? error;
        logger.error('unexpected error', {
          requestId: id,
          path: located.path?.join('.'),
          error: original instanceof Error ? `${original.name}: ${original.message}` : String(original),
        });
        // Where it happened (path, locations) helps the client; what happened stays in the log.
        return createGraphQLError(`Unexpected error; the server log has the details under request id ${id}`, {
          ...(located.nodes ? { nodes: located.nodes } : {}),
          ...(located.path ? { path: located.path } : {}),
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: id },
        });
      },
    },
  });
}
