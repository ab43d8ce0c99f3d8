/**
 * The operations of instances, one mutation each, typed per plugin type. Resolvers only map:
 * the operation service (server/operations/) checks scopes and input, calls the provider and
 * records the call. Each result is a union of the success type and the errors a caller must
 * react to (Pothos errors plugin).
 */
import { createGraphQLError } from 'graphql-yoga';
import { NotFoundError, PluginUnavailableError, ValidationError } from '../instances/errors.ts';
import * as ops from '../operations/catalog.ts';
import type { OperationSpec } from '../operations/catalog.ts';
import {
  IdempotencyConflictError,
  InstanceUnavailableError,
  OperationFailedError,
  OperationForbiddenError,
  OperationNotSupportedError,
} from '../operations/errors.ts';
import type { OperationStats } from '../operations/operation-service.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { ErrorInterface } from './errors.ts';

/** Largest file `storeFile` accepts in one upload. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

builder.scalarType('File', {
  description: 'A file sent as part of a GraphQL multipart request (the multipart request specification). Input only.',
  serialize: () => {
    throw createGraphQLError('File is input-only');
  },
  // Yoga hands over its own (WHATWG-compatible) File class, which is not the global one.
  parseValue: (value) => {
    const file = value as Partial<File> | null;
    if (typeof file?.arrayBuffer !== 'function' || typeof file.size !== 'number') {
      throw createGraphQLError('File must be sent as a part of a multipart request');
    }
    return value as File;
  },
});

// ---------------------------------------------------------------------------------------
// Errors

builder.objectType(InstanceUnavailableError, {
  name: 'InstanceUnavailableError',
  description: 'The instance is disabled or failed to start; enable or fix it first.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ instanceId: t.exposeID('instanceId'), status: t.exposeString('status') }),
});

builder.objectType(OperationNotSupportedError, {
  name: 'OperationNotSupportedError',
  description: "The instance's plugin is of another type, or does not implement this (optional) operation.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ operation: t.exposeString('operation'), pluginName: t.exposeString('pluginName') }),
});

builder.objectType(OperationForbiddenError, {
  name: 'OperationForbiddenError',
  description: "Your token's scopes do not include this operation on this instance.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ operation: t.exposeString('operation'), instanceId: t.exposeID('instanceId') }),
});

builder.objectType(OperationFailedError, {
  name: 'OperationFailedError',
  description: 'The plugin or its vendor failed the call (the message is redacted of secrets). Retrying with the same idempotency key is safe.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    operation: t.exposeString('operation'),
    pluginName: t.exposeString('pluginName'),
    timedOut: t.boolean({ resolve: (e) => e.reason === 'timeout' }),
    vendorStatus: t.exposeInt('vendorStatus', { nullable: true, description: 'The HTTP status the vendor answered, when known.' }),
    vendorCode: t.exposeString('vendorCode', { nullable: true, description: "The vendor's error code, when known." }),
  }),
});

builder.objectType(IdempotencyConflictError, {
  name: 'IdempotencyConflictError',
  description: 'The idempotency key was used for another request, or its first call is still running.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ inProgress: t.exposeBoolean('inProgress') }),
});

export const OPERATION_ERRORS = [
  ValidationError,
  NotFoundError,
  PluginUnavailableError,
  InstanceUnavailableError,
  OperationNotSupportedError,
  OperationForbiddenError,
  OperationFailedError,
  IdempotencyConflictError,
];

const IDEMPOTENCY_KEY_DESCRIPTION =
  'Makes retries safe: a repeat with the same key (per token, instance and operation) within 24 hours returns the first result without calling the vendor again.';

function invoke<O extends object>(context: GraphQLContext, spec: OperationSpec<unknown, O>, instanceId: string | number, input: object, idempotencyKey?: string | null) {
  return context.operations.invoke(spec, String(instanceId), withoutNulls(input), context.principal, {
    idempotencyKey,
    baseUrl: context.publicUrl ?? context.requestOrigin,
  });
}

/** GraphQL gives omitted optional input fields as null or undefined; the checks treat both as absent. */
function withoutNulls(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
}

// ---------------------------------------------------------------------------------------
// NOTIFICATION

