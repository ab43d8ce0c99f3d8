/**
 * WhatsApp Business: sends text and template messages through Meta's WhatsApp Cloud API.
 *
 * The complete example of a built-in plugin: every field type a real integration needs,
 * grouped and ordered for the console, secrets marked, rules the console checks as you type,
 * and a provider that honours its timeout, retry and rate-limit settings, explains Meta's
 * errors and never lets the access token out.
 *
 * Cloud API reference: https://developers.facebook.com/docs/whatsapp/cloud-api
 */
import { definePlugin, type ConfigOf, type HealthReport, type NotificationMessage } from '../sdk/index.ts';
import {
  checkCustomHeaders,
  failedCheck,
  healthReportOf,
  isRecord,
  PluginHttpError,
  redactedError,
  redactSecrets,
  testReportOf,
  TokenBucket,
} from '../sdk/http-helpers.ts';
import { createGraphClient, LABEL, type GraphClient } from './graph-api.ts';

const fields = [
  // --- Basic Configuration -------------------------------------------------------------
  {
    key: 'phoneNumber',
    label: 'Business Phone Number',
    type: 'PHONE',
    required: true,
    validationRules: [{ type: 'pattern', value: '^\\+[1-9]\\d{6,14}$', message: 'Use E.164 format: + then country code and number, e.g. +15550100200' }],
    placeholder: '+15550100200',
    description: 'Your verified WhatsApp Business number.',
    helpText: 'In E.164 format. The connection test checks that the phone number ID below belongs to this number.',
    group: 'Basic Configuration',
    order: 1,
  },
  {
    key: 'apiToken',
    label: 'API Access Token',
    type: 'SECRET',
    required: true,
    minLength: 20,
    description: 'A system user access token with the whatsapp_business_messaging permission.',
    helpText: 'Generate it in Meta Business Suite > System users, or use the temporary token from App Dashboard > WhatsApp > API Setup.',
    group: 'Basic Configuration',
    order: 2,
  },
  {
    key: 'businessAccountId',
    label: 'Business Account ID',
    type: 'STRING',
    required: true,
    validationRules: [{ type: 'pattern', value: '^\\d+$', message: 'The WhatsApp Business Account ID is a number' }],
    placeholder: '102290129340398',
    helpText: 'The WhatsApp Business Account (WABA) ID, shown under WhatsApp > API Setup.',
    group: 'Basic Configuration',
    order: 3,
  },
  {
    key: 'phoneNumberId',
    label: 'Phone Number ID',
    type: 'STRING',
    required: true,
    validationRules: [{ type: 'pattern', value: '^\\d+$', message: 'The phone number ID is a number (not the phone number itself)' }],
    placeholder: '106540352242922',
    helpText: 'The ID Meta gives your phone number, shown under WhatsApp > API Setup. Messages are sent from it.',
    group: 'Basic Configuration',
    order: 4,
  },

  // --- Environment ---------------------------------------------------------------------
  {
    key: 'sandboxMode',
    label: 'Sandbox Mode',
    type: 'BOOLEAN',
    default: false,
    description: 'Validate and log messages without sending them.',
    helpText: 'Enable for testing, disable for production. Health checks and connection tests still call the real API.',
    group: 'Environment',
    order: 1,
  },
  {
    key: 'apiVersion',
    label: 'API Version',
    type: 'SELECT',
    default: 'v21.0',
    options: [
      { value: 'v22.0', label: 'v22.0' },
      { value: 'v21.0', label: 'v21.0 (recommended)' },
      { value: 'v20.0', label: 'v20.0' },
      { value: 'v19.0', label: 'v19.0' },
    ],
    helpText: 'Graph API version used in every request path.',
    group: 'Environment',
    order: 2,
  },

  // --- Messaging -----------------------------------------------------------------------
  {
    key: 'defaultTemplate',
    label: 'Default Template',
    type: 'STRING',
    maxLength: 512,
    validationRules: [{ type: 'pattern', value: '^[a-z0-9_]+$', message: 'Template names use lowercase letters, digits and underscores' }],
    placeholder: 'hello_world',
    description: 'Approved template sent when a notification has no text.',
    helpText: 'Outside the 24-hour customer service window WhatsApp only delivers approved templates.',
    group: 'Messaging',
    order: 1,
  },
  {
    key: 'templateLanguage',
    label: 'Template Language',
    type: 'STRING',
    default: 'en_US',
    validationRules: [{ type: 'pattern', value: '^[a-z]{2,3}(_[A-Z]{2})?$', message: 'Use a language code like en or en_US' }],
    helpText: 'Language code of the template translation to send.',
    group: 'Messaging',
    order: 2,
  },
  {
    key: 'retryCount',
    label: 'Retry Count',
    type: 'INTEGER',
    default: 3,
    minValue: 0,
    maxValue: 10,
    helpText: 'Extra attempts after a throttled (error 130429), failed (5xx) or unanswered request, with exponential backoff.',
    group: 'Messaging',
    order: 3,
  },
  {
    key: 'messageTimeoutSeconds',
    label: 'Message Timeout (seconds)',
    type: 'INTEGER',
    default: 30,
    minValue: 1,
    maxValue: 120,
    helpText: 'How long one request may take before it is abandoned (and retried, if retries remain).',
    group: 'Messaging',
    order: 4,
  },
  {
    key: 'rateLimitPerSecond',
    label: 'Rate Limit (messages per second)',
    type: 'INTEGER',
    default: 80,
    minValue: 1,
    maxValue: 1000,
    helpText: "Requests are spread to at most this rate. Meta's default throughput is 80 messages per second per number.",
    group: 'Messaging',
    order: 5,
  },

  // --- Webhooks ------------------------------------------------------------------------
  {
    key: 'webhookUrl',
    label: 'Webhook URL',
    type: 'URL',
    destination: false,
    validationRules: [{ type: 'pattern', value: '^https://', message: 'Meta only calls HTTPS webhooks' }],
    placeholder: 'https://example.com/webhooks/whatsapp',
    description: 'Where Meta sends incoming messages and delivery statuses.',
    helpText: 'Register the same URL in App Dashboard > WhatsApp > Configuration.',
    group: 'Webhooks',
    order: 1,
  },
  {
    key: 'webhookVerifyToken',
    label: 'Webhook Verify Token',
    type: 'SECRET',
    minLength: 8,
    description: 'The token Meta echoes when it verifies your webhook URL (hub.verify_token).',
    group: 'Webhooks',
    order: 2,
  },
  {
    key: 'deliveryReceipts',
    label: 'Delivery Receipts',
    type: 'BOOLEAN',
    default: false,
    description: 'Track sent, delivered and read statuses.',
    helpText: 'Meta reports statuses only to the webhook, so this needs a webhook URL.',
    group: 'Webhooks',
    order: 3,
  },

  // --- Advanced ------------------------------------------------------------------------
  {
    key: 'customHeaders',
    label: 'Custom Headers',
    type: 'JSON',
    jsonShape: 'object',
    placeholder: '{ "X-Proxy-Route": "whatsapp" }',
    helpText: 'Extra HTTP headers for every request, as a JSON object of strings (for proxies). Authorization cannot be overridden.',
    group: 'Advanced',
    order: 1,
  },
  {
    key: 'apiBaseUrl',
    label: 'API Base URL',
    type: 'URL',
    destination: ['apiToken'],
    default: 'https://graph.facebook.com',
    helpText: 'Change only to go through a proxy (or a local server in tests).',
    group: 'Advanced',
    order: 2,
  },
] as const;

