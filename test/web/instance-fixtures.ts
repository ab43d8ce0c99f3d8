/** Instances as the API returns them to the console's instance screen, for the component tests. */

/** The InstanceDetail query's instance (a notification plugin), with `overrides` on top. */
export function instanceDetail(overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'PluginInstance',
    id: 'inst-1',
    name: 'Support line',
    pluginName: 'acme-notify',
    version: 3,
    enabled: true,
    status: 'ACTIVE',
    statusMessage: null,
    replicaProvider: { __typename: 'ReplicaProvider', replica: 'node-a-17', state: 'RUNNING', message: null },
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    configuration: { endpoint: 'https://acme.test', apiKey: '••••••••', tags: ['a', 'b'] },
    healthStatus: 'HEALTHY',
    healthSince: '2025-03-01T09:30:00.000Z',
    lastHealthCheckAt: '2025-03-01T10:00:00.000Z',
    healthHistory: [
      { __typename: 'HealthCheck', id: 'h2', status: 'HEALTHY', message: 'All good', responseTimeMs: 12, checkedAt: '2025-03-01T10:00:00.000Z' },
      { __typename: 'HealthCheck', id: 'h1', status: 'UNHEALTHY', message: 'Timed out', responseTimeMs: 5000, checkedAt: '2025-03-01T09:00:00.000Z' },
    ],
    auditEvents: [
      { __typename: 'AuditEvent', id: 'a2', actor: 'token:ops', action: 'instance.update', changedKeys: ['endpoint', 'apiKey'], at: '2025-03-01T10:00:00.000Z' },
      { __typename: 'AuditEvent', id: 'a1', actor: 'token:ops', action: 'instance.create', changedKeys: ['endpoint', 'apiKey', 'tags'], at: '2025-03-01T09:00:00.000Z' },
    ],
    secrets: [{ __typename: 'SecretState', key: 'apiKey', label: 'API Key', isSet: true, updatedAt: '2025-03-01T10:00:00.000Z' }],
    plugin: {
      __typename: 'Plugin',
      name: 'acme-notify',
      displayName: 'Acme Notify',
      type: 'NOTIFICATION',
      version: '1.2.0',
      supportsHealthCheck: true,
      groups: ['Connection'],
      fields: [
        { __typename: 'PluginField', key: 'endpoint', label: 'Endpoint', type: 'URL', isSecret: false, group: 'Connection', order: 1 },
        { __typename: 'PluginField', key: 'apiKey', label: 'API Key', type: 'SECRET', isSecret: true, group: 'Connection', order: 2 },
        { __typename: 'PluginField', key: 'tags', label: 'Tags', type: 'ARRAY', isSecret: false, group: null, order: null },
      ],
    },
    ...overrides,
  };
}

/** The InstanceOperations query's instance: its operations and call stats, with `stats` on top. */
export function operationsOf(operations: string[] = ['sendNotification'], stats: Record<string, unknown> = {}) {
  return {
    __typename: 'PluginInstance',
    id: 'inst-1',
    operations,
    operationStats: {
      __typename: 'OperationStats',
      windowHours: 24,
      calls: 0,
      errors: 0,
      errorRate: 0,
      p95LatencyMs: null,
      perHour: [],
      lastFailures: [],
      ...stats,
    },
  };
}
