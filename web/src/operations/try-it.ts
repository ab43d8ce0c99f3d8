/**
 * What the "Try it" panel offers per plugin type: for each operation, the inputs it asks for
 * and how it calls the API and reads the answer. The panel itself (TryItPanel.tsx) is
 * generic: it renders these fields, checks what can be checked before the call (required,
 * JSON, whole numbers), and shows the result or the typed error.
 */
import type { AnyVariables, Client, CombinedError, TypedDocumentNode } from '@urql/core';
import type { FieldErrorData } from '../api/outcome.ts';
import { errorMessage } from '../api/outcome.ts';
import type { PluginType } from '../gql/graphql.ts';
import {
  TryCaptureEventMutation,
  TryCreatePaymentMutation,
  TryDeliverEventMutation,
  TryDownloadUrlMutation,
  TryListFilesMutation,
  TrySearchDocumentsMutation,
  TrySendNotificationMutation,
  TryStoreFileMutation,
  TryTriggerWorkflowMutation,
  TryVerifyCredentialsMutation,
} from './documents.ts';

export type TryFieldKind = 'text' | 'textarea' | 'password' | 'json' | 'integer' | 'file';

export interface TryField {
  /** The operation's input name, as the server names it in field errors. */
  name: string;
  label: string;
  kind: TryFieldKind;
  required?: boolean;
  hint?: string;
  initial?: string;
}

/** What the form holds: text per field, a File for file fields. */
export type TryValues = Record<string, string | File | undefined>;

export interface TryTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

/** A successful call as the panel shows it. */
export interface TryResult {
  summary: string;
  facts: { label: string; value: string }[];
  table?: TryTable;
  /** Content read back (a stored file's first bytes). */
  preview?: { label: string; text: string };
  link?: { label: string; href: string };
}

/** A refused or failed call: the error type's message, field errors, and the vendor's status when known. */
export interface TryError {
  typename: string;
  message: string;
  fieldErrors: FieldErrorData[];
  detail?: string;
}

export type TryOutcome = { ok: true; result: TryResult } | { ok: false; error: TryError };

export interface TryContext {
  client: Client;
  instanceId: string;
  /** Reads a signed download link (the browser's fetch; no token needed). */
  fetch: typeof fetch;
}

export interface TryAction {
  operation: string;
  title: string;
  submitLabel: string;
  fields: TryField[];
  run(context: TryContext, values: ParsedValues): Promise<TryOutcome>;
}

/** Values after the panel's checks: text trimmed to undefined when empty, JSON parsed, integers parsed. */
export type ParsedValues = Record<string, any>;

/** Largest preview of a file read back, in characters. */
const PREVIEW_CHARS = 2_000;

interface ErrorMember {
  __typename?: string;
  message?: string;
  fieldErrors?: readonly FieldErrorData[];
  timedOut?: boolean;
  vendorStatus?: number | null;
  vendorCode?: string | null;
}

/** Calls one mutation and splits its result union into data or a TryError. */
async function call<Data, Variables extends AnyVariables, T>(
  context: TryContext,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  pick: (data: Data) => (ErrorMember & { data?: T }) | null | undefined,
): Promise<{ ok: true; data: T } | { ok: false; error: TryError }> {
  const result = await context.client.mutation(document, variables, { requestPolicy: 'network-only' }).toPromise();
  const member = result.data ? pick(result.data) : undefined;
  if (!member || result.error) return { ok: false, error: transportError(result.error) };
  if (member.data !== undefined) return { ok: true, data: member.data };
  return { ok: false, error: typedError(member) };
}

function transportError(error: CombinedError | undefined): TryError {
  return { typename: 'RequestError', message: errorMessage(error), fieldErrors: [] };
}

