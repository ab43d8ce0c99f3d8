/**
 * PostHog, as its docs and its capture service describe it.
 *
 * Ingestion (public, project API key in the body; https://posthog.com/docs/api/capture):
 *   POST /i/v0/e/  → 200 `{"status":"Ok"}`. Capture checks only the token's *form*: missing →
 *   401 "event submitted without an api_key", empty or a personal key → 401 "API key is not
 *   valid: …"; no event name / no distinct_id / bad JSON → 400 with a plain-text reason; 503
 *   "transient error, please retry"; 429 "rate limited". A well-formed but unknown key is
 *   accepted with 200 and its events are dropped later: capture alone cannot verify a key.
 *   POST /flags?v=2 → evaluates flags for a project key; an unknown key is 401
 *   `{ type: "authentication_error", code: "invalid_api_key", detail, attr }`.
 * Private API (personal API key as bearer; https://posthog.com/docs/api):
 *   GET /api/projects/@current → the project, including its `api_token`; 401
 *   `authentication_failed`, 403 `permission_denied` for a key without `project:read`,
 *   429 `throttled` with Retry-After.
 */
import { bearerToken, jsonBody, routes, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface PostHogDoubleOptions {
  projectApiKey: string;
  personalApiKey: string;
  projectId: number;
  projectName: string;
  /** Scopes of the personal key (default `project:read`). */
  personalKeyScopes?: string[];
  /** The project of the personal key's "current" project uses another project key. */
  currentProjectApiKey?: string;
  flags?: Record<string, boolean>;
}

export interface CapturedEvent {
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  timestamp?: string;
  uuid?: string;
}

export interface PostHogDouble extends HttpDouble {
  /** Events accepted for the configured project (events for unknown keys are dropped, as PostHog does). */
  readonly events: CapturedEvent[];
  readonly options: PostHogDoubleOptions;
}

const problem = (status: number, type: string, code: string, detail: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { type, code, detail, attr: null },
});

export const posthogFaults = {
  captureUnavailable: (): Reply => ({ status: 503, body: 'transient error, please retry' }),
  captureRateLimited: (): Reply => ({ status: 429, body: 'rate limited' }),
  throttled: (seconds = 1): Reply =>
    problem(429, 'throttled_error', 'throttled', `Request was throttled. Expected available in ${seconds} seconds.`, { 'retry-after': String(seconds) }),
};

export async function startPostHogDouble(initial: PostHogDoubleOptions): Promise<PostHogDouble> {
  const options = { ...initial };
  const events: CapturedEvent[] = [];

  const capture = (request: RecordedRequest): Reply => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch (error) {
      return { status: 400, body: `failed to parse request: ${(error as Error).message}` };
    }
    const token = body.api_key ?? body.token ?? body.$token;
    if (token === undefined) return { status: 401, body: 'event submitted without an api_key' };
    if (token === '') return { status: 401, body: 'API key is not valid: empty' };
    if (typeof token === 'string' && token.startsWith('phx_')) return { status: 401, body: 'API key is not valid: personal_api_key' };
    if (typeof body.event !== 'string' || body.event === '') return { status: 400, body: 'event submitted with an empty event name' };
    if (typeof body.distinct_id !== 'string' || body.distinct_id === '') return { status: 400, body: 'event submitted without a distinct_id' };
    if (token === options.projectApiKey) events.push(body as unknown as CapturedEvent);
    return { status: 200, body: { status: 'Ok' } };
  };

  const flags = (request: RecordedRequest): Reply => {
    const body = (jsonBody(request) ?? {}) as Record<string, unknown>;
    const token = body.api_key ?? body.token;
    if (token !== options.projectApiKey) {
      return problem(401, 'authentication_error', 'invalid_api_key', 'Project API key invalid. You can find your project API key in PostHog project settings.');
    }
    if (typeof body.distinct_id !== 'string' || body.distinct_id === '') {
      return problem(400, 'validation_error', 'missing_distinct_id', 'Decide requires a distinct_id.');
    }
    const evaluated = Object.fromEntries(
      Object.entries(options.flags ?? {}).map(([key, enabled], i) => [
        key,
        { key, enabled, variant: null, reason: { code: enabled ? 'condition_match' : 'no_condition_match', condition_index: 0, description: '' }, metadata: { id: i + 1, version: 1, payload: null } },
      ]),
    );
    return { status: 200, body: { flags: evaluated, errorsWhileComputingFlags: false, requestId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' } };
  };

  const currentProject = (request: RecordedRequest): Reply => {
    const key = bearerToken(request);
    if (key === undefined) return problem(401, 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.');
    if (key !== options.personalApiKey) return problem(401, 'authentication_error', 'authentication_failed', 'Personal API key found in request Authorization header is invalid.');
    if (!(options.personalKeyScopes ?? ['project:read']).includes('project:read')) {
      return problem(403, 'authentication_error', 'permission_denied', "API key missing required scope 'project:read'");
    }
    return {
      status: 200,
      body: {
        id: options.projectId,
        uuid: '0188b2c3-d4e5-7f60-8a1b-2c3d4e5f6a7b',
        organization: '0188b2c3-0000-7f60-8a1b-2c3d4e5f6a7b',
        api_token: options.currentProjectApiKey ?? options.projectApiKey,
        name: options.projectName,
        timezone: 'UTC',
        is_demo: false,
      },
    };
  };

  const handler = routes(
    {
      'POST /i/v0/e/': capture,
      'POST /capture/': capture,
      'POST /flags': flags,
      'POST /flags/': flags,
      'GET /api/projects/@current': currentProject,
      'GET /api/projects/@current/': currentProject,
    },
    () => ({ status: 404, body: { type: 'invalid_request', code: 'not_found', detail: 'Not found.', attr: null } }),
  );
  const double = await startHttpDouble(handler);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    events.length = 0;
  };
  return Object.assign(double, { events, options });
}
