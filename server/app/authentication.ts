/**
 * Bearer-token authentication, before anything else looks at the request: a request without
 * a token is a 401 like one with a bad token (not a 200 whose fields say "forbidden"), and it
 * is refused before its document is parsed or validated, so validation messages tell a
 * stranger nothing about the schema. The one exception is an introspection query when
 * PLUGFORM_ANONYMOUS_INTROSPECTION is on (development's default, for GraphiQL); its fields
 * keep their scopes, so it reveals the schema and no data.
 */
import { createGraphQLError, isIntrospectionOperationString, type Plugin } from 'graphql-yoga';
import type { Principal } from '../access/roles.ts';
import type { TokenService } from '../tokens/token-service.ts';

export const SIGN_IN_MESSAGE = 'Sign in: send an API token as "Authorization: Bearer <token>"';

function unauthenticated(message: string) {
  return createGraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** The principal of each request, as `useBearerAuthentication` established it. */
const principals = new WeakMap<Request, Principal | null>();

export function principalOf(request: Request): Principal | null {
  return principals.get(request) ?? null;
}

export function useBearerAuthentication(options: { tokens: TokenService; anonymousIntrospection: boolean }): Plugin {
  return {
    async onParams({ request, params }) {
      const header = request.headers.get('authorization');
      if (!header) {
        if (options.anonymousIntrospection && isIntrospectionOperationString(params.query ?? '')) {
          principals.set(request, null);
          return;
        }
        throw unauthenticated(SIGN_IN_MESSAGE);
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
      const principal = await options.tokens.authenticate(match[1]!);
      if (!principal) throw unauthenticated('This API token is unknown or revoked');
      principals.set(request, principal);
    },
  };
}