const SendNotificationInput = builder.inputType('SendNotificationInput', {
  fields: (t) => ({
    recipient: t.string({ required: true, description: 'Who gets it, in the vendor’s terms: a phone number, a channel, an email address.' }),
    message: t.string({ required: true }),
    subject: t.string(),
    metadata: t.field({ type: 'JSONObject', description: 'Plugin-specific options (a WhatsApp template, Slack blocks …).' }),
  }),
});

const NotificationSentRef = builder.objectRef<{ messageId: string | null; details: Record<string, unknown> | null }>('NotificationSent').implement({
  fields: (t) => ({
    messageId: t.exposeString('messageId', { nullable: true, description: "The vendor's id of the message." }),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (r) => r.details }),
  }),
});

// ---------------------------------------------------------------------------------------
// PAYMENT

interface PaymentView {
  paymentId: string;
  status: string;
  amountMinor: number | null;
  currency: string | null;
  details: Record<string, unknown> | null;
}

const PaymentRef = builder.objectRef<PaymentView>('Payment').implement({
  fields: (t) => ({
    paymentId: t.exposeString('paymentId'),
    status: t.exposeString('status', { description: "The vendor's status (succeeded, requires_capture, processing …)." }),
    amountMinor: t.float({ nullable: true, description: 'In the currency’s minor unit (cents).', resolve: (p) => p.amountMinor }),
    currency: t.exposeString('currency', { nullable: true }),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (p) => p.details }),
  }),
});

const RefundRef = builder.objectRef<Omit<PaymentView, 'paymentId'> & { refundId: string }>('Refund').implement({
  fields: (t) => ({
    refundId: t.exposeString('refundId'),
    status: t.exposeString('status'),
    amountMinor: t.float({ nullable: true, resolve: (p) => p.amountMinor }),
    currency: t.exposeString('currency', { nullable: true }),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (p) => p.details }),
  }),
});

const CreatePaymentInput = builder.inputType('CreatePaymentInput', {
  fields: (t) => ({
    amountMinor: t.float({ required: true, description: 'A whole number in the currency’s minor unit: 1250 is 12.50 EUR, 500 is 500 JPY.' }),
    currency: t.string({ required: true, description: 'ISO 4217 code (EUR, USD …).' }),
    paymentMethod: t.string({ required: true, description: 'The vendor’s payment method reference (Stripe: pm_…).' }),
    metadata: t.field({ type: 'JSONObject' }),
  }),
});

const PaymentChangeInput = builder.inputType('PaymentChangeInput', {
  fields: (t) => ({
    paymentId: t.string({ required: true }),
    amountMinor: t.float({ description: 'Part of the amount, in minor units; omit for all of it.' }),
    currency: t.string({ description: 'Required with amountMinor.' }),
  }),
});

// ---------------------------------------------------------------------------------------
// STORAGE

const StoredFileRef = builder.objectRef<{ key: string; size: number; location: string }>('StoredFile').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    size: t.exposeInt('size'),
    location: t.exposeString('location', { description: 'Where the plugin put it (a path, an s3:// URL).' }),
  }),
});

const DownloadUrlRef = builder.objectRef<{ key: string; url: string; expiresAt: string }>('FileDownloadUrl').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    url: t.exposeString('url', { description: 'GET it, without a token, until expiresAt.' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
  }),
});

const FileEntryRef = builder.objectRef<{ key: string; size: number | null; lastModified: string | null }>('FileEntry').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    size: t.exposeInt('size', { nullable: true }),
    lastModified: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.lastModified }),
  }),
});

const FileListRef = builder.objectRef<{ files: { key: string; size: number | null; lastModified: string | null }[] }>('FileList').implement({
  fields: (t) => ({ files: t.field({ type: [FileEntryRef], resolve: (l) => l.files }) }),
});

const DeletedFileRef = builder.objectRef<{ key: string; deleted: boolean }>('DeletedFile').implement({
  fields: (t) => ({ key: t.exposeString('key'), deleted: t.exposeBoolean('deleted', { description: 'False when there was no such file.' }) }),
});

// ---------------------------------------------------------------------------------------
// SEARCH

const SearchDocumentInput = builder.inputType('SearchDocumentInput', {
  fields: (t) => ({ id: t.string({ required: true }), document: t.field({ type: 'JSONObject', required: true }) }),
});