export type WhatsAppConfig = ConfigOf<typeof fields>;

export default definePlugin({
  name: 'whatsapp-business',
  displayName: 'WhatsApp Business',
  type: 'NOTIFICATION',
  version: '1.0.0',
  description: "Send WhatsApp text and template messages through Meta's WhatsApp Cloud API.",
  author: 'Plugform',
  homepage: 'https://developers.facebook.com/docs/whatsapp/cloud-api',
  tags: ['messaging', 'whatsapp', 'meta', 'notifications'],
  groups: ['Basic Configuration', 'Environment', 'Messaging', 'Webhooks', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,

  createProvider(config, context) {
    if (config.deliveryReceipts && !config.webhookUrl) {
      throw new Error('Delivery Receipts need a Webhook URL: Meta reports delivery statuses only to your webhook');
    }
    const customHeaders = checkCustomHeaders(config.customHeaders, 'Custom Headers');
    const secrets = [config.apiToken, config.webhookVerifyToken].filter((s): s is string => s !== undefined);
    // Aborted by stop(): calls still in flight end with the provider.
    const lifetime = new AbortController();
    const graph = createGraphClient({
      fetch: context.http.fetch,
      logger: context.logger,
      baseUrl: config.apiBaseUrl,
      apiVersion: config.apiVersion,
      accessToken: config.apiToken,
      otherSecrets: secrets,
      customHeaders,
      timeoutMs: config.messageTimeoutSeconds * 1000,
      retries: config.retryCount,
      rateLimiter: new TokenBucket({ ratePerSecond: config.rateLimitPerSecond }),
      signal: lifetime.signal,
    });
    /** Removes the token and the webhook verify token from a message. */
    const redact = (text: string) => redactSecrets(text, secrets);

    return {
      async sendNotification(message) {
        const payload = buildMessage(config, message);
        if (config.sandboxMode) {
          context.logger.info('WhatsApp sandbox mode: message validated, not sent', { type: payload.type, to: maskPhone(payload.to) });
          return { success: true, details: { sandbox: true, sent: false, type: payload.type, payload } };
        }
        try {
          const answer = await graph.post(`${config.phoneNumberId}/messages`, payload);
          const messageId = firstMessageId(answer);
          context.logger.info('WhatsApp message sent', { messageId, type: payload.type, to: maskPhone(payload.to) });
          return { success: true, messageId, details: { type: payload.type, waId: firstWaId(answer), deliveryReceipts: config.deliveryReceipts } };
        } catch (error) {
          throw redactedError(error, redact);
        }
      },

      async healthCheck() {
        try {
          const phone = await readPhoneNumber(graph, config);
          return healthOf(phone, config);
        } catch (error) {
          // Throttling means Meta answered and accepted the token: the service works, slowly.
          return healthReportOf(failedCheck(error, redact));
        }
      },

      async testConnection() {
        try {
          const phone = await readPhoneNumber(graph, config);
          const mismatch = numberMismatch(phone, config);
          if (mismatch) return { success: false, message: mismatch, details: phoneDetails(phone, config) };
          await checkBusinessAccount(graph, config);
          return {
            success: true,
            message: `Connected to ${LABEL} as ${phone.verifiedName} (${phone.displayPhoneNumber})`,
            details: phoneDetails(phone, config),
          };
        } catch (error) {
          return testReportOf(failedCheck(error, redact));
        }
      },

      stop() {
        lifetime.abort();
      },
    };
  },
});

// ---------------------------------------------------------------------------------------
// Messages

type OutgoingMessage =
  | { messaging_product: 'whatsapp'; recipient_type: 'individual'; to: string; type: 'text'; text: { body: string; preview_url: boolean } }
  | {
      messaging_product: 'whatsapp';
      recipient_type: 'individual';
      to: string;
      type: 'template';
      template: { name: string; language: { code: string }; components?: unknown[] };
    };

const MAX_TEXT_LENGTH = 4096;

/**
 * A text message, or a template message when `metadata.template` names one or when there is
 * no text and a default template is configured. `metadata.templateParams` fills the body
 * placeholders {{1}}, {{2}} … in order.
 */
function buildMessage(config: WhatsAppConfig, message: NotificationMessage): OutgoingMessage {
  const to = normalizeRecipient(message.recipient);
  const metadata = message.metadata ?? {};
  const templateName = optionalString(metadata, 'template') ?? (message.message.trim() === '' ? config.defaultTemplate : undefined);
  if (templateName !== undefined) {
    const params = templateParams(metadata);
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: {
        name: templateName,
        language: { code: optionalString(metadata, 'templateLanguage') ?? config.templateLanguage },
        ...(params.length === 0 ? {} : { components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] }),
      },
    };
  }
  if (message.message.trim() === '') {
    throw new Error('WhatsApp message is empty: give a text, a metadata.template, or configure a default template');
  }
  // WhatsApp has no subject line; bold first line is the usual stand-in.
  const body = message.subject ? `*${message.subject}*\n\n${message.message}` : message.message;
  if (body.length > MAX_TEXT_LENGTH) {
    throw new Error(`WhatsApp text messages are limited to ${MAX_TEXT_LENGTH} characters (this one has ${body.length})`);
  }
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { body, preview_url: metadata.previewUrl === true },
  };
}

