/**
 * What the security suite shares: a redirecting vendor (a real HTTP server that answers every
 * request with a redirect to another origin, as a compromised or hostile vendor would), the
 * configurations of every built-in plugin that talks HTTP with its destination field pointed
 * at a given base URL and canary credentials in every secret, and the connection test over
 * the real API.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TEST_UNSAVED, mutate } from '../support/graphql.ts';
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
}

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
    },
    {
      label: 'slack (incoming webhook)',
      pluginName: 'slack',
      configuration: (base) => ({ mode: 'webhook', webhookUrl: `${base}/services/T0CANARY/B0CANARY/${slackHook}`, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [slackHook],
    },
    {
      label: 'stripe',
      pluginName: 'stripe',
      configuration: (base) => ({ secretKey: stripeKey, apiBaseUrl: base, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [stripeKey],
    },
    {
      label: 'meilisearch',
      pluginName: 'meilisearch',
      configuration: (base) => ({ host: base, apiKey: meiliKey, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [meiliKey],
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
    },
    {
      label: 'posthog',
      pluginName: 'posthog',
      configuration: (base) => ({ projectApiKey: posthogKey, personalApiKey: posthogPersonal, host: base, appHost: base, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [posthogKey, posthogPersonal],
    },
    {
      label: 'webhook',
      pluginName: 'webhook',
      configuration: (base) => ({ url: `${base}/hook`, signingSecret: hookSecret, bearerToken: hookBearer, retryCount: 0, timeoutSeconds: 5 }),
      secrets: [hookSecret, hookBearer],
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
