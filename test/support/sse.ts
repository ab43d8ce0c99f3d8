/**
 * A GraphQL subscription over Server-Sent Events, as the console opens it (`POST /graphql`,
 * `Accept: text/event-stream`), read in the background: a test can wait for the next event,
 * ask whether the server ended the stream, and close it from its side.
 */
import type { GqlBody } from './server.ts';

export interface SseSubscription {
  status: number;
  headers: Headers;
  /** The payloads of the `next` events received so far. */
  readonly events: GqlBody<any>[];
  /** Everything received, as text. */
  text(): string;
  /** The next event's payload (one already received and not yet taken counts). */
  nextEvent(): Promise<GqlBody<any>>;
  /**
   * How the stream ended: `ended` when the server closed it, `aborted` when the client did
   * (`close`, or the guard after `guardMs`: a stream that should have ended but did not).
   */
  readonly finished: Promise<'ended' | 'aborted'>;
  close(): void;
}

export interface SubscribeOptions {
  token: string | null;
  variables?: Record<string, unknown>;
  /** The client gives up after this long (default 15 s); a test then sees `aborted`. */
  guardMs?: number;
}

export async function openSubscription(graphqlUrl: string, query: string, options: SubscribeOptions): Promise<SseSubscription> {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), options.guardMs ?? 15_000);
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: controller.signal,
  });
  const events: GqlBody<any>[] = [];
  let text = '';
  let taken = 0;
  const waiters: Array<() => void> = [];
  let settled = false;
  const notify = () => waiters.splice(0).forEach((wake) => wake());

  const finished = (async (): Promise<'ended' | 'aborted'> => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (data && (type === undefined || type === 'next')) events.push(JSON.parse(data) as GqlBody<any>);
        }
        notify();
      }
    } catch {
      return 'aborted';
    } finally {
      clearTimeout(guard);
      settled = true;
      notify();
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    events,
    text: () => text,
    async nextEvent() {
      while (events.length <= taken) {
        if (settled) throw new Error(`the stream ended without another event; it sent: ${text}`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
      return events[taken++]!;
    },
    finished,
    close: () => controller.abort(),
  };
}
