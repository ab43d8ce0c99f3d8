/**
 * The operations callers can run on an instance, by plugin type. Each names the provider
 * method it needs (the base interfaces in plugins/sdk/plugin.ts), checks its input, calls the
 * provider and returns a plain JSON result (so an idempotent repeat can return it from the
 * database). A plugin that implements its type's interface gets its operations with no
 * server change; the optional methods (`capturePayment`, `listFiles`, `trackEvents`) light up
 * when a plugin has them.
 */
import type {
  AnalyticsProvider,
  AuthenticationProvider,
  IntegrationProvider,
  NotificationProvider,
  PaymentProvider,
  PaymentResult,
  PluginProvider,
  PluginType,
  SearchProvider,
  StorageProvider,
  WorkflowProvider,
} from '../../plugins/sdk/index.ts';
import { InputCheck, toMajorUnits, toMinorUnits } from './input-check.ts';

export interface CallContext {
  instanceId: string;
  /** The caller's idempotency key, scoped to the caller and instance (passed on to vendors that take one). */
  idempotencyKey: string | undefined;
  /** Makes a signed, short-lived download URL for a stored file. */
  signDownload(instanceId: string, key: string): { url: string; expiresAt: string };
}

export interface OperationSpec<I = any, O extends object = any> {
  name: string;
  type: PluginType;
  description: string;
  /** Side-effecting operations take an idempotency key. */
  sideEffect: boolean;
  /** The provider method the operation needs (checked before the call). */
  method: string | undefined;
  validate(input: Record<string, unknown>): I;
  /** Input values to redact from results and errors, beyond the instance's secrets (a password). */
  sensitive?(input: I): string[];
  run(provider: PluginProvider, input: I, context: CallContext): Promise<O>;
}

function operation<I, O extends object>(spec: OperationSpec<I, O>): OperationSpec<I, O> {
  return spec;
}

const TEXT = 4_000;
const MESSAGE = 65_536;
const METADATA_BYTES = 16_384;
const DOCUMENT_BYTES = 1_048_576;
/** Storage keys: relative paths of printable characters, no `..` segment, no leading slash. */
const STORAGE_KEY = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\u0000-\u001f\\]{1,1024}$/;
const KEY_HINT = 'must be a relative path (no leading "/", no ".." segment, no control characters or backslashes)';

// ---------------------------------------------------------------------------------------
// NOTIFICATION

