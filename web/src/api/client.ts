import { cacheExchange, Client, fetchExchange } from '@urql/core';

export interface ApiClientOptions {
  /** The bearer token sent with every request. */
  token: string;
  /** Called when the server answers 401 (unknown or revoked token). */
  onUnauthorized: () => void;
  url?: string;
  fetch?: typeof fetch;
}

/**
 * The console's urql client: document cache, fetch transport for queries and mutations, and
 * file uploads as GraphQL multipart requests (urql sends one when a variable holds a File),
 * subscriptions over the same fetch as Server-Sent Events (yoga answers `Accept:
 * text/event-stream` at /graphql). Fetch, unlike EventSource, can send the Authorization header.
 */
export function createApiClient(options: ApiClientOptions): Client {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return new Client({
    url: options.url ?? '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    fetchSubscriptions: true,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    // The CSRF header lets the server accept a multipart body (a file upload), which a
    // cross-site form could also send; JSON requests do not need it but carry it alike.
    fetchOptions: () => ({ headers: { authorization: `Bearer ${options.token}`, 'x-plugform-csrf': '1' } }),
    fetch: async (input, init) => {
      const response = await baseFetch(input, init);
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
}
