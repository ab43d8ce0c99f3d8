/**
 * What a plugin is: its schema (`PluginConfig`), the provider it creates for each instance,
 * and the base interface of each plugin type. Plugin authors call `definePlugin`, which types
 * the configuration their provider receives from the fields they declare.
 */
import type { Socket, TcpNetConnectOpts } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { ArrayItemType, FieldSpec, FieldType } from './fields.ts';

export const PluginType = {
  NOTIFICATION: 'NOTIFICATION',
  PAYMENT: 'PAYMENT',
  STORAGE: 'STORAGE',
  SEARCH: 'SEARCH',
  AUTHENTICATION: 'AUTHENTICATION',
  INTEGRATION: 'INTEGRATION',
  ANALYTICS: 'ANALYTICS',
  WORKFLOW: 'WORKFLOW',
} as const;
export type PluginType = (typeof PluginType)[keyof typeof PluginType];
export const PLUGIN_TYPES: readonly PluginType[] = Object.values(PluginType);

/** The schema a plugin declares about itself. */
export interface PluginConfig {
  /** Stable identifier: lowercase letters, digits and dashes (`whatsapp-business`). */
  name: string;
  /** Human name for the console (`WhatsApp Business`); defaults to `name`. */
  displayName?: string;
  type: PluginType;
  /** Semantic version of the plugin (`1.2.0`). */
  version: string;
  description?: string;
  author?: string;
  homepage?: string;
  fields: readonly FieldSpec[];
  /** Group names in display order; groups not listed follow in order of first appearance. */
  groups?: readonly string[];
  dependencies?: readonly string[];
  tags?: readonly string[];
  supportsHealthCheck?: boolean;
  supportsTestConnection?: boolean;
  /** Upper bound for a connection test in milliseconds (the platform's default is 15 000). */
  testTimeoutMs?: number;
  /** Health check interval for this plugin in milliseconds, overriding the platform's. */
  healthIntervalMs?: number;
  /**
   * The version of this plugin's configuration (default 1). Raise it when a release renames a
   * field or changes its type, and add the step that converts stored configurations.
   */
  configVersion?: number;
  /** One step per version: `{ from: 1, to: 2, migrate }`, … up to `configVersion`. */
  migrations?: readonly ConfigMigration[];
}

/**
 * One step of a plugin's configuration migrations. `migrate` is a pure function of the
 * stored non-secret configuration at version `from`: it returns the configuration at `to`
 * (it may throw to refuse one it cannot convert). Secrets stay in the secret store under their
 * keys and are not passed to it. The result is validated against the new schema.
 */
