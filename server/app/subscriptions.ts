/**
 * Subscriptions belong to the token that opened them: a token holds at most
 * PLUGFORM_MAX_SUBSCRIPTIONS_PER_TOKEN open at once, and when it is revoked every one of them
 * ends at once, with a last event saying why, instead of streaming on until the client leaves.
 *
 * A yoga plugin around any subscription field: the slot is taken when the subscription is
 * set up (so concurrent ones cannot overshoot) and given back when its stream ends, however it
 * ends. The context carries `sessionSignal`, which resolvers pass to their event sources so
 * they stop listening too.
 */
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { TokenService } from '../access/token-service.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { limitExceeded } from './limits.ts';

interface Session {
  controller: AbortController;
  open: number;
}

export function useSessionBoundSubscriptions(options: { tokens: TokenService; maxPerToken: number }): Plugin<GraphQLContext> {
  const { maxPerToken } = options;
  const sessions = new Map<string, Session>();
  options.tokens.revocations.on('revoked', (tokenId) => {
    const session = sessions.get(tokenId);
    sessions.delete(tokenId);
    session?.controller.abort();
  });

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
