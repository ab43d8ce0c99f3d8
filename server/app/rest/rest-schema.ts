/**
 * The REST API's schema: the reference guide's endpoints, with the guide's snake_case JSON
 * names, plus one route per operation (generated from the operation catalog, so a new
 * operation gets its route with no change here). SOFA turns it into routes and an OpenAPI
 * document (rest-server.ts); resolvers call the same services as the GraphQL API.
 *
 * Errors leave as GraphQL errors carrying an HTTP status (SOFA answers with it): 400 for bad
 * input (with `field_errors`), 401/403 for tokens and scopes, 404, 409 for a stale version or
 * a reused idempotency key, 429 past the connection-test budget (with Retry-After), 502 when
 * the vendor failed.
 */
import { createGraphQLError, createSchema } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { type FieldSpec, isSecretField, type PluginConfig, toJsonSchema } from '../../../plugins/sdk/index.ts';
import { LimitExceededError } from '../../access/check-budget.ts';
import { roleAtLeast, type Role } from '../../access/roles.ts';
import { actorOf } from '../../audit/audit-log.ts';
import { ConfigureError, ConflictError, NotFoundError, PluginUnavailableError, ValidationError } from '../../instances/errors.ts';
import type { InstanceRecord } from '../../instances/instance-service.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { OPERATIONS, type OperationSpec } from '../../operations/catalog.ts';
import {
  IdempotencyConflictError,
  InstanceUnavailableError,
  OperationFailedError,
  OperationForbiddenError,
  OperationNotSupportedError,
} from '../../operations/errors.ts';

/** `sendNotification` → `send_notification` */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The REST path of each root field, relative to /api/v1. */
export const REST_ROUTES: Record<string, { method: 'GET' | 'POST'; path: string; responseStatus?: 200 | 201; description: string }> = {
  'Query.plugins': { method: 'GET', path: '/plugins/', description: 'Every registered plugin with its schema.' },
  'Query.plugin_schema': { method: 'GET', path: '/plugins/:plugin_name/schema', description: 'The schema of one plugin, with its JSON Schema.' },
  'Mutation.create_instance': {
    method: 'POST',
    path: '/plugins/instances',
    responseStatus: 201,
    description: 'Creates an instance; secrets go to the secret store. A retry with the same "client_mutation_id" answers with the instance the first request made.',
  },
  'Query.instance_configuration': { method: 'GET', path: '/plugins/instances/:instance_id/configuration', description: 'The configuration with secrets masked.' },
  'Mutation.test_instance': { method: 'POST', path: '/plugins/instances/:instance_id/test', description: 'Tests the saved instance, optionally with a partial override; saves nothing.' },
  'Query.instance_health': { method: 'GET', path: '/plugins/instances/:instance_id/health', description: 'The latest health check of the instance.' },
  ...Object.fromEntries(
    OPERATIONS.map((op) => [
      `Mutation.${snakeCase(op.name)}`,
      { method: 'POST' as const, path: `/plugins/instances/:instance_id/operations/${op.name}`, description: `${op.description} (${op.type}; body: { "input": {…}${op.sideEffect ? ', "idempotency_key": "…"' : ''} })` },
    ]),
  ),
};

const typeDefs = /* GraphQL */ `
  scalar JSONObject

  type Plugin {
    name: String!
    display_name: String!
    type: String!
    version: String!
    description: String
    author: String
    homepage: String
    tags: [String!]!
    groups: [String!]!
    supports_health_check: Boolean!
    supports_test_connection: Boolean!
    operations: [String!]!
    fields: [JSONObject!]!
    json_schema: JSONObject!
  }

  type SecretState {
    key: String!
    is_set: Boolean!
    updated_at: String
  }

  type PluginInstance {
    id: ID!
    plugin_name: String!
    instance_name: String!
    enabled: Boolean!
    status: String!
    status_message: String
    version: Int!
    "Non-secret values, plus the mask for every secret that is set."
    configuration: JSONObject!
    secrets: [SecretState!]!
    health_status: String!
    created_at: String!
    updated_at: String!
  }

  type PluginTestResult {
    success: Boolean!
    message: String!
    details: JSONObject
    response_time_ms: Int!
    timestamp: String!
  }

  type PluginHealthCheck {
    plugin_instance_id: ID!
    status: String!
    message: String!
    details: JSONObject
    response_time_ms: Int
    timestamp: String
  }

  type Query {
    plugins: [Plugin!]!
    plugin_schema(plugin_name: String!): Plugin!
    instance_configuration(instance_id: ID!): PluginInstance!
    instance_health(instance_id: ID!): PluginHealthCheck!
  }

  type Mutation {
    create_instance(plugin_name: String!, instance_name: String!, configuration: JSONObject, enabled: Boolean, client_mutation_id: String): PluginInstance!
    test_instance(instance_id: ID!, configuration: JSONObject): PluginTestResult!
    ${OPERATIONS.map((op) => `${snakeCase(op.name)}(instance_id: ID!, input: JSONObject!${op.sideEffect ? ', idempotency_key: String' : ''}): JSONObject!`).join('\n    ')}
  }
`;

