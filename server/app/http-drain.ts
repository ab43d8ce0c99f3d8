/**
 * Graceful shutdown of the HTTP side: stop accepting connections, let the requests in flight
 * finish (bounded), end the long-lived subscription streams (SSE) so their clients reconnect
 * to another replica instead of waiting on a dead socket, then close what is left.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export class HttpDrain {
  readonly #server: Server;
  readonly #inFlight = new Map<ServerResponse, IncomingMessage>();
  #draining = false;

  constructor(server: Server) {
    this.#server = server;
  }

  /** Call first for every request; keeps count until its response closes. */
  track(req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight.set(res, req);
    res.once('close', () => this.#inFlight.delete(res));
    // A request that arrives on a kept-alive connection during the drain is served, and its
    // connection is not kept for another.
    if (this.#draining) res.setHeader('connection', 'close');
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  async close(graceMs: number): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    for (const [res, req] of this.#inFlight) {
      // yoga answers a subscription as a stream when the client accepts text/event-stream.
      if (!String(req.headers.accept ?? '').includes('text/event-stream')) continue;
      this.#inFlight.delete(res);
      res.on('error', () => undefined); // yoga may still try to write into the ended stream
      if (res.headersSent && !res.writableEnded) res.write('event: complete\ndata:\n\n');
      res.end();
      res.socket?.destroySoon();
    }
    const deadline = Date.now() + graceMs;
    while (this.#inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.#server.closeIdleConnections();
    }
    this.#server.closeAllConnections();
    await closed;
  }
}
