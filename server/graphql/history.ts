/**
 * Configuration history: the saved versions of an instance, the difference between two of
 * them, and rolling back to one. The rules live in server/instances (history.ts and the
 * service's `rollback`); this file maps them. Secrets appear only as set/changed/cleared.
 */
import { createGraphQLError } from 'graphql-yoga';
import { isSecretField } from '../../plugins/sdk/index.ts';
import { actorOf } from '../audit/audit-log.ts';
import { NotFoundError } from '../instances/errors.ts';
import type { ConfigurationDifference, StoredSecretState } from '../instances/history.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { INSTANCE_ERRORS } from './errors.ts';
import { configurationWithSecrets } from '../instances/instance-views.ts';
import { SecretInput, selectingSomething } from './instances.ts';

const ChangeKindEnum = builder.enumType('ConfigurationChangeKind', {
  description: 'How a version came about.',
  values: {
    CREATED: { value: 'created' },
    UPDATED: { value: 'updated' },
    ROLLED_BACK: { value: 'rolledBack' },
    MIGRATED: { value: 'migrated', description: 'A plugin upgrade migrated the stored configuration.' },
  } as const,
});

const DifferenceKindEnum = builder.enumType('ConfigurationDifferenceKind', {
  description: 'ADDED, REMOVED, CHANGED: a non-secret field. SET, CHANGED, CLEARED: a secret (never its value).',
  values: {
    ADDED: { value: 'added' },
    REMOVED: { value: 'removed' },
    CHANGED: { value: 'changed' },
    SET: { value: 'set' },
    CLEARED: { value: 'cleared' },
  } as const,
});

const SecretChangeRef = builder.objectRef<{ key: string; change: 'set' | 'changed' | 'cleared'; at: Date }>('SecretVersionChange').implement({
  description: 'A secret this version set, changed or cleared, and when. Never its value.',
  fields: (t) => ({
    key: t.exposeString('key'),
    change: t.field({ type: DifferenceKindEnum, resolve: (c) => c.change }),
    at: t.field({ type: 'DateTime', resolve: (c) => c.at }),
  }),
});

builder.prismaObject('PluginInstanceVersion', {
  name: 'ConfigurationVersion',
  description: 'One saved configuration of an instance: who saved it, when, how, and which secrets changed (never their values).',
  fields: (t) => ({
    version: t.exposeInt('version', { description: "The instance's version this save produced." }),
    kind: t.field({ type: ChangeKindEnum, resolve: (v) => v.kind as 'created' }),
    actor: t.exposeString('actor', { description: 'Who: `token:<name>`, `system` …' }),
    at: t.expose('at', { type: 'DateTime' }),
    configVersion: t.exposeInt('configVersion', { description: "The plugin's configuration version this configuration follows." }),
    restoredFrom: t.exposeInt('restoredFrom', { nullable: true, description: 'Rollbacks: the version restored.' }),
    configuration: t.field({
      type: 'JSONObject',
      description: 'The non-secret values (a value the plugin now declares secret is left out).',
      select: { instance: { select: { pluginName: true } } },
      resolve: (v, _args, context) => withoutSecrets(v.config as Record<string, unknown>, secretKeysOf(context, v.instance.pluginName)),
    }),
    secretKeys: t.stringList({ description: 'The secrets set in this version.', resolve: (v) => Object.keys(v.secrets as object).sort() }),
    secretChanges: t.field({
      type: [SecretChangeRef],
      resolve: (v) => {
        const states = v.secrets as unknown as Record<string, StoredSecretState>;
        return (v.secretChanges as { key: string; change: 'set' | 'changed' | 'cleared' }[]).map((c) => ({
          ...c,
          at: new Date(states[c.key]?.changedAt ?? v.at),
        }));
      },
    }),
  }),
});

const DifferenceRef = builder.objectRef<ConfigurationDifference>('ConfigurationDifference').implement({
  description: 'One field that differs between two versions. Secrets carry no values.',
  fields: (t) => ({
    key: t.exposeString('key'),
    change: t.field({ type: DifferenceKindEnum, resolve: (d) => d.change }),
    secret: t.exposeBoolean('secret'),
    oldValue: t.field({ type: 'JSON', nullable: true, resolve: (d) => (d.oldValue as never) ?? null }),
    newValue: t.field({ type: 'JSON', nullable: true, resolve: (d) => (d.newValue as never) ?? null }),
  }),
});

function secretKeysOf(context: GraphQLContext, pluginName: string): Set<string> {
  return new Set((context.registry.get(pluginName)?.schema.fields ?? []).filter(isSecretField).map((field) => field.key));
}

function withoutSecrets(config: Record<string, unknown>, secretKeys: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !secretKeys.has(key)));
}

builder.prismaObjectFields('PluginInstance', (t) => ({
  configVersion: t.exposeInt('configVersion', { description: "The plugin's configuration version this instance's configuration follows." }),
  configurationVersions: t.relation('versions', {
    description: 'The saved configurations, newest first.',
    args: { last: t.arg.int({ defaultValue: 20, description: 'How many of the latest versions (at most 100).' }) },
    query: (args) => ({ orderBy: { version: 'desc' }, take: Math.min(Math.max(args.last ?? 20, 1), 100) }),
  }),
  configurationDiff: t.field({
    type: [DifferenceRef],
    description: 'What changes from version `from` to version `to` (default: the latest saved version), field by field.',
    args: { from: t.arg.int({ required: true }), to: t.arg.int() },
    select: { id: true, pluginName: true },
    resolve: async (instance, args, context) => {
      try {
        const secretKeys = secretKeysOf(context, instance.pluginName);
        const differences = await context.instances.configurationDiff(instance.id, args.from, args.to ?? undefined);
        // A value stored in clear before the plugin declared the field secret is never shown.
        return differences.map((d): ConfigurationDifference => (secretKeys.has(d.key) && !d.secret ? { key: d.key, change: 'changed', secret: true } : d));
      } catch (error) {
        if (error instanceof NotFoundError) throw createGraphQLError(error.message, { extensions: { code: 'NOT_FOUND' } });
        throw error;
      }
    },
  }),
}));

builder.mutationFields((t) => ({
  rollbackPluginInstance: t.prismaField({
    type: 'PluginInstance',
    description:
      'Restores the configuration of version `toVersion` as a new version. Secrets come back where the secret store keeps that ' +
      'version; otherwise a ValidationError names the ones to give in `secrets`.',
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    args: {
      id: t.arg.id({ required: true }),
      toVersion: t.arg.int({ required: true }),
      version: t.arg.int({ required: true, description: 'The current version (a stale one is a ConflictError).' }),
      secrets: t.arg({ type: [SecretInput], description: 'Secrets to re-enter, when the rollback asks for them.' }),
      clientMutationId: t.arg.string(),
    },
    resolve: async (query, _root, args, context) => {
      const id = String(args.id);
      const given = configurationWithSecrets({}, args.secrets);
      const secrets = Object.fromEntries(Object.entries(given).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      await context.instances.rollback(
        id,
        { toVersion: args.toVersion, version: args.version, secrets, clientMutationId: args.clientMutationId },
        actorOf(context.principal),
      );
      return context.prisma.pluginInstance.findUniqueOrThrow({ ...selectingSomething(query), where: { id } });
    },
  }),
}));
