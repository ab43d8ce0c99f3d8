/**
 * What the security suite shares: a redirecting vendor (a real HTTP server that answers every
 * request with a redirect to another origin, as a compromised or hostile vendor would), the
 * configurations of every built-in plugin that talks HTTP with its destination field pointed
 * at a given base URL and canary credentials in every secret, one operation of each, and the
 * two ways a caller makes Plugform reach a vendor over the real API: a connection test and an
 * operation of a saved instance.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'vitest';
import { TEST_UNSAVED, mutate } from '../support/graphql.ts';
import { CAPTURE_EVENT, CREATE_PAYMENT, DELIVER_EVENT, SEARCH_DOCUMENTS, SEND_NOTIFICATION, TRIGGER_WORKFLOW, createInstance, operation } from '../support/operations.ts';
import type { TestServer } from '../support/server.ts';

export const canary = (label: string) => `canary${label}${randomBytes(6).toString('hex')}`;

export interface Redirector {
  url: string;
  /** Every request it received: method, path and headers. */
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** Answers every request with `status` and `Location: <target><path>` (or the path itself when `target` is ''). */
export async function startRedirector(status: number, target: () => string): Promise<Redirector> {
  const requests: Redirector['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { location: `${target()}${req.url ?? '/'}`, 'content-length': '0' }).end();
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

/** Starts `server` on a free loopback port; `close()` also ends the connections still open. */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface FetchPluginCase {
  /** Plugin (and mode) name, for the test title. */
  label: string;
  pluginName: string;
  /** The configuration with its destination field at `base`, the canaries in every secret. */
  configuration(base: string): Record<string, unknown>;
  /** Every secret value in the configuration. */
  secrets: string[];
  /** One operation of the plugin that reaches the vendor: its mutation and variables (the instance id is added). */
  operation: { query: string; variables: Record<string, unknown> };
}

const notify = (recipient: string) => ({ query: SEND_NOTIFICATION, variables: { input: { recipient, message: 'security suite' } } });

const hex = () => randomBytes(8).toString('hex');

/**
 * Every built-in plugin that reaches its vendor with `fetch`, each credential a fresh canary.
 * With `awkward`, the credentials whose fields take any text also carry HTML- and JSON-special
 * characters (`<&>"'`), so that an HTML-escaped echo differs from the clear text; the others
 * (Slack, Stripe and PostHog keys) have a vendor's fixed alphabet.
 */
export function fetchPluginCases({ awkward = false }: { awkward?: boolean } = {}): FetchPluginCase[] {
  const freeText = (label: string) => (awkward ? `${canary(label)}<&>"'` : canary(label));
  const slackBot = `xoxb-canary-${hex()}`;
  const slackHook = `canaryHook${hex()}`;
  const stripeKey = `sk_test_canary${hex()}`;
  const meiliKey = freeText('Meili');
  const waToken = freeText('WhatsApp');
  const waVerify = freeText('Verify');
  const posthogKey = `phc_canary${hex()}`;
  const posthogPersonal = `phx_canary${hex()}`;
  const hookSecret = freeText('Signing');
  const hookBearer = freeText('Bearer');
  const flowAuth = freeText('Flow');
  return [
    {
      label: 'slack (bot token)',
      pluginName: 'slack',
      configuration: (base) => ({ mode: 'bot', botToken: slackBot, defaultChannel: '#alerts', apiBaseUrl: `${base}/api`, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [slackBot],
      operation: notify('#alerts'),
    },
    {
      label: 'slack (incoming webhook)',
      pluginName: 'slack',
      configuration: (base) => ({ mode: 'webhook', webhookUrl: `${base}/services/T0CANARY/B0CANARY/${slackHook}`, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [slackHook],
      operation: notify('#alerts'),
    },
    {
      label: 'stripe',
      pluginName: 'stripe',
      configuration: (base) => ({ secretKey: stripeKey, apiBaseUrl: base, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [stripeKey],
      operation: { query: CREATE_PAYMENT, variables: { input: { amountMinor: 1250, currency: 'EUR', paymentMethod: 'pm_card_visa' } } },
    },
    {
      label: 'meilisearch',
      pluginName: 'meilisearch',
      configuration: (base) => ({ host: base, apiKey: meiliKey, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [meiliKey],
      operation: { query: SEARCH_DOCUMENTS, variables: { input: { index: 'movies', query: 'shazam', filter: 'genre = "comedy"' } } },
    },
    {
      label: 'whatsapp-business',
      pluginName: 'whatsapp-business',
      configuration: (base) => ({
        phoneNumber: '+15550100200',
        apiToken: waToken,
        businessAccountId: '102290129340398',
        phoneNumberId: '106540352242922',
        webhookVerifyToken: waVerify,
        apiBaseUrl: base,
        retryCount: 0,
      }),
      secrets: [waToken, waVerify],
      operation: notify('+15551234567'),
    },
    {
      label: 'posthog',
      pluginName: 'posthog',
      configuration: (base) => ({ projectApiKey: posthogKey, personalApiKey: posthogPersonal, host: base, appHost: base, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [posthogKey, posthogPersonal],
      operation: { query: CAPTURE_EVENT, variables: { input: { event: 'signup', distinctId: 'user-1' } } },
    },
    {
      label: 'webhook',
      pluginName: 'webhook',
      configuration: (base) => ({ url: `${base}/hook`, signingSecret: hookSecret, bearerToken: hookBearer, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [hookSecret, hookBearer],
      operation: { query: DELIVER_EVENT, variables: { event: 'order.paid', payload: { orderId: 1 } } },
    },
    {
      label: 'http-workflow',
      pluginName: 'http-workflow',
      configuration: (base) => ({
        triggerUrl: `${base}/webhook/{workflowId}`,
        authHeaderName: 'X-N8N-Auth',
        authHeaderValue: flowAuth,
        testMode: 'dry-run',
        testWorkflowId: 'order-sync',
        retryCount: 0,
        timeoutSeconds: 5,
      }),
      secrets: [flowAuth],
      operation: { query: TRIGGER_WORKFLOW, variables: { workflowId: 'order-sync', input: { orderId: 1 } } },
    },
  ];
}

export interface TestOutcome {
  __typename: string;
  data?: { success: boolean; message: string; details?: unknown };
  message?: string;
}

/** `testPluginConnection` over the API: an unsaved configuration, nothing stored. */
export async function testUnsaved(server: TestServer, pluginName: string, configuration: Record<string, unknown>): Promise<TestOutcome> {
  return (await mutate(server, TEST_UNSAVED, 'testPluginConnection', { input: { pluginName, configuration } })) as TestOutcome;
}

/** An operation over the API: an instance of the case saved with its destination at `base`, then its operation called; the result union member. */
export async function operateAt(server: TestServer, plugin: FetchPluginCase, base: string): Promise<{ __typename: string; message?: string; [field: string]: unknown }> {
  const id = await createInstance(server, plugin.pluginName, `security-${hex()}`, plugin.configuration(base));
  return operation(server, plugin.operation.query, { ...plugin.operation.variables, id });
}

export interface OutboundCall {
  label: string;
  /** Makes the plugin reach `base` on a caller's behalf; the failure's message, or undefined when the call succeeded. */
  failure(server: TestServer, plugin: FetchPluginCase, base: string): Promise<string | undefined>;
}

/** The two ways a caller makes a plugin reach its vendor; what holds for one must hold for both. */
export const OUTBOUND_CALLS: readonly OutboundCall[] = [
  {
    label: 'connection test',
    async failure(server, plugin, base) {
      const outcome = await testUnsaved(server, plugin.pluginName, plugin.configuration(base));
      expect(outcome.__typename, JSON.stringify(outcome)).toBe('MutationTestPluginConnectionSuccess');
      return outcome.data?.success ? undefined : (outcome.data?.message ?? '');
    },
  },
  {
    label: 'operation',
    async failure(server, plugin, base) {
      const result = await operateAt(server, plugin, base);
      if (result.__typename.endsWith('Success')) return undefined;
      // Only the vendor call may fail: any other refusal would mean the call never went out.
      expect(result.__typename, JSON.stringify(result)).toBe('OperationFailedError');
      return result.message ?? '';
    },
  },
];
