import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('has working defaults: port 4000, ./data, embedded database, production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: resolve('data'),
      // Unset NODE_ENV is production: no GraphiQL, no token-less introspection.
      environment: 'production',
      graphiql: false,
      anonymousIntrospection: false,
      limits: {
        maxBodyBytes: 1_048_576,
        maxQueryDepth: 10,
        maxAliases: 15,
        maxQueryTokens: 2000,
        maxQueryCost: 50_000,
        maxDirectives: 50,
        maxInputDepth: 32,
        maxChecksPerRequest: 3,
        maxChecksPerMinute: 30,
        maxResponseBytes: 5_000_000,
        maxSubscriptionsPerToken: 10,
      },
      sessionCheckIntervalMs: 10_000,
      tokenCacheTtlMs: 10_000,
      readCache: { maxEntries: 256, maxBytes: 16 * 1_048_576 },
      healthIntervalMs: 60_000,
      healthConcurrency: 16,
      providerIdleMs: 900_000,
      healthHistoryLimit: 50,
      healthTimeoutMs: 10_000,
      shutdownGraceMs: 10_000,
      pluginLoadTimeoutMs: 10_000,
      extraPluginPaths: [],
      allowedOrigins: [],
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: ' postgresql://x@db/plugform ',
      PLUGFORM_DATA_DIR: ':memory:',
      PLUGIN_PATHS: `a${delimiter}${delimiter}/abs/b`,
      PLUGFORM_HEALTH_INTERVAL: '5',
      PLUGFORM_HEALTH_TIMEOUT: '3',
      PLUGFORM_SHUTDOWN_GRACE: '0',
      PLUGFORM_PROVIDER_IDLE: '0',
      PLUGFORM_TOKEN_CACHE_TTL: '0',
      PLUGFORM_READ_CACHE_MB: '0',
      PLUGFORM_ALLOWED_ORIGINS: 'http://localhost:5173/, https://ops.example',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      port: 0,
      databaseUrl: 'postgresql://x@db/plugform',
      dataDir: ':memory:',
      extraPluginPaths: [resolve('a'), '/abs/b'],
      healthIntervalMs: 5_000,
      healthTimeoutMs: 3_000,
      tokenCacheTtlMs: 0,
      readCache: undefined,
      shutdownGraceMs: 0,
      providerIdleMs: 0,
      allowedOrigins: ['http://localhost:5173', 'https://ops.example'],
      environment: 'production',
    });
  });

  it('development (npm run dev) turns the developer helpers on; each can be set on its own', () => {
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ graphiql: true, anonymousIntrospection: true });
    expect(loadConfig({ NODE_ENV: 'development', PLUGFORM_GRAPHIQL: 'false' })).toMatchObject({ graphiql: false, anonymousIntrospection: true });
    expect(loadConfig({ PLUGFORM_GRAPHIQL: 'true', PLUGFORM_ANONYMOUS_INTROSPECTION: '1' })).toMatchObject({
      environment: 'production',
      graphiql: true,
      anonymousIntrospection: true,
    });
  });

  it('reads the limits', () => {
    const config = loadConfig({ PLUGFORM_MAX_ALIASES: '0', PLUGFORM_MAX_BODY_BYTES: '4096', PLUGFORM_MAX_CHECKS_PER_MINUTE: '5' });
    expect(config.limits).toMatchObject({ maxAliases: 0, maxBodyBytes: 4096, maxChecksPerMinute: 5 });
  });

  it.each([
    ['PLUGFORM_GRAPHIQL', 'maybe', /PLUGFORM_GRAPHIQL: expected true or false/],
    ['PLUGFORM_MAX_BODY_BYTES', '10', /PLUGFORM_MAX_BODY_BYTES: expected a whole number from 1024/],
    ['PLUGFORM_MAX_INPUT_DEPTH', '1000', /PLUGFORM_MAX_INPUT_DEPTH: expected a whole number from 2 to 256/],
    ['PORT', 'eighty', /PORT: expected a whole number from 0 to 65535, got "eighty"/],
    ['PORT', '70000', /PORT: expected a whole number from 0 to 65535/],
    ['PLUGFORM_HEALTH_INTERVAL', '0', /PLUGFORM_HEALTH_INTERVAL: expected a whole number from 1 to 86400/],
    ['PLUGFORM_HEALTH_CONCURRENCY', '2.5', /PLUGFORM_HEALTH_CONCURRENCY/],
    ['PLUGFORM_HEALTH_TIMEOUT', '0', /PLUGFORM_HEALTH_TIMEOUT: expected a whole number from 1 to 300/],
    ['PLUGFORM_SHUTDOWN_GRACE', '-1', /PLUGFORM_SHUTDOWN_GRACE: expected a whole number from 0 to 600/],
    ['NODE_ENV', 'staging', /NODE_ENV: expected one of development, production, test, got "staging"/],
    ['PLUGFORM_LOG_LEVEL', 'loud', /PLUGFORM_LOG_LEVEL: expected one of debug, info, warn, error/],
    ['PLUGFORM_EGRESS_BLOCK_PRIVATE', 'maybe', /PLUGFORM_EGRESS_BLOCK_PRIVATE: expected true or false/],
    ['PLUGFORM_EGRESS_ALLOW', '10.0.0.0/33', /PLUGFORM_EGRESS_ALLOW: "10.0.0.0\/33" has a prefix outside 0–32/],
    ['PLUGFORM_EGRESS_DENY', 'evil.example/8', /PLUGFORM_EGRESS_DENY: "evil.example\/8" is not a CIDR/],
    ['PLUGFORM_VENDOR_RESPONSE_MAX_BYTES', '10', /PLUGFORM_VENDOR_RESPONSE_MAX_BYTES: expected a whole number from 1024/],
    ['PLUGFORM_LOCAL_STORAGE_ROOTS', 'files', /PLUGFORM_LOCAL_STORAGE_ROOTS: "files" is not an absolute path/],
  ])('refuses %s=%s with a message naming the variable', (variable, value, message) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('reads the egress gate, the vendor body cap and the storage roots; production blocks private ranges by default', () => {
    const config = loadConfig({
      NODE_ENV: 'development',
      PLUGFORM_DATA_DIR: '/srv/plugform/data',
      PLUGFORM_EGRESS_ALLOW: ' vault.internal, 10.1.0.0/16 ',
      PLUGFORM_EGRESS_DENY: '203.0.113.7',
      PLUGFORM_VENDOR_RESPONSE_MAX_BYTES: '65536',
      PLUGFORM_LOCAL_STORAGE_ROOTS: `/srv/files${delimiter}/mnt/share`,
    });
    expect(config).toMatchObject({
      egress: { blockPrivate: false, allow: ['vault.internal', '10.1.0.0/16'], deny: ['203.0.113.7'] },
      vendorResponseMaxBytes: 65536,
      localStorageRoots: ['/srv/files', '/mnt/share'],
    });
    expect(loadConfig({ NODE_ENV: 'production' }).egress.blockPrivate).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', PLUGFORM_EGRESS_BLOCK_PRIVATE: 'false' }).egress.blockPrivate).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).egress.blockPrivate).toBe(false);
  });

  it('reads the secret store settings with the rest, checked by the secrets module', () => {
    expect(loadConfig({}).secretStore).toEqual({ kind: 'local', secretKey: undefined, keepVersions: 10 });
    expect(loadConfig({ PLUGFORM_SECRET_STORE: 'vault', VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 't' }).secretStore).toMatchObject({
      kind: 'vault',
      vault: { addr: 'http://127.0.0.1:8200', auth: { method: 'token', token: 't' } },
    });
    expect(() => loadConfig({ PLUGFORM_SECRET_STORE: 'aws' })).toThrow(/PLUGFORM_SECRET_STORE must be "local" or "vault"/);
  });
});