function typedError(member: ErrorMember): TryError {
  const vendor = [
    member.timedOut ? 'timed out' : undefined,
    member.vendorStatus ? `HTTP ${member.vendorStatus}` : undefined,
    member.vendorCode ? `code ${member.vendorCode}` : undefined,
  ].filter(Boolean);
  return {
    typename: member.__typename ?? 'Error',
    message: member.message ?? 'The call was refused.',
    fieldErrors: [...(member.fieldErrors ?? [])],
    ...(vendor.length > 0 ? { detail: `Vendor: ${vendor.join(' · ')}` } : {}),
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const orDash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '—' : String(value));

/** Runs a call and, when it succeeded, turns its data into what the panel shows. */
async function show<T>(pending: Promise<{ ok: true; data: T } | { ok: false; error: TryError }>, view: (data: T) => TryResult): Promise<TryOutcome> {
  const answer = await pending;
  return answer.ok ? { ok: true, result: view(answer.data) } : answer;
}

const sendNotification: TryAction = {
  operation: 'sendNotification',
  title: 'Send a test notification',
  submitLabel: 'Send notification',
  fields: [
    { name: 'recipient', label: 'Recipient', kind: 'text', required: true, hint: 'In the vendor’s terms: a phone number, a channel, an email address.' },
    { name: 'subject', label: 'Subject', kind: 'text' },
    { name: 'message', label: 'Message', kind: 'textarea', required: true, initial: 'Test message from Plugform' },
  ],
  run: (context, v) =>
    show(
      call(context, TrySendNotificationMutation, { instanceId: context.instanceId, input: { recipient: v.recipient, message: v.message, subject: v.subject } }, (d) => d.sendNotification),
      (data) => ({ summary: 'Notification sent.', facts: [{ label: 'Message id', value: orDash(data.messageId) }] }),
    ),
};

const storeFile: TryAction = {
  operation: 'storeFile',
  title: 'Store a file and read it back',
  submitLabel: 'Upload and read back',
  fields: [
    { name: 'key', label: 'Key', kind: 'text', required: true, initial: 'try-it/hello.txt', hint: 'A relative path, e.g. reports/today.txt.' },
    { name: 'file', label: 'File', kind: 'file', required: true, hint: 'A small file; its first characters are shown after reading it back.' },
  ],
  async run(context, v) {
    const stored = await call(context, TryStoreFileMutation, { instanceId: context.instanceId, key: v.key, file: v.file }, (d) => d.storeFile);
    if (!stored.ok) return stored;
    const link = await call(context, TryDownloadUrlMutation, { instanceId: context.instanceId, key: stored.data.key }, (d) => d.createFileDownloadUrl);
    if (!link.ok) return link;
    const facts = [
      { label: 'Key', value: stored.data.key },
      { label: 'Size', value: `${stored.data.size} bytes` },
      { label: 'Location', value: stored.data.location },
    ];
    const download = { label: 'Download (signed link)', href: link.data.url };
    const response = await context.fetch(link.data.url).catch(() => undefined);
    if (!response?.ok) {
      return { ok: true, result: { summary: `Stored, but reading it back failed${response ? ` (HTTP ${response.status})` : ''}.`, facts, link: download } };
    }
    const text = await response.text();
    const preview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
    return { ok: true, result: { summary: 'Stored and read back through the signed download link.', facts, link: download, preview: { label: 'Content read back', text: preview } } };
  },
};

const listFiles: TryAction = {
  operation: 'listFiles',
  title: 'List files',
  submitLabel: 'List files',
  fields: [{ name: 'prefix', label: 'Prefix', kind: 'text', hint: 'Only keys that start with it; empty for all (at most 50).' }],
  run: (context, v) =>
    show(call(context, TryListFilesMutation, { instanceId: context.instanceId, prefix: v.prefix }, (d) => d.listFiles), (data) => ({
      summary: data.files.length === 0 ? 'No file matches.' : `${data.files.length} file(s).`,
      facts: [],
      table: { caption: 'Files', columns: ['Key', 'Size'], rows: data.files.map((f) => [f.key, f.size === null || f.size === undefined ? '—' : `${f.size} bytes`]) },
    })),
};

const searchDocuments: TryAction = {
  operation: 'searchDocuments',
  title: 'Search',
  submitLabel: 'Search',
  fields: [
    { name: 'index', label: 'Index', kind: 'text', required: true },
    { name: 'query', label: 'Query', kind: 'text', hint: 'Full text; empty matches every document.' },
    { name: 'filter', label: 'Filter', kind: 'text', hint: 'In the engine’s syntax (Meilisearch: genre = "jazz").' },
  ],
  run: (context, v) =>
    show(
      call(context, TrySearchDocumentsMutation, { instanceId: context.instanceId, input: { index: v.index, query: v.query, filter: v.filter, limit: 20 } }, (d) => d.searchDocuments),
      (data) => ({
        summary: data.hits.length === 0 ? 'No hit.' : `${data.hits.length} hit(s).`,
        facts: [],
        table: { caption: 'Hits', columns: ['Id', 'Score', 'Document'], rows: data.hits.map((h) => [h.id, orDash(h.score), JSON.stringify(h.document)]) },
      }),
    ),
};

const verifyCredentials: TryAction = {
  operation: 'verifyCredentials',
  title: 'Check credentials',
  submitLabel: 'Authenticate',
  fields: [
    { name: 'username', label: 'Username', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'password', required: true, hint: 'Sent once, never shown or recorded.' },
  ],
  run: (context, v) =>
    show(
      call(context, TryVerifyCredentialsMutation, { instanceId: context.instanceId, input: { username: v.username, password: v.password } }, (d) => d.verifyCredentials),
      (data) => ({
        summary: data.authenticated ? 'Authenticated.' : 'Not authenticated.',
        facts: [
          { label: 'Subject', value: orDash(data.subject) },
          { label: 'Message', value: orDash(data.message) },
        ],
      }),
    ),
};

const captureEvent: TryAction = {
  operation: 'captureEvent',
  title: 'Capture an event',
  submitLabel: 'Capture event',
  fields: [
    { name: 'event', label: 'Event', kind: 'text', required: true, initial: 'plugform_try_it' },
    { name: 'distinctId', label: 'Distinct id', kind: 'text', hint: 'Who did it; empty: the instance’s default.' },
    { name: 'properties', label: 'Properties (JSON object)', kind: 'json' },
  ],
  run: (context, v) =>
    show(
      call(context, TryCaptureEventMutation, { instanceId: context.instanceId, input: { event: v.event, distinctId: v.distinctId, properties: v.properties } }, (d) => d.captureEvent),
      (data) => ({ summary: 'Event captured.', facts: [{ label: 'Accepted', value: String(data.accepted) }] }),
    ),
};

const triggerWorkflow: TryAction = {
  operation: 'triggerWorkflow',
  title: 'Trigger a workflow',
  submitLabel: 'Trigger workflow',
  fields: [
    { name: 'workflowId', label: 'Workflow id', kind: 'text', required: true },
    { name: 'input', label: 'Input (JSON object)', kind: 'json' },
  ],
  run: (context, v) =>
    show(
      call(context, TryTriggerWorkflowMutation, { instanceId: context.instanceId, workflowId: v.workflowId, input: v.input }, (d) => d.triggerWorkflow),
      (data) => ({
        summary: 'Workflow triggered.',
        facts: [
          { label: 'Run id', value: data.runId },
          { label: 'Status', value: data.status },
        ],
      }),
    ),
};

const deliverEvent: TryAction = {
  operation: 'deliverEvent',
  title: 'Deliver an event',
  submitLabel: 'Deliver event',
  fields: [
    { name: 'event', label: 'Event', kind: 'text', required: true, initial: 'plugform.try_it' },
    { name: 'payload', label: 'Payload (JSON object)', kind: 'json' },
  ],
  run: (context, v) =>
    show(
      call(context, TryDeliverEventMutation, { instanceId: context.instanceId, event: v.event, payload: v.payload }, (d) => d.deliverEvent),
      (data) => ({ summary: 'Event delivered.', facts: [], preview: { label: 'Result', text: json(data.result) } }),
    ),
};

const createPayment: TryAction = {
  operation: 'createPayment',
  title: 'Create a payment',
  submitLabel: 'Create payment',
  fields: [
    { name: 'amountMinor', label: 'Amount (minor units)', kind: 'integer', required: true, hint: '1250 is 12.50 EUR.' },
    { name: 'currency', label: 'Currency', kind: 'text', required: true, initial: 'EUR', hint: 'ISO 4217 code.' },
    { name: 'paymentMethod', label: 'Payment method', kind: 'text', required: true, hint: 'The vendor’s reference (Stripe: pm_card_visa).' },
  ],
  run: (context, v) =>
    show(
      call(context, TryCreatePaymentMutation, { instanceId: context.instanceId, input: { amountMinor: v.amountMinor, currency: v.currency, paymentMethod: v.paymentMethod } }, (d) => d.createPayment),
      (data) => ({
        summary: 'Payment created.',
        facts: [
          { label: 'Payment id', value: data.paymentId },
          { label: 'Status', value: data.status },
          { label: 'Amount', value: `${orDash(data.amountMinor)} ${data.currency ?? ''}`.trim() },
        ],
      }),
    ),
};

const ACTIONS_BY_TYPE: Record<PluginType, TryAction[]> = {
  NOTIFICATION: [sendNotification],
  STORAGE: [storeFile, listFiles],
  SEARCH: [searchDocuments],
  AUTHENTICATION: [verifyCredentials],
  ANALYTICS: [captureEvent],
  WORKFLOW: [triggerWorkflow],
  INTEGRATION: [deliverEvent],
  PAYMENT: [createPayment],
};

/** The actions for a plugin type, limited to the operations the instance offers (optional ones such as listFiles may be missing). */
export function tryActionsFor(type: PluginType, operations: readonly string[]): TryAction[] {
  return ACTIONS_BY_TYPE[type].filter((action) => operations.includes(action.operation));
}

/**
 * Checks the form before the call: required fields, JSON objects, whole numbers. Messages
 * name the field, never its value. Returns the parsed values or the field errors.
 */
export function parseTryValues(fields: readonly TryField[], values: TryValues): { ok: true; values: ParsedValues } | { ok: false; fieldErrors: FieldErrorData[] } {
  const parsed: ParsedValues = {};
  const fieldErrors: FieldErrorData[] = [];
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === 'file') {
      if (raw instanceof Blob) parsed[field.name] = raw;
      else if (field.required) fieldErrors.push({ field: field.name, message: `${field.label} is required: choose a file`, rule: 'required' });
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    // Passwords are sent exactly as typed; other text is trimmed.
    const value = field.kind === 'password' ? text : text.trim();
    if (value === '') {
      if (field.required) fieldErrors.push({ field: field.name, message: `${field.label} is required`, rule: 'required' });
      continue;
    }
    if (field.kind === 'json') {
      let object: unknown;
      try {
        object = JSON.parse(value);
      } catch {
        fieldErrors.push({ field: field.name, message: `${field.label} must be valid JSON`, rule: 'type' });
        continue;
      }
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        fieldErrors.push({ field: field.name, message: `${field.label} must be a JSON object ({ … })`, rule: 'type' });
        continue;
      }
      parsed[field.name] = object;
    } else if (field.kind === 'integer') {
      if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        fieldErrors.push({ field: field.name, message: `${field.label} must be a whole number`, rule: 'type' });
        continue;
      }
      parsed[field.name] = Number(value);
    } else parsed[field.name] = value;
  }
  return fieldErrors.length > 0 ? { ok: false, fieldErrors } : { ok: true, values: parsed };
}
