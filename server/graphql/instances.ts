/**
 * Plugin instances: the masked read side (through @pothos/plugin-prisma, so lists cost a
 * bounded number of queries and never read a secret) and the lifecycle mutations.
 *
 * Secrets go in either as typed `secrets: [SecretInput!]` (the `SecretValue` scalar) or as
 * keys of `configuration` (as the reference REST API took them); they come out only as
 * `SecretState` (whether set, when changed) and the `MaskedSecret` scalar.
 */
import { actorOf } from '../audit/audit-log.ts';
import type { ReplicaProvider, SecretState } from '../instances/instance-views.ts';
import { SECRET_MASK } from '../instances/secret-values.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { INSTANCE_ERRORS } from './errors.ts';
import { PluginRef, PluginTypeEnum } from './plugins.ts';

export const InstanceStatusEnum = builder.enumType('InstanceStatus', {
  description:
    'The stored status, written by the change that made it: ACTIVE: enabled and configured. INACTIVE: disabled. ' +
    'ERROR: written by earlier versions when an instance failed to start; whether a replica runs it now is in replicaProvider.',
  values: { ACTIVE: { value: 'active' }, INACTIVE: { value: 'inactive' }, ERROR: { value: 'error' } } as const,
});

const ProviderStateEnum = builder.enumType('ReplicaProviderState', {
  description:
    "RUNNING: this replica has a provider at the instance's version. IDLE: none yet (one starts on first use). " +
    'FAILED: this replica could not start one (see message). DISABLED: the instance is disabled.',
  values: ['RUNNING', 'IDLE', 'FAILED', 'DISABLED'] as const,
});

const ReplicaProviderRef = builder.objectRef<ReplicaProvider>('ReplicaProvider').implement({
  description:
    "The instance's provider on the replica that answered this request. A replica that cannot start a provider reports it " +
    'here and in its log; it never changes the stored status, which belongs to the change that wrote it.',
  fields: (t) => ({
    replica: t.exposeString('replica'),
    state: t.field({ type: ProviderStateEnum, resolve: (p) => p.state }),
    version: t.exposeInt('version', { nullable: true, description: 'The instance version the provider runs (or failed to start).' }),
    message: t.exposeString('message', { nullable: true }),
    since: t.field({ type: 'DateTime', nullable: true, description: 'When the start failed.', resolve: (p) => p.since }),
  }),
});

export const HealthStatusEnum = builder.enumType('HealthStatus', {
  values: { HEALTHY: { value: 'healthy' }, DEGRADED: { value: 'degraded' }, UNHEALTHY: { value: 'unhealthy' }, UNKNOWN: { value: 'unknown' } } as const,
});


const SecretStateRef = builder.objectRef<SecretState>('SecretState').implement({
  description: 'Whether a secret field is set and when it last changed. Never its value.',
  fields: (t) => ({
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    isSet: t.exposeBoolean('isSet'),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.updatedAt }),
    value: t.field({
      type: 'MaskedSecret',
      nullable: true,
      description: 'The mask when set, null when not. Echo it back in an update to keep the secret.',
      resolve: (s) => (s.isSet ? SECRET_MASK : null),
    }),
    fingerprint: t.string({
      nullable: true,
      description:
        "A keyed HMAC of the value, computed by the server with its own key (PLUGFORM_FINGERPRINT_KEY, or one kept in the secret store): " +
        'it changes when the secret changes and reveals nothing about the value. `hmac-sha256:<key id>:<mac>`; null when not set.',
      resolve: (s) => (s.isSet && s.fingerprint ? s.fingerprint() : null),
    }),
  }),
});

export const HealthCheckRef = builder.prismaObject('HealthCheck', {
  description: 'One recorded health check.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: HealthStatusEnum, resolve: (c) => c.status as 'healthy' }),
    message: t.exposeString('message'),
    details: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.details ?? null }),
    responseTimeMs: t.exposeInt('responseTimeMs'),
    checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
  }),
});

