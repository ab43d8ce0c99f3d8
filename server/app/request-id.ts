/**
 * Every request gets an id (the caller's `x-request-id` when it is sane), echoed in the
 * response and carried in async-local storage, so a masked error's log line and the
 * response the client sees name the same id.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const storage = new AsyncLocalStorage<string>();

export function currentRequestId(): string | undefined {
  return storage.getStore();
}

export function withRequestId(req: IncomingMessage, res: ServerResponse, handle: () => unknown): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  storage.run(id, handle);
}