type Args = Record<string, unknown>;

export function createRestSchema(): GraphQLSchema {
  const operationResolvers = Object.fromEntries(
    OPERATIONS.map((op) => [
      snakeCase(op.name),
      (_root: unknown, args: Args, context: GraphQLContext) => rest(() => invokeOperation(context, op, args)),
    ]),
  );
  return createSchema<GraphQLContext>({
    typeDefs,
    resolvers: {
      JSONObject: jsonObjectScalar(),
      Query: {
        plugins: (_root: unknown, _args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'viewer');
            return context.registry.list().map((p) => pluginView(p.schema));
          }),
        plugin_schema: (_root: unknown, args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'viewer');
            const plugin = context.registry.get(String(args.plugin_name));
            if (!plugin) throw new NotFoundError('Plugin', String(args.plugin_name));
            return pluginView(plugin.schema);
          }),
        instance_configuration: (_root: unknown, args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'viewer');
            return instanceView(await context.instances.get(String(args.instance_id)), context);
          }),
        instance_health: (_root: unknown, args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'viewer');
            const instance = await context.instances.get(String(args.instance_id));
            const latest = await context.prisma.healthCheck.findFirst({ where: { instanceId: instance.id }, orderBy: { checkedAt: 'desc' } });
            return latest
              ? { plugin_instance_id: instance.id, status: latest.status, message: latest.message, details: latest.details ?? null, response_time_ms: latest.responseTimeMs, timestamp: latest.checkedAt.toISOString() }
              : { plugin_instance_id: instance.id, status: 'unknown', message: 'No health check has run yet', details: null, response_time_ms: null, timestamp: null };
          }),
      },
      Mutation: {
        create_instance: (_root: unknown, args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'operator');
            const created = await context.instances.create(
              {
                pluginName: String(args.plugin_name),
                name: String(args.instance_name),
                enabled: args.enabled === null || args.enabled === undefined ? true : Boolean(args.enabled),
                configuration: (args.configuration as Record<string, unknown> | null) ?? {},
                clientMutationId: typeof args.client_mutation_id === 'string' ? args.client_mutation_id : undefined,
              },
              actorOf(context.principal),
            );
            return instanceView(created, context);
          }),
        test_instance: (_root: unknown, args: Args, context: GraphQLContext) =>
          rest(async () => {
            requireRole(context, 'operator');
            context.checks.spend();
            const result = await context.testing.testSaved(String(args.instance_id), (args.configuration as Record<string, unknown> | null) ?? {});
            return { success: result.success, message: result.message, details: result.details ?? null, response_time_ms: result.responseTimeMs, timestamp: result.timestamp };
          }),
        ...operationResolvers,
      },
    },
  });
}

async function invokeOperation(context: GraphQLContext, op: OperationSpec, args: Args): Promise<object> {
  const input = { ...((args.input as Record<string, unknown> | null) ?? {}) };
  // JSON has no bytes: a file travels base64-encoded.
  if (op.name === 'storeFile') {
    const encoded = input.contentBase64;
    delete input.contentBase64;
    if (typeof encoded === 'string') input.content = new Uint8Array(Buffer.from(encoded, 'base64'));
  }
  return context.operations.invoke(op, String(args.instance_id), input, context.principal, {
    idempotencyKey: typeof args.idempotency_key === 'string' ? args.idempotency_key : undefined,
    baseUrl: context.publicUrl ?? context.requestOrigin,
  });
}

function requireRole(context: GraphQLContext, role: Role): void {
  const principal = context.principal;
  if (!principal) throw httpError(401, 'UNAUTHENTICATED', 'Sign in: send an API token as "Authorization: Bearer <token>"');
  if (principal.scopes) throw httpError(403, 'FORBIDDEN', `Token "${principal.tokenName}" is a service token: it may only call the operations its scopes name`);
  if (!roleAtLeast(principal.role, role)) throw httpError(403, 'FORBIDDEN', `Your token's role (${principal.role}) does not allow this`);
}

