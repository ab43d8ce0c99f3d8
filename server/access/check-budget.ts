/**
 * How many connection tests and on-demand health checks a caller may run: each one is an
 * outbound call (with the caller's chosen destination, for a test), so one request may run
 * only a few (PLUGFORM_MAX_CHECKS_PER_REQUEST: 500 aliased tests are not 500 calls) and one
 * token only so many per minute (PLUGFORM_MAX_CHECKS_PER_MINUTE, a sliding window).
 *
 * The window is kept per replica, in memory: behind N replicas a token gets at most N times
 * the allowance, which still bounds it; the state is not worth a database round trip per call.
 */
import type { Principal } from './roles.ts';

/** A limit refused the call. `limit` is the setting that decides it. */
export class LimitExceededError extends Error {
  override readonly name = 'LimitExceededError';
  readonly limit: string;
  readonly max: number;
  /** When the call would be allowed again (per-minute limits). */
  readonly retryAfterSeconds: number | undefined;
  constructor(limit: string, max: number, message: string, retryAfterSeconds?: number) {
    super(message);
    this.limit = limit;
    this.max = max;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const WINDOW_MS = 60_000;

export interface CheckBudgetLimits {
  perRequest: number;
  perMinute: number;
}

/** One request's allowance: `spend()` before each test or check, and it throws when none is left. */
export interface RequestCheckBudget {
  spend(): void;
}

export class CheckBudget {
  readonly #limits: CheckBudgetLimits;
  readonly #now: () => number;
  /** Per token id: when its calls of the last minute were made, oldest first. */
  readonly #recent = new Map<string, number[]>();

  constructor(limits: CheckBudgetLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  forRequest(principal: Principal | null): RequestCheckBudget {
    let spent = 0;
    return {
      spend: () => {
        const { perRequest, perMinute } = this.#limits;
        if (spent >= perRequest) {
          throw new LimitExceededError(
            'PLUGFORM_MAX_CHECKS_PER_REQUEST',
            perRequest,
            `At most ${perRequest} connection tests and health checks run per request (PLUGFORM_MAX_CHECKS_PER_REQUEST); send the others in another request`,
          );
        }
        if (principal) {
          const now = this.#now();
          const recent = (this.#recent.get(principal.tokenId) ?? []).filter((at) => now - at < WINDOW_MS);
          if (recent.length >= perMinute) {
            const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
            this.#recent.set(principal.tokenId, recent);
            throw new LimitExceededError(
              'PLUGFORM_MAX_CHECKS_PER_MINUTE',
              perMinute,
              `This token ran ${perMinute} connection tests and health checks in the last minute, the most allowed (PLUGFORM_MAX_CHECKS_PER_MINUTE); try again in ${retryAfterSeconds} s`,
              retryAfterSeconds,
            );
          }
          recent.push(now);
          this.#recent.set(principal.tokenId, recent);
        }
        spent += 1;
      },
    };
  }
}