export interface SendNotificationInput {
  recipient: string;
  message: string;
  subject?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export const sendNotification = operation({
  name: 'sendNotification',
  type: 'NOTIFICATION',
  description: 'Sends a message to one recipient; returns the vendor’s message id.',
  sideEffect: true,
  method: 'sendNotification',
  validate(input): SendNotificationInput {
    const check = new InputCheck();
    const recipient = check.string('recipient', input.recipient, { required: true, max: TEXT });
    const message = check.string('message', input.message, { required: true, max: MESSAGE });
    const subject = check.string('subject', input.subject, { max: TEXT });
    const metadata = check.object('metadata', input.metadata, { maxBytes: METADATA_BYTES });
    check.done();
    return { recipient: recipient!, message: message!, subject, metadata };
  },
  async run(provider, input) {
    const result = await (provider as NotificationProvider).sendNotification({
      recipient: input.recipient,
      message: input.message,
      ...(input.subject === undefined ? {} : { subject: input.subject }),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    });
    if (!result.success) throw new Error('the plugin reported that the message was not sent');
    return { messageId: result.messageId ?? null, details: result.details ?? null };
  },
});

// ---------------------------------------------------------------------------------------
// PAYMENT

interface PaymentOutcome {
  paymentId: string;
  status: string;
  amountMinor: number | null;
  currency: string | null;
  details: Record<string, unknown> | null;
}

/** Amounts in minor units, whatever the plugin reports (its details use major units). */
function paymentOutcome(result: PaymentResult, fallbackCurrency?: string): PaymentOutcome {
  const details = result.details ?? {};
  const currency = typeof details.currency === 'string' ? details.currency.toUpperCase() : (fallbackCurrency ?? null);
  const minor =
    typeof details.amountMinor === 'number'
      ? details.amountMinor
      : typeof details.amount === 'number' && currency
        ? toMinorUnits(details.amount, currency)
        : null;
  return { paymentId: result.id, status: result.status, amountMinor: minor, currency, details: result.details ?? null };
}

export interface CreatePaymentInput {
  amountMinor: number;
  currency: string;
  paymentMethod: string;
  metadata?: Record<string, unknown> | undefined;
}

export const createPayment = operation({
  name: 'createPayment',
  type: 'PAYMENT',
  description: 'Creates (and confirms) a payment of `amountMinor` in the currency’s minor unit (1250 = 12.50 EUR).',
  sideEffect: true,
  method: 'processPayment',
  validate(input): CreatePaymentInput {
    const check = new InputCheck();
    const amountMinor = check.integer('amountMinor', input.amountMinor, { required: true, min: 1, max: 99_999_999_999 });
    const currency = check.currency('currency', input.currency, { required: true });
    const paymentMethod = check.string('paymentMethod', input.paymentMethod, { required: true, max: 255 });
    const metadata = check.object('metadata', input.metadata, { maxBytes: METADATA_BYTES });
    check.done();
    return { amountMinor: amountMinor!, currency: currency!, paymentMethod: paymentMethod!, metadata };
  },
  async run(provider, input, context) {
    const result = await (provider as PaymentProvider).processPayment({
      amount: toMajorUnits(input.amountMinor, input.currency),
      currency: input.currency,
      paymentMethod: input.paymentMethod,
      // The caller's key reaches vendors that deduplicate too (Stripe's Idempotency-Key).
      metadata: { ...input.metadata, ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}) },
    });
    return paymentOutcome(result, input.currency);
  },
});

export interface PaymentChangeInput {
  paymentId: string;
  amountMinor?: number | undefined;
  currency?: string | undefined;
}

function validatePaymentChange(input: Record<string, unknown>): PaymentChangeInput {
  const check = new InputCheck();
  const paymentId = check.string('paymentId', input.paymentId, { required: true, max: 255 });
  const amountMinor = check.integer('amountMinor', input.amountMinor, { min: 1, max: 99_999_999_999 });
  const currency = check.currency('currency', input.currency);
  if (amountMinor !== undefined && currency === undefined && !check.errors.some((e) => e.field === 'currency')) {
    check.fail('currency', 'required', 'currency is required with amountMinor (to read the minor unit)');
  }
  check.done();
  return { paymentId: paymentId!, amountMinor, currency };
}

export const capturePayment = operation({
  name: 'capturePayment',
  type: 'PAYMENT',
  description: 'Captures an authorised payment, fully or by `amountMinor`.',
  sideEffect: true,
  method: 'capturePayment',
  validate: validatePaymentChange,
  async run(provider, input) {
    const amount = input.amountMinor === undefined ? undefined : toMajorUnits(input.amountMinor, input.currency!);
    const result = await (provider as Required<PaymentProvider>).capturePayment(input.paymentId, amount);
    return paymentOutcome(result, input.currency);
  },
});

export const refundPayment = operation({
  name: 'refundPayment',
  type: 'PAYMENT',
  description: 'Refunds a payment, fully or by `amountMinor`; returns the refund.',
  sideEffect: true,
  method: 'refund',
  validate: validatePaymentChange,
  async run(provider, input) {
    const amount = input.amountMinor === undefined ? undefined : toMajorUnits(input.amountMinor, input.currency!);
    const result = await (provider as PaymentProvider).refund(input.paymentId, amount);
    const outcome = paymentOutcome(result, input.currency);
    return { refundId: outcome.paymentId, status: outcome.status, amountMinor: outcome.amountMinor, currency: outcome.currency, details: outcome.details };
  },
});

// ---------------------------------------------------------------------------------------
// STORAGE