function httpError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
  return createGraphQLError(message, { extensions: { code, ...extra, http: { status, ...(headers ? { headers } : {}) } } });
}

/** Runs a resolver; the errors a caller reacts to become HTTP statuses, anything else stays unexpected (500, logged). */
async function rest<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw restError(error);
  }
}

function restError(error: unknown): unknown {
  if (error instanceof ValidationError) {
    return httpError(400, 'VALIDATION_FAILED', error.message, { field_errors: error.fieldErrors.map((e) => ({ field: e.field, message: e.message, rule: e.rule })) });
  }
  if (error instanceof NotFoundError) return httpError(404, 'NOT_FOUND', error.message, { resource: error.resource });
  if (error instanceof ConflictError) return httpError(409, 'CONFLICT', error.message, { current_version: error.currentVersion ?? null });
  if (error instanceof IdempotencyConflictError) return httpError(409, 'IDEMPOTENCY_CONFLICT', error.message, { in_progress: error.inProgress });
  if (error instanceof OperationForbiddenError) return httpError(403, 'FORBIDDEN', error.message);
  if (error instanceof OperationNotSupportedError) return httpError(400, 'OPERATION_NOT_SUPPORTED', error.message);
  if (error instanceof InstanceUnavailableError || error instanceof PluginUnavailableError) return httpError(409, 'UNAVAILABLE', error.message);
  if (error instanceof ConfigureError) return httpError(400, 'CONFIGURE_FAILED', error.message);
  if (error instanceof LimitExceededError) {
    const retry = error.retryAfterSeconds;
    return httpError(429, 'LIMIT_EXCEEDED', error.message, { limit: error.limit, max: error.max, retry_after_seconds: retry ?? null }, retry === undefined ? undefined : { 'retry-after': String(retry) });
  }
  if (error instanceof OperationFailedError) {
    return httpError(502, 'OPERATION_FAILED', error.message, { vendor_status: error.vendorStatus ?? null, vendor_code: error.vendorCode ?? null, timed_out: error.reason === 'timeout' });
  }
  return error;
}

function pluginView(schema: PluginConfig) {
  return {
    name: schema.name,
    display_name: schema.displayName ?? schema.name,
    type: schema.type,
    version: schema.version,
    description: schema.description ?? null,
    author: schema.author ?? null,
    homepage: schema.homepage ?? null,
    tags: schema.tags ?? [],
    groups: schema.groups ?? [],
    supports_health_check: schema.supportsHealthCheck ?? false,
    supports_test_connection: schema.supportsTestConnection ?? false,
    operations: OPERATIONS.filter((o) => o.type === schema.type).map((o) => o.name),
    fields: schema.fields.map(fieldView),
    json_schema: toJsonSchema(schema),
  };
}

/** A field as the guide's FieldSpec names it (`is_secret`, `validation_rules` …); custom rules show their type and message only. */
function fieldView(field: FieldSpec): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(field)) {
    if (key === 'validationRules') {
      view.validation_rules = (value as FieldSpec['validationRules'])?.map((rule) => ('value' in rule ? { type: rule.type, value: rule.value, message: rule.message ?? null } : { type: rule.type, message: rule.message ?? null }));
    } else if (typeof value !== 'function') {
      view[snakeCase(key)] = value;
    }
  }
  view.is_secret = isSecretField(field);
  return view;
}

function instanceView(row: InstanceRecord, context: GraphQLContext) {
  // The same masking rules as GraphQL's: a secret still held in clear is masked too.
  return {
    id: row.id,
    plugin_name: row.pluginName,
    instance_name: row.name,
    enabled: row.enabled,
    status: row.status,
    status_message: row.statusMessage,
    version: row.version,
    configuration: context.instances.maskedConfigurationOf(row),
    secrets: context.instances.secretStatesOf(row).map((s) => ({ key: s.key, is_set: s.isSet, updated_at: s.updatedAt?.toISOString() ?? null })),
    health_status: row.healthStatus,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function jsonObjectScalar() {
  // Same semantics as the GraphQL API's JSONObject.
  return {
    __serialize: (value: unknown) => value,
    __parseValue: asObject,
    __parseLiteral: () => {
      throw createGraphQLError('JSONObject literals are not supported here; send variables');
    },
  };
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw createGraphQLError('Expected a JSON object');
  return value as Record<string, unknown>;
}