export interface ConfigMigration {
  from: number;
  to: number;
  migrate(config: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

export const HealthStatus = {
  HEALTHY: 'healthy',
  DEGRADED: 'degraded',
  UNHEALTHY: 'unhealthy',
  UNKNOWN: 'unknown',
} as const;
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/** What a provider's `healthCheck()` returns; the platform adds instance id, timestamp and timing. */
export interface HealthReport {
  status: HealthStatus;
  message: string;
  details?: Record<string, unknown>;
}

/** What a provider's `testConnection()` returns; the platform adds timestamp and timing. */
export interface TestReport {
  success: boolean;
  message: string;
  details?: Record<string, unknown>;
}

/** A health check result as the platform records it. */
export interface PluginHealthCheck extends HealthReport {
  pluginInstanceId: string;
  timestamp: string;
  responseTimeMs: number;
}

/** A connection test result as the platform returns it. */
export interface PluginTestResult extends TestReport {
  timestamp: string;
  responseTimeMs: number;
}

/** `fetch` with a per-call timeout; the platform's client also enforces its egress policy. */
export type HttpFetch = (
  input: string | URL,
  init?: RequestInit & { timeoutMs?: number },
) => Promise<Response>;

export interface PluginLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** See `PluginContext.egress`. */
export interface EgressAccess {
  check(host: string, port?: number): Promise<void>;
  connect(options: TcpNetConnectOpts): Socket;
  connectTls(options: ConnectionOptions): TLSSocket;
}

/**
 * What the platform hands a provider when it creates one. Plugins reach the outside only
 * through `http` so that every outbound call has a timeout and obeys the egress policy.
 */
export interface PluginContext {
  /** The instance this provider serves; `undefined` for a throwaway provider in a connection test. */
  instanceId?: string;
  http: { fetch: HttpFetch };
  /**
   * The platform's egress gate, for clients that do not speak HTTP (SMTP, LDAP, database
   * drivers) or bring their own HTTP stack (the AWS SDK): open every socket with `connect`
   * or `connectTls` (hand them to the client as its socket factory), never with `node:net`
   * directly. The gate checks the address actually connected; a refused one errors the
   * socket with an `EgressBlockedError` before any byte is sent. `check` resolves and checks
   * a host without connecting, for a clear message before a client is built; it is not the
   * enforcement.
   */
  egress: EgressAccess;
  /**
   * Directories of the server's disk the operator lets plugins store files in
   * (`PLUGFORM_LOCAL_STORAGE_ROOTS`, absolute, resolved). A plugin that touches the disk
   * stays below one of them.
   */
  fileRoots: readonly string[];
  logger: PluginLogger;
}

/**
 * The provider behind one plugin instance, ready from the moment `createProvider(config,
 * context)` returns it: it never exists without its configuration. The platform creates one
 * per instance (never shared) and calls `stop()` (the dispose) when the instance is
 * reconfigured (a new provider replaces it), disabled or deleted. `C` is the configuration
 * type; the provider's operations take no configuration, the provider holds it.
 */
export interface PluginProvider<C = Record<string, unknown>> {
  healthCheck?(): Promise<HealthReport>;
  /** Tests the configuration the provider was created with (a throwaway provider in a connection test). */
  testConnection?(): Promise<TestReport>;
  stop?(): Promise<void> | void;
}

export interface NotificationMessage {
  recipient: string;
  message: string;
  subject?: string;
  metadata?: Record<string, unknown>;
}
export interface NotificationResult {
  success: boolean;
  messageId?: string;
  details?: Record<string, unknown>;
}
export interface NotificationProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  sendNotification(message: NotificationMessage): Promise<NotificationResult>;
}

export interface PaymentRequest {
  /** Amount in the currency's major unit (12.50 EUR). */
  amount: number;
  currency: string;
  paymentMethod: string;
  metadata?: Record<string, unknown>;
}
export interface PaymentResult {
  id: string;
  status: string;
  details?: Record<string, unknown>;
}
export interface PaymentProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  processPayment(request: PaymentRequest): Promise<PaymentResult>;
  refund(paymentId: string, amount?: number): Promise<PaymentResult>;
  /** Optional: captures an authorised payment, fully or by `amount` (major units). */
  capturePayment?(paymentId: string, amount?: number): Promise<PaymentResult>;
}

export interface StoredFile {
  content: Uint8Array;
  metadata: Record<string, unknown>;
}
export interface StorageProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  /** Stores the content under `key` and returns where it is (a URL or a path). */
  storeFile(key: string, content: Uint8Array, metadata?: Record<string, unknown>): Promise<string>;
  /** Throws an error whose `code` is `NOT_FOUND` when there is no such file. */
  retrieveFile(key: string): Promise<StoredFile>;
  deleteFile(key: string): Promise<boolean>;
  /** Optional: the stored files whose key starts with `prefix`, in key order, at most `limit`. */
  listFiles?(prefix: string, options: { limit: number }): Promise<StoredFileInfo[]>;
}
export interface StoredFileInfo {
  key: string;
  size?: number;
  /** ISO 8601 */
  lastModified?: string;
}

export interface SearchHit {
  id: string;
  score?: number;
  document: Record<string, unknown>;
}
export interface SearchOptions {
  limit?: number;
  /** Hits to skip (paging). */
  offset?: number;
  /** A filter expression in the engine's own syntax (Meilisearch: `genre = "jazz" AND year > 2000`). */
  filter?: string;
}
export interface SearchProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  indexDocument(index: string, id: string, document: Record<string, unknown>): Promise<void>;
  search(index: string, query: string, options?: SearchOptions): Promise<SearchHit[]>;
}

export interface AuthenticationResult {
  authenticated: boolean;
  userId?: string;
  attributes?: Record<string, unknown>;
  message?: string;
}
export interface AuthenticationProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  authenticate(credentials: Record<string, string>): Promise<AuthenticationResult>;
}

export interface IntegrationProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  executeAction(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface AnalyticsProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  trackEvent(event: string, properties?: Record<string, unknown>, distinctId?: string): Promise<void>;
  /** Optional: sends several events in one request; without it the platform sends them one by one. */
  trackEvents?(events: readonly AnalyticsEvent[]): Promise<void>;
}
export interface AnalyticsEvent {
  event: string;
  properties?: Record<string, unknown>;
  distinctId?: string;
}

