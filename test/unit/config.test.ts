import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('has working defaults: port 4000, ./data, embedded database, development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: resolve('data'),
      environment: 'development',
      healthIntervalMs: 60_000,
      healthConcurrency: 16,
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
      shutdownGraceMs: 0,
      allowedOrigins: ['http://localhost:5173', 'https://ops.example'],
      environment: 'production',
    });
  });

  it.each([
    ['PORT', 'eighty', /PORT: expected a whole number from 0 to 65535, got "eighty"/],
    ['PORT', '70000', /PORT: expected a whole number from 0 to 65535/],
    ['PLUGFORM_HEALTH_INTERVAL', '0', /PLUGFORM_HEALTH_INTERVAL: expected a whole number from 1 to 86400/],
    ['PLUGFORM_HEALTH_CONCURRENCY', '2.5', /PLUGFORM_HEALTH_CONCURRENCY/],
    ['PLUGFORM_HEALTH_TIMEOUT', '0', /PLUGFORM_HEALTH_TIMEOUT: expected a whole number from 1 to 300/],
    ['PLUGFORM_SHUTDOWN_GRACE', '-1', /PLUGFORM_SHUTDOWN_GRACE: expected a whole number from 0 to 600/],
    ['NODE_ENV', 'staging', /NODE_ENV: expected one of development, production, test, got "staging"/],
    ['PLUGFORM_LOG_LEVEL', 'loud', /PLUGFORM_LOG_LEVEL: expected one of debug, info, warn, error/],
  ])('refuses %s=%s with a message naming the variable', (variable, value, message) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
