/**
 * Helpers for the console screens' tests: a fake GraphQL server behind the console's real
 * urql client (the fetch it is given), and a memory router around a route component.
 */
import { createMemoryHistory, MemoryRouter, Route, type RouteSectionProps } from '@solidjs/router';
import { render } from '@solidjs/testing-library';
import { Provider } from '@urql/solid';
import type { Component, JSX } from 'solid-js';
import { createApiClient } from '../../web/src/api/client.ts';
import { ViewerContext, type Viewer } from '../../web/src/auth/viewer.ts';

export interface RecordedCall {
  operationName: string;
  /** With each uploaded file put back where the multipart request's map names it. */
  variables: Record<string, unknown>;
  authorization: string | null;
  csrf: string | null;
  /** Sent as a GraphQL multipart request (a file upload). */
  multipart: boolean;
}

interface RequestBody {
  operationName: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** A JSON body, or a GraphQL multipart request (`operations`, `map`, then one part per file) read back into one. */
function readBody(body: BodyInit | null | undefined): RequestBody {
  if (!(body instanceof FormData)) return JSON.parse(String(body)) as RequestBody;
  const operations = JSON.parse(String(body.get('operations'))) as RequestBody;
  const map = JSON.parse(String(body.get('map'))) as Record<string, string[]>;
  for (const [part, paths] of Object.entries(map)) {
    for (const path of paths) {
      const keys = path.split('.');
      let target = operations as unknown as Record<string, any>;
      for (const key of keys.slice(0, -1)) target = target[key];
      target[keys.at(-1)!] = body.get(part);
    }
  }
  return operations;
}

type Handler = (variables: Record<string, any>) => unknown;

/** Answers operations by name (`data` of the response); subscriptions get an SSE stream the test feeds. */
export function fakeApi(handlers: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  // Node Buffers: urql reads them as text directly (a jsdom-realm Uint8Array would trip Node's TextDecoder).
  const encode = (text: string) => Buffer.from(text) as Uint8Array;
  let status = 200;
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = readBody(init?.body);
    const headers = new Headers(init?.headers);
    calls.push({ operationName: body.operationName, variables: body.variables ?? {}, authorization: headers.get('authorization'), csrf: headers.get('x-plugform-csrf'), multipart: init?.body instanceof FormData });
    if (status !== 200) {
      return new Response(JSON.stringify({ errors: [{ message: 'This API token is unknown or revoked' }] }), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (body.query.trimStart().startsWith('subscription')) {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          streams.push(controller);
          controller.enqueue(encode(':\n\n'));
        },
      });
      init?.signal?.addEventListener('abort', () => {
        try {
          stream.cancel().catch(() => {});
        } catch {
          // already closed
        }
      });
      return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    const handler = handlers[body.operationName];
    if (!handler) throw new Error(`fakeApi: no handler for ${body.operationName}`);
    return new Response(JSON.stringify({ data: handler(body.variables ?? {}) }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return {
    fetch,
    calls,
    /** Calls of one operation. */
    callsOf: (name: string) => calls.filter((c) => c.operationName === name),
    /** Sends a subscription event to every open stream. */
    emit(data: unknown) {
      for (const controller of streams) controller.enqueue(encode(`event: next\ndata: ${JSON.stringify({ data })}\n\n`));
    },
    openStreams: () => streams.length,
    /** Ends every open stream, as a server restart would. */
    closeStreams() {
      for (const controller of streams.splice(0)) controller.close();
    },
    /** Answer every later request with this HTTP status (e.g. 401). */
    failWith(code: number) {
      status = code;
    },
  };
}

export type FakeApi = ReturnType<typeof fakeApi>;

export const ADMIN: Viewer = { __typename: 'Viewer', tokenName: 'ci-admin', role: 'ADMIN' } as Viewer;
export const VIEWER: Viewer = { __typename: 'Viewer', tokenName: 'ci-viewer', role: 'VIEWER' } as Viewer;

/**
 * Renders `component` at `path` (matched against `pattern`) inside a memory router, with the
 * console's urql client on `api` and `viewer` signed in. Other paths render their path, so a
 * test can see where a navigation went.
 */
export function renderRoute(options: {
  pattern: string;
  path: string;
  component: Component;
  api: FakeApi;
  viewer?: Viewer;
  onUnauthorized?: () => void;
}) {
  const history = createMemoryHistory();
  history.set({ value: options.path });
  const client = createApiClient({ token: 'test-token', onUnauthorized: options.onUnauthorized ?? (() => {}), url: 'http://console.test/graphql', fetch: options.api.fetch as typeof fetch });
  const Shell = (props: { children?: JSX.Element }) => (
    <Provider value={client}>
      <ViewerContext.Provider value={() => options.viewer ?? ADMIN}>{props.children}</ViewerContext.Provider>
    </Provider>
  );
  const result = render(() => (
    <MemoryRouter history={history} root={Shell}>
      <Route path={options.pattern} component={options.component} />
      <Route path="*rest" component={(p: RouteSectionProps) => <p data-testid="elsewhere">{`at /${String(p.params.rest)}`}</p>} />
    </MemoryRouter>
  ));
  return { ...result, history, location: () => history.get() };
}