export interface WorkflowRun {
  runId: string;
  status: string;
  details?: Record<string, unknown>;
}
export interface WorkflowProvider<C = Record<string, unknown>> extends PluginProvider<C> {
  executeWorkflow(workflowId: string, input: Record<string, unknown>): Promise<WorkflowRun>;
}

/** The provider interface each plugin type must implement. */
export interface ProviderByType<C> {
  NOTIFICATION: NotificationProvider<C>;
  PAYMENT: PaymentProvider<C>;
  STORAGE: StorageProvider<C>;
  SEARCH: SearchProvider<C>;
  AUTHENTICATION: AuthenticationProvider<C>;
  INTEGRATION: IntegrationProvider<C>;
  ANALYTICS: AnalyticsProvider<C>;
  WORKFLOW: WorkflowProvider<C>;
}

/** The operations each plugin type adds to `PluginProvider` (checked when a provider is created). */
export const OPERATIONS_BY_TYPE: Readonly<Record<PluginType, readonly string[]>> = {
  NOTIFICATION: ['sendNotification'],
  PAYMENT: ['processPayment', 'refund'],
  STORAGE: ['storeFile', 'retrieveFile', 'deleteFile'],
  SEARCH: ['indexDocument', 'search'],
  AUTHENTICATION: ['authenticate'],
  INTEGRATION: ['executeAction'],
  ANALYTICS: ['trackEvent'],
  WORKFLOW: ['executeWorkflow'],
};

// ---------------------------------------------------------------------------------------
// Typing the configuration from the declared fields

type ScalarValue<T extends FieldType | ArrayItemType> = T extends 'INTEGER' | 'FLOAT'
  ? number
  : T extends 'BOOLEAN'
    ? boolean
    : string;

type OptionValue<F> = F extends { options: readonly { value: infer V }[] } ? V : string;

/** The value type of one field, as `createProvider()` receives it after validation. */
export type FieldValue<F extends FieldSpec> = F['type'] extends 'SELECT'
  ? OptionValue<F>
  : F['type'] extends 'MULTI_SELECT'
    ? OptionValue<F>[]
    : F['type'] extends 'JSON'
      ? F extends { jsonShape: 'array' }
        ? unknown[]
        : Record<string, unknown>
      : F['type'] extends 'ARRAY'
        ? F extends { itemType: infer I extends ArrayItemType }
          ? ScalarValue<I>[]
          : string[]
        : ScalarValue<F['type']>;

/**
 * Fields that always have a value after validation: required ones and ones with a default,
 * unless a condition (`visibleWhen`) can hide them.
 */
type PresentField<F> = F extends { visibleWhen: {} } ? never : F extends { required: true } ? F : F extends { default: {} } ? F : never;

/** The configuration object typed from a plugin's fields. */
export type ConfigOf<Fields extends readonly FieldSpec[]> = {
  [F in PresentField<Fields[number]> as F['key']]: FieldValue<F>;
} & {
  [F in Exclude<Fields[number], PresentField<Fields[number]>> as F['key']]?: FieldValue<F>;
};

/** A plugin as `definePlugin` describes it: its schema plus a factory of providers. */
export interface PluginDefinition<
  T extends PluginType = PluginType,
  Fields extends readonly FieldSpec[] = readonly FieldSpec[],
> extends PluginConfig {
  type: T;
  fields: Fields;
  /**
   * Creates a ready provider for one instance (or one connection test) from its validated
   * configuration; throws (or rejects) to refuse the configuration. Called again with the new
   * configuration when the instance changes: the new provider replaces the old one, which is
   * stopped. May return a Promise when getting ready needs I/O; the platform bounds the wait.
   */
  createProvider(
    config: ConfigOf<Fields>,
    context: PluginContext,
  ): ProviderByType<ConfigOf<Fields>>[T] | Promise<ProviderByType<ConfigOf<Fields>>[T]>;
}

/** Marks a value as a plugin definition, so discovery can tell it from other exports. */
export const PLUGIN_DEFINITION = Symbol.for('plugform.plugin-definition');

/**
 * Declares a plugin. The `const` type parameter keeps field keys, types and option values as
 * literals, so `createProvider(config, context)` gets a precisely typed object without any cast.
 */
export function definePlugin<
  const T extends PluginType,
  const Fields extends readonly FieldSpec[],
>(definition: PluginDefinition<T, Fields>): PluginDefinition<T, Fields> {
  return Object.assign(definition, { [PLUGIN_DEFINITION]: true });
}

export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return typeof value === 'object' && value !== null && PLUGIN_DEFINITION in value;
}