function normalizeRecipient(recipient: string): string {
  const compact = recipient.replace(/[\s().-]/g, '');
  if (!/^\+?[1-9]\d{6,14}$/.test(compact)) {
    throw new Error(`recipient "${recipient}" is not a phone number in E.164 format (for example +15550100200)`);
  }
  return compact.startsWith('+') ? compact : `+${compact}`;
}

function optionalString(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`metadata.${key} must be a non-empty string`);
  return value;
}

function templateParams(metadata: Record<string, unknown>): string[] {
  const value = metadata.templateParams;
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' || typeof item === 'number')) {
    throw new Error('metadata.templateParams must be a list of strings or numbers');
  }
  return value.map(String);
}

function firstMessageId(answer: unknown): string {
  const messages = isRecord(answer) ? answer.messages : undefined;
  const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
  if (isRecord(first) && typeof first.id === 'string') return first.id;
  throw new PluginHttpError(`${LABEL}: the answer has no message id`, { kind: 'response' });
}

function firstWaId(answer: unknown): string | undefined {
  const contacts = isRecord(answer) ? answer.contacts : undefined;
  const first: unknown = Array.isArray(contacts) ? contacts[0] : undefined;
  return isRecord(first) && typeof first.wa_id === 'string' ? first.wa_id : undefined;
}