const IndexedRef = builder.objectRef<{ index: string; indexed: number }>('DocumentsIndexed').implement({
  fields: (t) => ({ index: t.exposeString('index'), indexed: t.exposeInt('indexed') }),
});

const SearchHitRef = builder.objectRef<{ id: string; score: number | null; document: Record<string, unknown> }>('SearchHit').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    score: t.exposeFloat('score', { nullable: true }),
    document: t.field({ type: 'JSONObject', resolve: (h) => h.document }),
  }),
});

const SearchResultRef = builder.objectRef<{ hits: { id: string; score: number | null; document: Record<string, unknown> }[]; limit: number; offset: number }>('SearchResult').implement({
  fields: (t) => ({ hits: t.field({ type: [SearchHitRef], resolve: (r) => r.hits }), limit: t.exposeInt('limit'), offset: t.exposeInt('offset') }),
});

const SearchInput = builder.inputType('SearchDocumentsInput', {
  fields: (t) => ({
    index: t.string({ required: true }),
    query: t.string({ description: 'Full-text query (empty: every document).' }),
    filter: t.string({ description: 'A filter in the engine’s syntax (Meilisearch: genre = "jazz" AND year > 2000).' }),
    limit: t.int({ description: 'Hits per page, 1–1000 (default 20).' }),
    offset: t.int({ description: 'Hits to skip (default 0).' }),
  }),
});

// ---------------------------------------------------------------------------------------
// AUTHENTICATION, ANALYTICS, WORKFLOW, INTEGRATION

const CredentialsInput = builder.inputType('CredentialsInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    password: t.field({ type: 'SecretValue', required: true, description: 'Write-only: never returned, logged or recorded.' }),
  }),
});

