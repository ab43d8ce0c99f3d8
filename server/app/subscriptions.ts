/**
 * Subscriptions belong to the token that opened them: a token holds at most
 * PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN open at once, and when it is revoked every one of them
 * ends at once, with a last event saying why, instead of streaming on until the client leaves.
 *
 * A yoga plugin around any subscription field: the slot is taken when the subscription is
 * set up (so concurrent ones cannot overshoot) and given back when its stream ends, however it
 * ends. The context carries `sessionSignal`, which resolvers pass to their event sources so
 * they stop listening too.
 *
 * A revocation on this replica ends the streams at once (TokenService's `revoked` event); one
 * on another replica too, when its `token.revoked` announcement arrives on the cluster bus.
 * Bus events are hints that a replica can miss (its listening connection was down), so a
 * check of the open streams' tokens every PLUGFORM_SESSION_CHECK_INTERVAL seconds (one query,
 * only while streams are open) ends whatever a missed announcement left open.
 */
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { TokenService } from '../tokens/token-service.ts';
import type { EventBus } from '../cluster/event-bus.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { limitExceeded } from './limits.ts';

interface Session {
  controller: AbortController;
  open: number;
}

export interface SessionBoundOptions {
  tokens: TokenService;
  /** Carries revocations made on other replicas (`token.revoked`). */
  bus?: EventBus;
  maxPerToken: number;
  /** How often the tokens of open streams are checked for revocations made elsewhere. */
  checkIntervalMs: number;
}

export function useSessionBoundSubscriptions(options: SessionBoundOptions): Plugin<GraphQLContext> {
  const { maxPerToken, tokens } = options;
  const sessions = new Map<string, Session>();
  const end = (tokenId: string) => {
    const session = sessions.get(tokenId);
    sessions.delete(tokenId);
    session?.controller.abort();
  };
  tokens.revocations.on('revoked', end);
  options.bus?.on('token.revoked', ({ tokenId }) => end(tokenId));

  let sweep: NodeJS.Timeout | undefined;
  const watchRevocations = () => {
    if (sweep) return;
    sweep = setInterval(() => {
      if (sessions.size === 0) {
        clearInterval(sweep);
        sweep = undefined;
        return;
      }
      // A failed check (database briefly away, or closing) is retried at the next tick.
      tokens.revokedAmong([...sessions.keys()]).then((revoked) => revoked.forEach(end), () => undefined);
    }, options.checkIntervalMs);
    sweep.unref();
  };

  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const principal = args.contextValue.principal;
      if (!principal) return; // anonymous callers are refused before this (and by the fields' scopes)
      let session = sessions.get(principal.tokenId);
      if (session && session.open >= maxPerToken) {
        setResultAndStopExecution({
          errors: [
            limitExceeded(
              'PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN',
              maxPerToken,
              `This token already has ${maxPerToken} subscriptions open, the most allowed (PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN); close one first`,
              429,
            ),
          ],
        });
        return;
      }
      if (!session) {
        session = { controller: new AbortController(), open: 0 };
        sessions.set(principal.tokenId, session);
        watchRevocations();
      }
      const owner = session;
      owner.open += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        owner.open -= 1;
        if (owner.open === 0 && sessions.get(principal.tokenId) === owner) sessions.delete(principal.tokenId);
      };
      args.contextValue.sessionSignal = owner.controller.signal;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endingWith(result, owner.controller.signal, release));
          else release();
        },
        onSubscribeError: release,
      };
    },
  };
}

const REVOKED: ExecutionResult = {
  errors: [createGraphQLError('This API token was revoked', { extensions: { code: 'UNAUTHENTICATED' } })],
};

/**
 * `source`, ending early when `signal` aborts (after one last event, REVOKED). `release`
 * runs once, when the stream ends for any reason.
 */
function endingWith(
  source: AsyncIterable<ExecutionResult>,
  signal: AbortSignal,
  release: () => void,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let state: 'open' | 'closing' | 'closed' = 'open';
  const close = () => {
    if (state === 'closed') return;
    state = 'closed';
    release();
    // Not awaited: a generator waiting for its next event finishes that wait first (its own
    // listener stops on the same signal).
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (state === 'closing') {
        close();
        return { done: true, value: undefined };
      }
      if (state === 'closed') return { done: true, value: undefined };
      const outcome = await Promise.race([iterator.next(), aborted]);
      if (outcome === 'aborted') {
        state = 'closing';
        return { done: false, value: REVOKED };
      }
      if (outcome.done) close();
      return outcome;
    },
    async return() {
      close();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      close();
      throw error;
    },
  };
}
