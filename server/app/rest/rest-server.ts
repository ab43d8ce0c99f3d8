/**
 * REST for those who cannot use GraphQL: SOFA (@graphql-yoga/plugin-sofa) serves the REST
 * schema (rest-schema.ts) at /api/v1 with its OpenAPI document at /api/v1/openapi.json. It is
 * the same yoga stack as /graphql (createGraphQLServer): same tokens and roles, same CSRF
 * rules, same limits and error masking; only the schema differs.
 */
import { useSofa } from '@graphql-yoga/plugin-sofa';
import { createGraphQLError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { limitExceeded, nestsDeeperThan } from '../limits.ts';
import type { RequestLimits } from '../../config.ts';
import { createGraphQLServer, type YogaOptions } from '../yoga.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { REST_ROUTES, createRestSchema } from './rest-schema.ts';

export const REST_BASE_PATH = '/api/v1';

export function createRestServer(options: Omit<YogaOptions, 'schema' | 'graphqlEndpoint' | 'extraPlugins' | 'graphiql' | 'healthCheckEndpoint'>): YogaServerInstance<Record<string, unknown>, GraphQLContext> {
  return createGraphQLServer({
    ...options,
    graphiql: false,
    schema: createRestSchema(),
    // The REST schema is not offered as GraphQL: the router sends only /api/v1/* here and
    // SOFA answers those; this endpoint is never reachable.
    graphqlEndpoint: '/__plugform_rest_schema',
    // Yoga's own health check answers every URL ending in /health, which would shadow the
    // guide's GET /plugins/instances/{id}/health.
    healthCheckEndpoint: '/__plugform_rest_schema/health',
    extraPlugins: [
      useRestBodyLimits(options.limits),
      useRestAuthentication(options.services),
      useSofa({
        basePath: REST_BASE_PATH,
        routes: REST_ROUTES,
        depthLimit: 4,
        openAPI: {
          endpoint: '/openapi.json',
          info: {
            title: 'Plugform REST API',
            version: '1',
            description: 'The reference guide’s endpoints and the operations of instances. Send an API token as "Authorization: Bearer <token>".',
          },
          // Paths are relative to the base path.
          servers: [{ url: REST_BASE_PATH }],
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        },
        // The UI would load its scripts from a CDN: the document is enough.
        swaggerUI: { endpoint: false },
      }),
    ],
  });
}

/**
 * SOFA runs its operations without yoga's request parsing, where the GraphQL endpoint
 * authenticates the bearer token (useBearerAuthentication, at onParams). The same check runs
 * here as the context is built: same token service, same messages, same 401.
 */
function useRestAuthentication(services: YogaOptions['services']): Plugin {
  const unauthenticated = (message: string) => createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  return {
    async onContextBuilding({ context, extendContext }) {
      const header = (context as { request?: Request }).request?.headers.get('authorization');
      if (!header) return; // anonymous: every REST resolver refuses it (401)
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
      const principal = await services.tokens.authenticate(match[1]!);
      if (!principal) throw unauthenticated('This API token is unknown or revoked');
      extendContext({ principal, checks: services.checkBudget.forRequest(principal) } as unknown as Parameters<typeof extendContext>[0]);
    },
  };
}

/**
 * PLUGFORM_MAX_BODY_BYTES for REST: a body announced larger is refused from its
 * Content-Length; one sent without (chunked) is counted as it streams in and refused once it
 * passes the limit. Either way 413 with the same LIMIT_EXCEEDED error as /graphql, before
 * anything parses it. Then PLUGFORM_MAX_INPUT_DEPTH: a JSON body whose values nest deeper
 * (below the body's own object, as a GraphQL variable below the variables) is refused with
 * 400 before anything recursive reads it. A body within both is handed on, already read.
 */
function useRestBodyLimits({ maxBodyBytes, maxInputDepth }: RequestLimits): Plugin {
  return {
    async onRequest({ request, setRequest, endResponse, fetchAPI }) {
      if (!request.body) return;
      const refuse = (status: number, limit: string, max: number, text: string) => {
        const { message, extensions } = limitExceeded(limit, max, text);
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions }] }), { status, headers: { 'content-type': 'application/json' } }));
      };
      const tooLarge = () => refuse(413, 'PLUGFORM_MAX_BODY_BYTES', maxBodyBytes, `The request body is larger than ${maxBodyBytes} bytes (PLUGFORM_MAX_BODY_BYTES)`);
      const announced = Number(request.headers.get('content-length') ?? Number.NaN);
      if (announced > maxBodyBytes) return tooLarge();
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = request.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        size += read.value.byteLength;
        if (size > maxBodyBytes) {
          await reader.cancel().catch(() => undefined);
          return tooLarge();
        }
        chunks.push(read.value);
      }
      const body = Buffer.concat(chunks);
      if (nestsDeeperThan(parsedJson(body), maxInputDepth + 1)) {
        return refuse(400, 'PLUGFORM_MAX_INPUT_DEPTH', maxInputDepth, `The request body nests deeper than ${maxInputDepth} levels (PLUGFORM_MAX_INPUT_DEPTH)`);
      }
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body }));
    },
  };
}

/** The body as JSON, or undefined when it is not (SOFA then answers it as it would). */
function parsedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
