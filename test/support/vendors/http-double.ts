/**
 * The base of every vendor double: a real HTTP server on 127.0.0.1 (random port) that records
 * each request and answers through a vendor module's handler. Tests can inject faults in front
 * of the handler — a canned answer (a vendor's 429 or 500 body), a delay, a hang, a garbage
 * body or a dropped connection — for the next request(s) or until cleared.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received. */
  body: string;
}

/** An answer: a string body is sent as is, any other defined body as JSON. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Fault =
  /** Answer with this instead of the vendor handler. */
  | { kind: 'reply'; reply: Reply }
  /** Wait, then let the vendor handler answer. */
  | { kind: 'delay'; ms: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Answer 200 with an HTML page where JSON was expected (a captive portal or a proxy's error page). */
  | { kind: 'garbage' }
  /** Close the connection without answering. */
  | { kind: 'drop' };

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface HttpDouble {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Applies `fault` to the next `times` requests (default 1; `Infinity` until `clearFaults`). */
  inject(fault: Fault, times?: number): void;
  clearFaults(): void;
  /** Forgets recorded requests and faults. */
  reset(): void;
  close(): Promise<void>;
}

export const GARBAGE_BODY = '<html><head><title>502 Bad Gateway</title></head><body>upstream sent garbage</body></html>';

export async function startHttpDouble(handler: Handler): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const faults: { fault: Fault; remaining: number }[] = [];
  const sockets = new Set<Socket>();

  const nextFault = (): Fault | undefined => {
    const first = faults[0];
    if (first === undefined) return undefined;
    first.remaining -= 1;
    if (first.remaining <= 0) faults.shift();
    return first.fault;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      void answer(recorded, res, nextFault());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const answer = async (request: RecordedRequest, res: ServerResponse, fault: Fault | undefined): Promise<void> => {
    switch (fault?.kind) {
      case 'hang':
        return;
      case 'drop':
        res.socket?.destroy();
        return;
      case 'garbage':
        send(res, { status: 200, headers: { 'content-type': 'text/html' }, body: GARBAGE_BODY });
        return;
      case 'reply':
        send(res, fault.reply);
        return;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        break;
      case undefined:
        break;
    }
    try {
      send(res, await handler(request));
    } catch (error) {
      send(res, { status: 500, body: `double failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, times = 1) {
      faults.push({ fault, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body = '';
  if (typeof reply.body === 'string') {
    body = reply.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** A URL on 127.0.0.1 where nothing listens (a port that was just bound and released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The bearer token of a request, or `undefined`. */
export function bearerToken(request: RecordedRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

/** The body parsed as JSON, or `undefined` when it is not JSON. */
export function jsonBody(request: RecordedRequest): unknown {
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    return undefined;
  }
}

/** A route table: `'POST /v1/refunds'` or patterns with `:name` segments → handler. */
export function routes(table: Record<string, (request: RecordedRequest, params: Record<string, string>) => Reply | Promise<Reply>>, notFound: Handler): Handler {
  const compiled = Object.entries(table).map(([key, handle]) => {
    const [method, pattern] = key.split(' ', 2) as [string, string];
    const names: string[] = [];
    const source = pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { method, regex: new RegExp(`^${source}$`), names, handle };
  });
  return (request) => {
    for (const route of compiled) {
      if (route.method !== request.method) continue;
      const match = route.regex.exec(request.path);
      if (match === null) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
      return route.handle(request, params);
    }
    return notFound(request);
  };
}
