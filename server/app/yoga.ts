/**
 * The GraphQL server as a composition of small pieces, each a yoga plugin: CSRF protection,
 * bearer-token authentication, the request limits (graphql-armor and the rest of
 * limits.ts), subscriptions bound to their token; the context factory hands resolvers the
 * caller and its allowance of checks; unexpected errors are masked.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { createGraphQLError, createYoga, maskError as defaultMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { RequestLimits } from '../config.ts';
import type { Services } from '../graphql/context.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema.ts';
import { principalOf, useBearerAuthentication } from './authentication.ts';
import { CSRF_HEADER, useCsrfProtection } from './csrf.ts';
import { useInputValueFreeErrors } from './input-errors.ts';
import { limitExceeded, useArmor, useInputNestingLimit, useRequestBodyLimit, useResponseSizeLimit } from './limits.ts';
import { useReadCache, type ReadCacheOptions } from './read-cache.ts';
import { currentRequestId } from './request-id.ts';
import { useSessionBoundSubscriptions } from './subscriptions.ts';

export interface YogaOptions {
  services: Services;
  graphiql: boolean;
  /** Introspection without a token (development's default, for GraphiQL). */
  anonymousIntrospection: boolean;
  /** Production hides "Did you mean …" suggestions in validation errors (they describe the schema). */
  production: boolean;
  limits: RequestLimits;
  /** How often open subscriptions' tokens are checked for revocations on other replicas. */
  sessionCheckIntervalMs: number;
  allowedOrigins?: readonly string[];
  /** Another schema and endpoint on the same stack (tokens, CSRF, limits, masking): the REST API. */
  schema?: GraphQLSchema;
  graphqlEndpoint?: string;
  /**
   * Keep answers of repeated reads (read-cache.ts; its field list names the GraphQL API's
   * types, so only that schema uses it). Unset: none kept.
   */
  readCache?: ReadCacheOptions | undefined;
  /** Plugins after the shared ones (sofa for REST). */
  extraPlugins?: Plugin[];
  /** Yoga answers any URL ending with this with an empty 200 (default `/health`). */
  healthCheckEndpoint?: string;
  /** GraphQL multipart requests (file uploads: storeFile); off unless a schema takes a File. */
  multipart?: boolean;
}

export function createGraphQLServer(options: YogaOptions): YogaServerInstance<Record<string, unknown>, GraphQLContext> {
  const { services, limits } = options;
  const allowedOrigins = options.allowedOrigins ?? [];
  const logger = services.logger.child('graphql');
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: options.schema ?? schema,
    graphqlEndpoint: options.graphqlEndpoint ?? '/graphql',
    ...(options.healthCheckEndpoint ? { healthCheckEndpoint: options.healthCheckEndpoint } : {}),
    graphiql: options.graphiql ? { title: 'Plugform GraphQL', defaultQuery: '{ plugins { name displayName type version } }' } : false,
    landingPage: false,
    logging: false,
    // useRequestBodyLimit (last plugin) refuses a larger body: by its Content-Length before it
    // is read, or counted while it streams in when it declares none.
    maxRequestBodySize: false,
    // Only the GraphQL API takes uploads (storeFile); elsewhere the parser is only surface.
    // Uploads count against the body limit like any request.
    multipart: options.multipart ?? false,
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
    plugins: [
      useCsrfProtection(allowedOrigins),
      useBearerAuthentication({ tokens: services.tokens, anonymousIntrospection: options.anonymousIntrospection }),
      useInputNestingLimit(limits),
      useArmor(limits, { blockFieldSuggestions: options.production }),
      // Before the size limit: an answer served from the cache is already measured and serialised.
      ...(options.readCache ? [useReadCache(options.readCache)] : []),
      useResponseSizeLimit(limits),
      useSessionBoundSubscriptions({
        tokens: services.tokens,
        bus: services.bus,
        maxPerToken: limits.maxSubscriptionsPerToken,
        checkIntervalMs: options.sessionCheckIntervalMs,
      }),
      ...(options.extraPlugins ?? []),
      useInputValueFreeErrors(),
      useRequestBodyLimit(limits.maxBodyBytes),
    ],
    context: ({ request }) => {
      const principal = principalOf(request);
      return {
        ...services,
        principal,
        requestId: currentRequestId() ?? randomUUID(),
        requestOrigin: new URL(request.url).origin,
        checks: services.checkBudget.forRequest(principal),
      };
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        // Yoga's own body limit, reworded to name the setting like every other limit.
        if ((error as GraphQLError).extensions?.code === 'REQUEST_ENTITY_TOO_LARGE') {
          return limitExceeded(
            'PLUGFORM_MAX_BODY_BYTES',
            limits.maxBodyBytes,
            `The request body is larger than ${limits.maxBodyBytes} bytes (PLUGFORM_MAX_BODY_BYTES)`,
            413,
          );
        }
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
