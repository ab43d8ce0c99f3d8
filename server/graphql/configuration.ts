/**
 * Configuration as code over GraphQL: `exportConfigurationDocument` and
 * `applyConfigurationDocument` take and give the document `plugform export` writes
 * (server/instances/configuration-document.ts), so the CLI and the console share one format.
 * The rules live in server/instances/configuration-service.ts; this file only maps.
 */
import { actorOf } from '../audit/audit-log.ts';
import type { ApplyResult, ConfigurationPlan, PlanAction, PlanItem, PlanSecretNote } from '../instances/configuration-service.ts';
import { builder } from './builder.ts';
import { INSTANCE_ERRORS } from './errors.ts';

const PlanActionEnum = builder.enumType('ConfigurationPlanAction', {
  description:
    'CREATE, UPDATE, DELETE (only with prune), UNCHANGED, or UNMANAGED: on the server but not in the document (left alone without prune).',
  values: {
    CREATE: { value: 'create' },
    UPDATE: { value: 'update' },
    DELETE: { value: 'delete' },
    UNCHANGED: { value: 'unchanged' },
    UNMANAGED: { value: 'unmanaged' },
  } as const,
});

const PlanItemRef = builder.objectRef<PlanItem>('ConfigurationPlanItem').implement({
  description: 'What applying the document does to one instance. Keys only, never values.',
  fields: (t) => ({
    action: t.field({ type: PlanActionEnum, resolve: (i) => i.action as PlanAction }),
    plugin: t.exposeString('plugin'),
    name: t.exposeString('name'),
    instanceId: t.exposeID('instanceId', { nullable: true }),
    version: t.exposeInt('version', { nullable: true, description: 'The stored version planned against; apply checks it.' }),
    changedKeys: t.exposeStringList('changedKeys', { description: 'Non-secret configuration keys that change.' }),
    secretChanges: t.exposeStringList('secretChanges', { description: 'Secret keys set, replaced or cleared.' }),
    enabled: t.exposeBoolean('enabled', { nullable: true, description: 'The new enabled state, when it changes.' }),
    notes: t.exposeStringList('notes'),
  }),
});

const SecretNoteRef = builder.objectRef<PlanSecretNote & { ref?: string | null }>('ConfigurationSecretNote').implement({
  description: 'A secret of an instance the plan has something to say about (drift, unresolved reference).',
  fields: (t) => ({
    plugin: t.exposeString('plugin'),
    name: t.exposeString('name'),
    key: t.exposeString('key'),
    ref: t.string({ nullable: true, resolve: (n) => n.ref ?? null }),
    message: t.exposeString('message'),
  }),
});

const PlanRef = builder.objectRef<ConfigurationPlan>('ConfigurationPlan').implement({
  fields: (t) => ({
    changed: t.exposeBoolean('changed', { description: 'Whether applying would change anything, or a secret drifted.' }),
    items: t.field({ type: [PlanItemRef], resolve: (p) => p.items }),
    drift: t.field({
      type: [SecretNoteRef],
      description: 'Secrets whose fingerprint differs from the one the document recorded: changed outside the file.',
      resolve: (p) => p.drift,
    }),
    unresolved: t.field({
      type: [SecretNoteRef],
      description: 'Secrets whose reference the client could not resolve: the stored value is kept (not a change).',
      resolve: (p) => p.unresolved,
    }),
  }),
});

const ApplyResultRef = builder.objectRef<ApplyResult>('ConfigurationApplyResult').implement({
  fields: (t) => ({
    action: t.field({ type: PlanActionEnum, resolve: (r) => r.action as PlanAction }),
    plugin: t.exposeString('plugin'),
    name: t.exposeString('name'),
    ok: t.exposeBoolean('ok'),
    instanceId: t.exposeID('instanceId', { nullable: true }),
    version: t.exposeInt('version', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const ApplyRef = builder.objectRef<{ plan: ConfigurationPlan; results: ApplyResult[] }>('ConfigurationApply').implement({
  fields: (t) => ({
    plan: t.field({ type: PlanRef, resolve: (a) => a.plan }),
    results: t.field({
      type: [ApplyResultRef],
      description: 'One per change made, in order; empty on a dry run. The first failure stops the run.',
      resolve: (a) => a.results,
    }),
  }),
});

builder.queryField('exportConfigurationDocument', (t) =>
  t.field({
    type: 'JSON',
    authScopes: { viewer: true },
    description:
      'Every instance as a configuration document (the format of `plugform export`): non-secret configuration, and per secret a ' +
      'reference placeholder (`${env:<INSTANCE>_<KEY>}`) with its fingerprint. Never a secret value.',
    resolve: (_root, _args, context) => context.configuration.export(),
  }),
);

builder.mutationField('applyConfigurationDocument', (t) =>
  t.field({
    type: ApplyRef,
    authScopes: { operator: true },
    errors: { types: INSTANCE_ERRORS },
    description:
      'Plans a configuration document against the stored instances and, unless dryRun, applies it (version-checked, idempotent). ' +
      'Secrets are references; a client that resolved one sends `value` next to it. prune deletes instances the document does not name.',
    args: {
      document: t.arg({ type: 'JSON', required: true }),
      dryRun: t.arg.boolean({ defaultValue: false }),
      prune: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, context) =>
      context.configuration.apply(args.document, { dryRun: args.dryRun ?? false, prune: args.prune ?? false }, actorOf(context.principal)),
  }),
);