export interface StoreFileInput {
  key: string;
  content: Uint8Array;
  contentType?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export const storeFile = operation({
  name: 'storeFile',
  type: 'STORAGE',
  description: 'Stores a file under `key` (upload it as a GraphQL multipart request).',
  sideEffect: true,
  method: 'storeFile',
  validate(input): StoreFileInput {
    const check = new InputCheck();
    const key = check.string('key', input.key, { required: true, max: 1024, pattern: STORAGE_KEY, patternHint: KEY_HINT });
    const contentType = check.string('contentType', input.contentType, { max: 255, pattern: /^[\w.+-]+\/[\w.+-]+$/, patternHint: 'must be a media type such as text/plain' });
    const metadata = check.object('metadata', input.metadata, { maxBytes: METADATA_BYTES });
    if (!(input.content instanceof Uint8Array)) check.fail('file', 'required', 'file is required');
    check.done();
    return { key: key!, content: input.content as Uint8Array, contentType, metadata };
  },
  async run(provider, input) {
    const metadata = { ...input.metadata, ...(input.contentType ? { contentType: input.contentType } : {}) };
    const location = await (provider as StorageProvider).storeFile(input.key, input.content, metadata);
    return { key: input.key, size: input.content.byteLength, location };
  },
});

export const createFileDownloadUrl = operation({
  name: 'createFileDownloadUrl',
  type: 'STORAGE',
  description: 'A short-lived signed URL, served by Plugform, that downloads the file without a token.',
  sideEffect: false,
  method: 'retrieveFile',
  validate(input): { key: string } {
    const check = new InputCheck();
    const key = check.string('key', input.key, { required: true, max: 1024, pattern: STORAGE_KEY, patternHint: KEY_HINT });
    check.done();
    return { key: key! };
  },
  async run(_provider, input, context) {
    return { key: input.key, ...context.signDownload(context.instanceId, input.key) };
  },
});

export const listFiles = operation({
  name: 'listFiles',
  type: 'STORAGE',
  description: 'The files whose key starts with `prefix`, in key order.',
  sideEffect: false,
  method: 'listFiles',
  validate(input): { prefix: string; limit: number } {
    const check = new InputCheck();
    const prefix = check.string('prefix', input.prefix, { max: 1024 }) ?? '';
    const limit = check.integer('limit', input.limit, { min: 1, max: 1000 }) ?? 100;
    check.done();
    return { prefix, limit };
  },
  async run(provider, input) {
    const files = await (provider as Required<StorageProvider>).listFiles(input.prefix, { limit: input.limit });
    return { files: files.slice(0, input.limit).map((f) => ({ key: f.key, size: f.size ?? null, lastModified: f.lastModified ?? null })) };
  },
});

export const deleteFile = operation({
  name: 'deleteFile',
  type: 'STORAGE',
  description: 'Deletes the file under `key`; `deleted` is false when there was none.',
  sideEffect: true,
  method: 'deleteFile',
  validate(input): { key: string } {
    const check = new InputCheck();
    const key = check.string('key', input.key, { required: true, max: 1024, pattern: STORAGE_KEY, patternHint: KEY_HINT });
    check.done();
    return { key: key! };
  },
  async run(provider, input) {
    return { key: input.key, deleted: await (provider as StorageProvider).deleteFile(input.key) };
  },
});

// ---------------------------------------------------------------------------------------
// SEARCH

const INDEX_NAME = /^[A-Za-z0-9_-]{1,400}$/;
const INDEX_HINT = 'must be letters, digits, dashes and underscores';

export interface IndexDocumentsInput {
  index: string;
  documents: { id: string; document: Record<string, unknown> }[];
}

export const indexDocuments = operation({
  name: 'indexDocuments',
  type: 'SEARCH',
  description: 'Adds or replaces documents (by id) in an index.',
  sideEffect: true,
  method: 'indexDocument',
  validate(input): IndexDocumentsInput {
    const check = new InputCheck();
    const index = check.string('index', input.index, { required: true, max: 400, pattern: INDEX_NAME, patternHint: INDEX_HINT });
    const raw = input.documents;
    const documents: IndexDocumentsInput['documents'] = [];
    if (!Array.isArray(raw) || raw.length === 0) check.fail('documents', 'required', 'documents must list at least one document');
    else if (raw.length > 100) check.fail('documents', 'maxItems', 'documents must list at most 100 documents per call');
    else {
      raw.forEach((entry: Record<string, unknown>, i) => {
        const id = check.string(`documents[${i}].id`, entry?.id, { required: true, max: 511 });
        const document = check.object(`documents[${i}].document`, entry?.document, { required: true, maxBytes: DOCUMENT_BYTES });
        if (id !== undefined && document !== undefined) documents.push({ id, document });
      });
    }
    check.done();
    return { index: index!, documents };
  },
  async run(provider, input) {
    for (const { id, document } of input.documents) await (provider as SearchProvider).indexDocument(input.index, id, document);
    return { index: input.index, indexed: input.documents.length };
  },
});

export interface SearchDocumentsInput {
  index: string;
  query: string;
  filter?: string | undefined;
  limit: number;
  offset: number;
}

export const searchDocuments = operation({
  name: 'searchDocuments',
  type: 'SEARCH',
  description: 'Searches an index, with an optional filter in the engine’s syntax, `limit` hits from `offset`.',
  sideEffect: false,
  method: 'search',
  validate(input): SearchDocumentsInput {
    const check = new InputCheck();
    const index = check.string('index', input.index, { required: true, max: 400, pattern: INDEX_NAME, patternHint: INDEX_HINT });
    const query = check.string('query', input.query, { max: TEXT }) ?? '';
    const filter = check.string('filter', input.filter, { max: TEXT });
    const limit = check.integer('limit', input.limit, { min: 1, max: 1000 }) ?? 20;
    const offset = check.integer('offset', input.offset, { min: 0, max: 100_000 }) ?? 0;
    check.done();
    return { index: index!, query, filter, limit, offset };
  },
  async run(provider, input) {
    const hits = await (provider as SearchProvider).search(input.index, input.query, {
      limit: input.limit,
      offset: input.offset,
      ...(input.filter === undefined ? {} : { filter: input.filter }),
    });
    return {
      hits: hits.slice(0, input.limit).map((h) => ({ id: h.id, score: h.score ?? null, document: h.document })),
      limit: input.limit,
      offset: input.offset,
    };
  },
});

// ---------------------------------------------------------------------------------------
// AUTHENTICATION

export const verifyCredentials = operation({
  name: 'verifyCredentials',
  type: 'AUTHENTICATION',
  description: 'Checks a username and password; returns the subject and its attributes. The password is never returned or logged.',
  sideEffect: false,
  method: 'authenticate',
  validate(input): { username: string; password: string } {
    const check = new InputCheck();
    const username = check.string('username', input.username, { required: true, max: 512 });
    const password = check.string('password', input.password, { required: true, max: 1024 });
    check.done();
    return { username: username!, password: password! };
  },
  sensitive: (input) => [input.password],
  async run(provider, input) {
    const result = await (provider as AuthenticationProvider).authenticate({ username: input.username, password: input.password });
    return {
      authenticated: result.authenticated,
      subject: result.authenticated ? (result.userId ?? null) : null,
      attributes: result.authenticated ? (result.attributes ?? null) : null,
      message: result.message ?? null,
    };
  },
});

// ---------------------------------------------------------------------------------------
// ANALYTICS

interface EventInput {
  event: string;
  distinctId?: string | undefined;
  properties?: Record<string, unknown> | undefined;
}

function checkEvent(check: InputCheck, prefix: string, raw: Record<string, unknown> | undefined): EventInput | undefined {
  const event = check.string(`${prefix}event`, raw?.event, { required: true, max: 200 });
  const distinctId = check.string(`${prefix}distinctId`, raw?.distinctId, { max: 200 });
  const properties = check.object(`${prefix}properties`, raw?.properties, { maxBytes: METADATA_BYTES });
  return event === undefined ? undefined : { event, distinctId, properties };
}

async function sendEvents(provider: AnalyticsProvider, events: readonly EventInput[]): Promise<void> {
  if (provider.trackEvents) {
    await provider.trackEvents(events.map((e) => ({ event: e.event, ...(e.properties ? { properties: e.properties } : {}), ...(e.distinctId ? { distinctId: e.distinctId } : {}) })));
    return;
  }
  for (const e of events) await provider.trackEvent(e.event, e.properties, e.distinctId);
}

export const captureEvent = operation({
  name: 'captureEvent',
  type: 'ANALYTICS',
  description: 'Records one event.',
  sideEffect: true,
  method: 'trackEvent',
  validate(input): EventInput {
    const check = new InputCheck();
    const event = checkEvent(check, '', input);
    check.done();
    return event!;
  },
  async run(provider, input) {
    await sendEvents(provider as AnalyticsProvider, [input]);
    return { accepted: 1 };
  },
});

export const captureEvents = operation({
  name: 'captureEvents',
  type: 'ANALYTICS',
  description: 'Records up to 1000 events in one call.',
  sideEffect: true,
  method: 'trackEvent',
  validate(input): { events: EventInput[] } {
    const check = new InputCheck();
    const raw = input.events;
    const events: EventInput[] = [];
    if (!Array.isArray(raw) || raw.length === 0) check.fail('events', 'required', 'events must list at least one event');
    else if (raw.length > 1000) check.fail('events', 'maxItems', 'events must list at most 1000 events per call');
    else raw.forEach((e: Record<string, unknown>, i) => {
      const event = checkEvent(check, `events[${i}].`, e);
      if (event) events.push(event);
    });
    check.done();
    return { events };
  },
  async run(provider, input) {
    await sendEvents(provider as AnalyticsProvider, input.events);
    return { accepted: input.events.length };
  },
});

// ---------------------------------------------------------------------------------------
// WORKFLOW and INTEGRATION

export const triggerWorkflow = operation({
  name: 'triggerWorkflow',
  type: 'WORKFLOW',
  description: 'Starts a workflow run; returns its run id.',
  sideEffect: true,
  method: 'executeWorkflow',
  validate(input): { workflowId: string; input: Record<string, unknown> } {
    const check = new InputCheck();
    const workflowId = check.string('workflowId', input.workflowId, { required: true, max: 255 });
    const payload = check.object('input', input.input, { maxBytes: DOCUMENT_BYTES }) ?? {};
    check.done();
    return { workflowId: workflowId!, input: payload };
  },
  async run(provider, input) {
    const run = await (provider as WorkflowProvider).executeWorkflow(input.workflowId, input.input);
    return { runId: run.runId, status: run.status, details: run.details ?? null };
  },
});

export const deliverEvent = operation({
  name: 'deliverEvent',
  type: 'INTEGRATION',
  description: 'Delivers an event (name and payload) to the integration.',
  sideEffect: true,
  method: 'executeAction',
  validate(input): { event: string; payload: Record<string, unknown> } {
    const check = new InputCheck();
    const event = check.string('event', input.event, { required: true, max: 200 });
    const payload = check.object('payload', input.payload, { maxBytes: DOCUMENT_BYTES }) ?? {};
    check.done();
    return { event: event!, payload };
  },
  async run(provider, input) {
    return { result: await (provider as IntegrationProvider).executeAction(input.event, input.payload) };
  },
});

export const OPERATIONS: readonly OperationSpec[] = [
  sendNotification,
  createPayment,
  capturePayment,
  refundPayment,
  storeFile,
  createFileDownloadUrl,
  listFiles,
  deleteFile,
  indexDocuments,
  searchDocuments,
  verifyCredentials,
  captureEvent,
  captureEvents,
  triggerWorkflow,
  deliverEvent,
];

export const OPERATION_NAMES: readonly string[] = OPERATIONS.map((o) => o.name);

export function operationsOfType(type: PluginType): OperationSpec[] {
  return OPERATIONS.filter((o) => o.type === type);
}