const VerificationRef = builder.objectRef<{ authenticated: boolean; subject: string | null; attributes: Record<string, unknown> | null; message: string | null }>('CredentialVerification').implement({
  fields: (t) => ({
    authenticated: t.exposeBoolean('authenticated'),
    subject: t.exposeString('subject', { nullable: true, description: 'Who they are (an LDAP DN …), when authenticated.' }),
    attributes: t.field({ type: 'JSONObject', nullable: true, resolve: (v) => v.attributes }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

const AnalyticsEventInput = builder.inputType('AnalyticsEventInput', {
  fields: (t) => ({
    event: t.string({ required: true }),
    distinctId: t.string({ description: 'Who did it; default: the instance’s configured default.' }),
    properties: t.field({ type: 'JSONObject' }),
  }),
});

const EventsAcceptedRef = builder.objectRef<{ accepted: number }>('EventsAccepted').implement({
  fields: (t) => ({ accepted: t.exposeInt('accepted') }),
});

const WorkflowRunRef = builder.objectRef<{ runId: string; status: string; details: Record<string, unknown> | null }>('WorkflowRun').implement({
  fields: (t) => ({
    runId: t.exposeString('runId'),
    status: t.exposeString('status'),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (r) => r.details }),
  }),
});

const DeliveryRef = builder.objectRef<{ result: Record<string, unknown> }>('EventDelivery').implement({
  fields: (t) => ({ result: t.field({ type: 'JSONObject', resolve: (r) => r.result }) }),
});

// ---------------------------------------------------------------------------------------
// The mutations

builder.mutationFields((t) => {
  const instanceId = () => t.arg.id({ required: true, description: 'The instance to use.' });
  const idempotencyKey = () => t.arg.string({ description: IDEMPOTENCY_KEY_DESCRIPTION });
  const common = { authScopes: { invoke: true }, errors: { types: OPERATION_ERRORS } } as const;
  return {
    sendNotification: t.field({
      ...common,
      type: NotificationSentRef,
      description: ops.sendNotification.description,
      args: { instanceId: instanceId(), input: t.arg({ type: SendNotificationInput, required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.sendNotification, args.instanceId, args.input, args.idempotencyKey),
    }),
    createPayment: t.field({
      ...common,
      type: PaymentRef,
      description: ops.createPayment.description,
      args: { instanceId: instanceId(), input: t.arg({ type: CreatePaymentInput, required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.createPayment, args.instanceId, args.input, args.idempotencyKey),
    }),
    capturePayment: t.field({
      ...common,
      type: PaymentRef,
      description: ops.capturePayment.description,
      args: { instanceId: instanceId(), input: t.arg({ type: PaymentChangeInput, required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.capturePayment, args.instanceId, args.input, args.idempotencyKey),
    }),
    refundPayment: t.field({
      ...common,
      type: RefundRef,
      description: ops.refundPayment.description,
      args: { instanceId: instanceId(), input: t.arg({ type: PaymentChangeInput, required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.refundPayment, args.instanceId, args.input, args.idempotencyKey),
    }),
    storeFile: t.field({
      ...common,
      type: StoredFileRef,
      description: `${ops.storeFile.description} At most ${MAX_UPLOAD_BYTES} bytes.`,
      args: {
        instanceId: instanceId(),
        key: t.arg.string({ required: true }),
        file: t.arg({ type: 'File', required: true }),
        contentType: t.arg.string({ description: 'Default: the uploaded part’s type.' }),
        metadata: t.arg({ type: 'JSONObject' }),
        idempotencyKey: idempotencyKey(),
      },
      resolve: async (_root, args, context) => {
        if (args.file.size > MAX_UPLOAD_BYTES) {
          throw new ValidationError([{ field: 'file', rule: 'maxSize', message: `file must be at most ${MAX_UPLOAD_BYTES} bytes` }]);
        }
        const content = new Uint8Array(await args.file.arrayBuffer());
        const contentType = args.contentType ?? (args.file.type ? args.file.type.split(';')[0] : undefined);
        return invoke(context, ops.storeFile, args.instanceId, { key: args.key, content, contentType, metadata: args.metadata }, args.idempotencyKey);
      },
    }),
    createFileDownloadUrl: t.field({
      ...common,
      type: DownloadUrlRef,
      description: ops.createFileDownloadUrl.description,
      args: { instanceId: instanceId(), key: t.arg.string({ required: true }) },
      resolve: (_root, args, context) => invoke(context, ops.createFileDownloadUrl, args.instanceId, { key: args.key }),
    }),
    listFiles: t.field({
      ...common,
      type: FileListRef,
      description: ops.listFiles.description,
      args: { instanceId: instanceId(), prefix: t.arg.string(), limit: t.arg.int({ description: '1–1000 (default 100).' }) },
      resolve: (_root, args, context) => invoke(context, ops.listFiles, args.instanceId, { prefix: args.prefix, limit: args.limit }),
    }),
    deleteFile: t.field({
      ...common,
      type: DeletedFileRef,
      description: ops.deleteFile.description,
      args: { instanceId: instanceId(), key: t.arg.string({ required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.deleteFile, args.instanceId, { key: args.key }, args.idempotencyKey),
    }),
    indexDocuments: t.field({
      ...common,
      type: IndexedRef,
      description: ops.indexDocuments.description,
      args: {
        instanceId: instanceId(),
        index: t.arg.string({ required: true }),
        documents: t.arg({ type: [SearchDocumentInput], required: true }),
        idempotencyKey: idempotencyKey(),
      },
      resolve: (_root, args, context) => invoke(context, ops.indexDocuments, args.instanceId, { index: args.index, documents: args.documents }, args.idempotencyKey),
    }),
    searchDocuments: t.field({
      ...common,
      type: SearchResultRef,
      description: ops.searchDocuments.description,
      args: { instanceId: instanceId(), input: t.arg({ type: SearchInput, required: true }) },
      resolve: (_root, args, context) => invoke(context, ops.searchDocuments, args.instanceId, args.input),
    }),
    verifyCredentials: t.field({
      ...common,
      type: VerificationRef,
      description: ops.verifyCredentials.description,
      args: { instanceId: instanceId(), input: t.arg({ type: CredentialsInput, required: true }) },
      resolve: (_root, args, context) => invoke(context, ops.verifyCredentials, args.instanceId, args.input),
    }),
    captureEvent: t.field({
      ...common,
      type: EventsAcceptedRef,
      description: ops.captureEvent.description,
      args: { instanceId: instanceId(), input: t.arg({ type: AnalyticsEventInput, required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.captureEvent, args.instanceId, args.input, args.idempotencyKey),
    }),
    captureEvents: t.field({
      ...common,
      type: EventsAcceptedRef,
      description: ops.captureEvents.description,
      args: { instanceId: instanceId(), events: t.arg({ type: [AnalyticsEventInput], required: true }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) =>
        invoke(context, ops.captureEvents, args.instanceId, { events: args.events.map((e) => withoutNulls(e)) }, args.idempotencyKey),
    }),
    triggerWorkflow: t.field({
      ...common,
      type: WorkflowRunRef,
      description: ops.triggerWorkflow.description,
      args: { instanceId: instanceId(), workflowId: t.arg.string({ required: true }), input: t.arg({ type: 'JSONObject' }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.triggerWorkflow, args.instanceId, { workflowId: args.workflowId, input: args.input }, args.idempotencyKey),
    }),
    deliverEvent: t.field({
      ...common,
      type: DeliveryRef,
      description: ops.deliverEvent.description,
      args: { instanceId: instanceId(), event: t.arg.string({ required: true }), payload: t.arg({ type: 'JSONObject' }), idempotencyKey: idempotencyKey() },
      resolve: (_root, args, context) => invoke(context, ops.deliverEvent, args.instanceId, { event: args.event, payload: args.payload }, args.idempotencyKey),
    }),
  };
});

// ---------------------------------------------------------------------------------------
// The call log and its statistics, on the instance

const OperationCallRef = builder.prismaObject('OperationCall', {
  description: 'One recorded call of an operation: who, what, how long, how it ended. Never the payload.',
  fields: (t) => ({
    id: t.exposeID('id'),
    operation: t.exposeString('operation'),
    caller: t.exposeString('caller'),
    outcome: t.exposeString('outcome', { description: 'success, error (plugin or vendor failed), rejected (refused before the call) or replayed (idempotent repeat).' }),
    errorType: t.exposeString('errorType', { nullable: true }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    vendorStatus: t.exposeInt('vendorStatus', { nullable: true }),
    timedOut: t.exposeBoolean('timedOut', { description: 'The call ran out of PLUGFORM_OPERATION_TIMEOUT_MS (its outcome is error).' }),
    durationMs: t.exposeInt('durationMs'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const HourlyCallsRef = builder.objectRef<{ hour: Date; calls: number; errors: number }>('HourlyOperationCalls').implement({
  fields: (t) => ({ hour: t.field({ type: 'DateTime', resolve: (h) => h.hour }), calls: t.exposeInt('calls'), errors: t.exposeInt('errors') }),
});

const OperationStatsRef = builder.objectRef<OperationStats>('OperationStats').implement({
  description: 'Operation calls of an instance over a recent window.',
  fields: (t) => ({
    windowHours: t.exposeInt('windowHours'),
    calls: t.exposeInt('calls'),
    errors: t.exposeInt('errors'),
    errorRate: t.exposeFloat('errorRate', { description: 'Errors among the calls that reached the plugin (0–1).' }),
    p95LatencyMs: t.exposeInt('p95LatencyMs', { nullable: true }),
    perHour: t.field({ type: [HourlyCallsRef], resolve: (s) => s.perHour }),
    lastFailures: t.field({ type: [OperationCallRef], description: 'The latest errors and refusals, newest first.', resolve: (s) => s.lastFailures }),
  }),
});

builder.prismaObjectFields('PluginInstance', (t) => ({
  operations: t.stringList({
    description: 'The operations callers can run on this instance (by its plugin type).',
    resolve: (instance, _args, context) => {
      const type = context.registry.get(instance.pluginName)?.schema.type;
      return type ? ops.operationsOfType(type).map((o) => o.name) : [];
    },
  }),
  operationStats: t.field({
    type: OperationStatsRef,
    args: { hours: t.arg.int({ defaultValue: 24, description: 'The window, 1–720 hours.' }) },
    resolve: (instance, args, context) => context.operations.stats(instance.id, Math.min(Math.max(args.hours ?? 24, 1), 720)),
  }),
  operationCalls: t.prismaField({
    type: ['OperationCall'],
    args: { last: t.arg.int({ defaultValue: 20, description: 'How many of the latest calls (at most 100).' }) },
    resolve: (query, instance, args, context) =>
      context.prisma.operationCall.findMany({ ...query, where: { instanceId: instance.id }, orderBy: { at: 'desc' }, take: Math.min(Math.max(args.last ?? 20, 1), 100) }),
  }),
}));