/** Phone numbers are personal data: logs keep only the last four digits. */
function maskPhone(phone: string): string {
  return `…${phone.slice(-4)}`;
}

// ---------------------------------------------------------------------------------------
// Health and connection test

interface PhoneNumberInfo {
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string;
}

async function readPhoneNumber(graph: GraphClient, config: WhatsAppConfig): Promise<PhoneNumberInfo> {
  const answer = await graph.get(`${config.phoneNumberId}?fields=display_phone_number,verified_name,quality_rating`);
  if (!isRecord(answer) || typeof answer.display_phone_number !== 'string') {
    throw new PluginHttpError(`${LABEL}: the phone number answer has no display_phone_number`, { kind: 'response' });
  }
  return {
    displayPhoneNumber: answer.display_phone_number,
    verifiedName: typeof answer.verified_name === 'string' ? answer.verified_name : '(not verified)',
    qualityRating: typeof answer.quality_rating === 'string' ? answer.quality_rating : 'UNKNOWN',
  };
}

/** The phone number ID must be one of the business account's numbers. */
async function checkBusinessAccount(graph: GraphClient, config: WhatsAppConfig): Promise<void> {
  const answer = await graph.get(`${config.businessAccountId}/phone_numbers?fields=id`);
  const numbers = isRecord(answer) && Array.isArray(answer.data) ? answer.data : [];
  if (!numbers.some((entry) => isRecord(entry) && entry.id === config.phoneNumberId)) {
    throw new Error(`${LABEL}: phone number ID ${config.phoneNumberId} does not belong to business account ${config.businessAccountId}`);
  }
}

function numberMismatch(phone: PhoneNumberInfo, config: WhatsAppConfig): string | undefined {
  const digits = (value: string) => value.replace(/\D/g, '');
  if (digits(phone.displayPhoneNumber) === digits(config.phoneNumber)) return undefined;
  return `${LABEL}: phone number ID ${config.phoneNumberId} is ${phone.displayPhoneNumber}, not the configured ${config.phoneNumber}`;
}

function phoneDetails(phone: PhoneNumberInfo, config: WhatsAppConfig): Record<string, unknown> {
  return {
    displayPhoneNumber: phone.displayPhoneNumber,
    verifiedName: phone.verifiedName,
    qualityRating: phone.qualityRating,
    apiVersion: config.apiVersion,
    sandboxMode: config.sandboxMode,
  };
}

/** A low quality rating still delivers, but Meta lowers the number's messaging limits. */
function healthOf(phone: PhoneNumberInfo, config: WhatsAppConfig): HealthReport {
  const details = phoneDetails(phone, config);
  const mismatch = numberMismatch(phone, config);
  if (mismatch) return { status: 'degraded', message: mismatch, details };
  if (phone.qualityRating === 'RED') {
    return { status: 'degraded', message: `${phone.displayPhoneNumber} has a low quality rating (RED): Meta may lower its messaging limits`, details };
  }
  return { status: 'healthy', message: `${phone.displayPhoneNumber} (${phone.verifiedName}) is reachable, quality ${phone.qualityRating}`, details };
}
