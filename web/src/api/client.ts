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
    fetchOptions: () => ({ headers: { authorization: `Bearer ${options.token}` } }),
    fetch: async (input, init) => {
      const response = await baseFetch(input, init);
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
}