const AuditEventRef = builder.prismaObject('AuditEvent', {
  description: 'A change to an instance: who, what, when, and which keys (never values).',
  fields: (t) => ({
    id: t.exposeID('id'),
    actor: t.exposeString('actor', { description: 'Who: `token:<name>`, `system` …' }),
    actorTokenId: t.exposeID('actorTokenId', { nullable: true, description: "The API token's id when a token did it (names can be reused)." }),
    action: t.exposeString('action'),
    instanceId: t.exposeID('instanceId', { nullable: true }),
    pluginName: t.exposeString('pluginName', { nullable: true }),
    changedKeys: t.exposeStringList('changedKeys'),
    details: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Names and outcomes (instance name, token id, name and role, test success); never a configuration value.',
      resolve: (event) => event.details ?? null,
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

export const PluginInstanceRef = builder.prismaObject('PluginInstance', {
  description: 'A configured instance of a plugin. Its configuration is shown with secrets masked.',
  fields: (t) => ({
    id: t.exposeID('id'),
    pluginName: t.exposeString('pluginName'),
    plugin: t.field({
      type: PluginRef,
      nullable: true,
      description: 'Null when the plugin is no longer loaded.',
      resolve: (instance, _args, context) => context.registry.get(instance.pluginName) ?? null,
    }),
    name: t.exposeString('name'),
    enabled: t.exposeBoolean('enabled'),
    status: t.field({ type: InstanceStatusEnum, resolve: (i) => i.status as 'active' }),
    statusMessage: t.exposeString('statusMessage', { nullable: true }),
    replicaProvider: t.field({
      type: ReplicaProviderRef,
      select: { enabled: true, version: true },
      resolve: (instance, _args, context) => context.instances.replicaProviderOf(instance),
    }),
    version: t.exposeInt('version', { description: 'Send it back with an update; a stale one is a ConflictError.' }),
    configuration: t.field({
      type: 'JSONObject',
      description: `Non-secret values, plus "${SECRET_MASK}" for every secret that is set.`,
      select: { secrets: { select: { key: true } } },
      resolve: (instance, _args, context) => context.instances.maskedConfigurationOf(instance),
    }),
    secrets: t.field({
      type: [SecretStateRef],
      description: "One entry per secret field of the plugin's schema.",
      select: { id: true, secrets: true },
      resolve: (instance, _args, context) => {
        let fingerprints: Promise<Record<string, string>> | undefined;
        const fingerprintOf = (key: string) => async () => {
          fingerprints ??= context.prisma.pluginInstance
            .findUniqueOrThrow({ where: { id: instance.id }, include: { secrets: true } })
            .then((row) => context.configuration.fingerprintsOf(row));
          return (await fingerprints)[key] ?? null;
        };
        return context.instances.secretStatesOf(instance).map((state) => ({ ...state, fingerprint: fingerprintOf(state.key) }));
      },
    }),
    healthStatus: t.field({ type: HealthStatusEnum, resolve: (i) => i.healthStatus as 'unknown' }),
    healthSince: t.expose('healthSince', { type: 'DateTime', nullable: true, description: 'When healthStatus last changed.' }),
    lastHealthCheckAt: t.expose('lastHealthAt', { type: 'DateTime', nullable: true }),
    // Batched by the dataloader plugin and limited per instance in SQL, so a list of instances
    // costs one query for all their latest checks (a Prisma relation would read every stored
    // check of the page and cut in memory).
    healthHistory: t.loadableList({
      type: HealthCheckRef,
      byPath: true,
      args: { last: t.arg.int({ defaultValue: 20, description: 'How many of the latest checks (at most 100).' }) },
      load: (ids: string[], context: GraphQLContext, args: { last?: number | null }) => context.instances.latestHealthChecks(ids, args.last),
      resolve: (instance) => instance.id,
    }),
    // Not a Prisma relation (the trail outlives its instance): batched the same way.
    auditEvents: t.loadableList({
      type: AuditEventRef,
      byPath: true,
      args: { last: t.arg.int({ defaultValue: 20, description: 'How many of the latest events (at most 100).' }) },
      load: (ids: string[], context: GraphQLContext, args: { last?: number | null }) => context.instances.latestAuditEvents(ids, args.last),
      resolve: (instance) => instance.id,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

// ------------------------------------------------------------------------------------
// Queries

builder.queryFields((t) => ({
  pluginInstances: t.prismaConnection({
    type: 'PluginInstance',
    cursor: 'id',
    authScopes: { viewer: true },
    args: {
      pluginName: t.arg.string(),
      type: t.arg({ type: PluginTypeEnum, description: 'Only instances of plugins of this type.' }),
      status: t.arg({ type: InstanceStatusEnum }),
      enabled: t.arg.boolean(),
    },
    resolve: (query, _root, args, context) => {
      const pluginNames = args.type ? context.registry.list({ type: args.type }).map((p) => p.schema.name) : undefined;
      return context.prisma.pluginInstance.findMany({
        ...query,
        where: {
          ...(args.pluginName ? { pluginName: args.pluginName } : {}),
          ...(pluginNames ? { pluginName: { in: args.pluginName ? pluginNames.filter((n) => n === args.pluginName) : pluginNames } } : {}),
          ...(args.status ? { status: args.status } : {}),
          ...(args.enabled === null || args.enabled === undefined ? {} : { enabled: args.enabled }),
        },
        orderBy: [{ pluginName: 'asc' }, { name: 'asc' }, { id: 'asc' }],
      });
    },
  }),
  auditEvents: t.prismaField({
    type: ['AuditEvent'],
    description: 'The whole audit trail, newest first: instance changes, connection tests (refused ones too), on-demand health checks, token creation and revocation.',
    authScopes: { admin: true },
    args: {
      last: t.arg.int({ defaultValue: 50, description: 'How many of the latest events (at most 500).' }),
      action: t.arg.string({ description: 'Only events of this action (`token.create`, `instance.test` …).' }),
    },
    resolve: (query, _root, args, context) =>
      context.prisma.auditEvent.findMany({
        ...query,
        where: args.action ? { action: args.action } : {},
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: Math.min(Math.max(args.last ?? 50, 1), 500),
      }),
  }),
  pluginInstance: t.prismaField({
    type: 'PluginInstance',
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) => context.prisma.pluginInstance.findUnique({ ...query, where: { id: String(args.id) } }),
  }),
}));

// ------------------------------------------------------------------------------------
// Mutations

export const SecretInput = builder.inputType('SecretInput', {
  description: 'A change to one secret field: a value replaces it, null clears it, the mask keeps it.',
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.field({ type: 'SecretValue', required: false }),
  }),
});

/** The idempotency key's description, the same on every instance mutation. */
const CLIENT_MUTATION_ID =
  'Idempotency key (1–200 characters, per actor: the API token name): a retry with the same key answers as the first ' +
  'request did instead of applying it twice (a create that landed while its answer was lost is not a duplicate, a retried ' +
  'delete is not a NotFoundError, a retried update or enable/disable is not a ConflictError).';

const CreateInput = builder.inputType('CreatePluginInstanceInput', {
  fields: (t) => ({
    pluginName: t.string({ required: true }),
    name: t.string({ required: true, description: 'Unique among the instances of this plugin.' }),
    enabled: t.boolean({ defaultValue: true }),
    // No `defaultValue: {}`: graphql-js cannot print an object default of a custom scalar
    // (printSchema and introspection throw); a missing configuration means {} anyway.
    configuration: t.field({ type: 'JSONObject', description: 'Values by field key (default {}).' }),
    secrets: t.field({ type: [SecretInput] }),
    clientMutationId: t.string({ description: CLIENT_MUTATION_ID }),
  }),
});

const UpdateInput = builder.inputType('UpdatePluginInstanceInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    version: t.int({ required: true, description: 'The version you edit (from the instance you read).' }),
    name: t.string(),
    configuration: t.field({
      type: 'JSONObject',
      description: 'A patch: given keys replace, null removes a key, omitted keys keep their value.',
    }),
    secrets: t.field({ type: [SecretInput] }),
    clientMutationId: t.string({ description: CLIENT_MUTATION_ID }),
  }),
});

const DeletedInstanceRef = builder.objectRef<{ id: string; pluginName: string; name: string }>('DeletedPluginInstance').implement({
  fields: (t) => ({ id: t.exposeID('id'), pluginName: t.exposeString('pluginName'), name: t.exposeString('name') }),
});

/**
 * The query @pothos/plugin-prisma hands a resolver, made valid for Prisma: when the client
 * selects no field of the object (`{ __typename }` only), the plugin passes `select: {}`,
 * which Prisma rejects. The write has happened by then, so failing would tell the client a
 * successful mutation failed.
 */
export function selectingSomething<Q extends { select?: object }>(query: Q): Q {
  return query.select && Object.keys(query.select).length === 0 ? { ...query, select: { id: true } } : query;
}

const instanceQuery = (query: { select?: object }, id: string) => ({ ...selectingSomething(query), where: { id } });

builder.mutationFields((t) => ({
  createPluginInstance: t.prismaField({
    type: 'PluginInstance',
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const created = await context.instances.create(
        {
          pluginName: input.pluginName,
          name: input.name,
          enabled: input.enabled ?? true,
          clientMutationId: input.clientMutationId,
          configuration: await context.instances.withSecretInputs({ pluginName: input.pluginName }, input.configuration, input.secrets),
        },
        actorOf(context.principal),
      );
      return context.prisma.pluginInstance.findUniqueOrThrow(instanceQuery(query, created.id));
    },
  }),
  updatePluginInstance: t.prismaField({
    type: 'PluginInstance',
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const id = String(input.id);
      await context.instances.update(
        id,
        {
          version: input.version,
          clientMutationId: input.clientMutationId,
          // An empty name is a rename the service refuses, not an omitted one.
          ...(input.name === null || input.name === undefined ? {} : { name: input.name }),
          configuration: await context.instances.withSecretInputs({ instanceId: id }, input.configuration, input.secrets),
        },
        actorOf(context.principal),
      );
      return context.prisma.pluginInstance.findUniqueOrThrow(instanceQuery(query, id));
    },
  }),
  setPluginInstanceEnabled: t.prismaField({
    type: 'PluginInstance',
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    args: {
      id: t.arg.id({ required: true }),
      enabled: t.arg.boolean({ required: true }),
      version: t.arg.int({ description: 'When given, a stale version is a ConflictError.' }),
      clientMutationId: t.arg.string({ description: CLIENT_MUTATION_ID }),
    },
    resolve: async (query, _root, args, context) => {
      const id = String(args.id);
      await context.instances.setEnabled(id, args.enabled, actorOf(context.principal), args.version ?? undefined, args.clientMutationId);
      return context.prisma.pluginInstance.findUniqueOrThrow(instanceQuery(query, id));
    },
  }),
  deletePluginInstance: t.field({
    type: DeletedInstanceRef,
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    args: {
      id: t.arg.id({ required: true }),
      version: t.arg.int({ description: 'When given, a stale version is a ConflictError.' }),
      clientMutationId: t.arg.string({ description: CLIENT_MUTATION_ID }),
    },
    resolve: (_root, args, context) =>
      context.instances.delete(String(args.id), actorOf(context.principal), args.version ?? undefined, args.clientMutationId),
  }),
}));
