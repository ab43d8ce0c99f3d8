/** Connection tests and health checks. */
import type { PluginHealthCheck, PluginTestResult } from '../../plugins/sdk/index.ts';
import { actorOf } from '../audit/audit-log.ts';
import type { HealthChange } from '../health/health-service.ts';
import { builder } from './builder.ts';
import { CHECK_ERRORS } from './errors.ts';
import { HealthStatusEnum, SecretInput } from './instances.ts';

const TestResultRef = builder.objectRef<PluginTestResult>('PluginTestResult').implement({
  description: 'The outcome of a connection test. Nothing was saved and no live provider was touched.',
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    message: t.exposeString('message'),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (r) => r.details ?? null }),
    responseTimeMs: t.exposeInt('responseTimeMs'),
    timestamp: t.field({ type: 'DateTime', resolve: (r) => r.timestamp }),
  }),
});

const HealthResultRef = builder.objectRef<PluginHealthCheck>('PluginHealthCheck').implement({
  fields: (t) => ({
    pluginInstanceId: t.exposeID('pluginInstanceId'),
    status: t.field({ type: HealthStatusEnum, resolve: (r) => r.status }),
    message: t.exposeString('message'),
    details: t.field({ type: 'JSONObject', nullable: true, resolve: (r) => r.details ?? null }),
    responseTimeMs: t.exposeInt('responseTimeMs'),
    timestamp: t.field({ type: 'DateTime', resolve: (r) => r.timestamp }),
  }),
});

const TestPluginConnectionInput = builder.inputType('TestPluginConnectionInput', {
  fields: (t) => ({
    pluginName: t.string({ required: true }),
    configuration: t.field({ type: 'JSONObject', description: 'Values by field key (default {}); see CreatePluginInstanceInput.' }),
    secrets: t.field({ type: [SecretInput] }),
  }),
});

const TestPluginInstanceConnectionInput = builder.inputType('TestPluginInstanceConnectionInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    configuration: t.field({
      type: 'JSONObject',
      description: 'Optional override merged over the stored configuration (stored secrets are kept unless replaced).',
    }),
    secrets: t.field({ type: [SecretInput] }),
  }),
});

builder.mutationFields((t) => ({
  testPluginConnection: t.field({
    type: TestResultRef,
    description: 'Tests an unsaved configuration: test before you save.',
    authScopes: { operator: true },
    errors: { types: CHECK_ERRORS },
    args: { input: t.arg({ type: TestPluginConnectionInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      context.checks.spend();
      return context.testing.testUnsaved(
        input.pluginName,
        await context.instances.withSecretInputs({ pluginName: input.pluginName }, input.configuration, input.secrets),
        actorOf(context.principal),
      );
    },
  }),
  testPluginInstanceConnection: t.field({
    type: TestResultRef,
    description: 'Tests a saved instance, optionally with a partial override. Never saves, never touches the live provider.',
    authScopes: { operator: true },
    errors: { types: CHECK_ERRORS },
    args: { input: t.arg({ type: TestPluginInstanceConnectionInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      context.checks.spend();
      return context.testing.testSaved(
        String(input.id),
        await context.instances.withSecretInputs({ instanceId: String(input.id) }, input.configuration, input.secrets),
        actorOf(context.principal),
      );
    },
  }),
  checkPluginInstanceHealth: t.field({
    type: HealthResultRef,
    description: "Runs the instance's health check now and records it.",
    authScopes: { operator: true },
    errors: { types: CHECK_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      context.checks.spend();
      return context.health.checkFor(String(args.id), actorOf(context.principal));
    },
  }),
}));

const HealthChangeRef = builder.objectRef<HealthChange>('PluginInstanceHealthChange').implement({
  description: "An instance's health status changed.",
  fields: (t) => ({
    instanceId: t.exposeID('instanceId'),
    previousStatus: t.field({ type: HealthStatusEnum, resolve: (c) => c.previous }),
    status: t.field({ type: HealthStatusEnum, resolve: (c) => c.current.status }),
    check: t.field({ type: HealthResultRef, resolve: (c) => c.current }),
  }),
});

builder.subscriptionFields((t) => ({
  pluginInstanceHealthChanged: t.field({
    type: HealthChangeRef,
    description:
      'Emits whenever the health status of an instance (or of the one given) changes, whichever replica ran the check. Served over SSE.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ description: 'Only this instance.' }) },
    subscribe: (_root, args, context) =>
      healthChanges(context.bus.subscribe('health.changed'), args.id ? String(args.id) : undefined, context.sessionSignal),
    resolve: (change) => change,
  }),
}));

/**
 * The cluster's health changes (every replica's), optionally of one instance, as an async
 * iterable; ends when the client goes away or when `session` aborts (the token was revoked),
 * without waiting for another event.
 */
async function* healthChanges(changes: AsyncIterable<HealthChange>, instanceId?: string, session?: AbortSignal): AsyncGenerator<HealthChange> {
  const iterator = changes[Symbol.asyncIterator]();
  const ended = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    const end = () => resolve({ done: true, value: undefined });
    if (session?.aborted) end();
    else session?.addEventListener('abort', end, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), ended]);
      if (next.done) return;
      if (!instanceId || next.value.instanceId === instanceId) yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
