import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import s3Plugin, { S3StorageError } from '../../../plugins/s3-storage/index.ts';
import type { S3StorageConfig } from '../../../plugins/s3-storage/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, loopbackBlockingGate, recordingEgress, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { closedPort } from '../../support/smtp-server.ts';
import { startS3Double, type S3Double } from '../../support/vendors/s3-double.ts';

// Checked against everything the plugin said at the end of the file.
const CANARY = 'canarySecretKey/S3+9f8e7d6c5b4a3210';
const ACCESS_KEY = 'AKIAPLUGFORMTEST0001';
const READ_ONLY_KEY = 'AKIAPLUGFORMOTHER002';

let s3: S3Double;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];
const keep = <T>(value: T): T => (outputs.push(value), value);

beforeAll(async () => {
  s3 = await startS3Double({
    region: 'eu-central-1',
    buckets: ['plugform-files', 'other-team'],
    credentials: {
      [ACCESS_KEY]: { secretAccessKey: CANARY, buckets: ['plugform-files'] },
      [READ_ONLY_KEY]: { secretAccessKey: 'other-secret', buckets: ['other-team'] },
    },
  });
});

afterAll(async () => {
  await s3?.close();
});

beforeEach(() => {
  s3.clearFaults();
});

function config(overrides: Partial<S3StorageConfig> = {}): S3StorageConfig {
  return {
    endpoint: s3.endpoint,
    region: 'eu-central-1',
    bucket: 'plugform-files',
    accessKeyId: ACCESS_KEY,
    secretAccessKey: CANARY,
    forcePathStyle: true,
    keyPrefix: 'tenant-a/',
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    maxAttempts: 1,
    ...overrides,
  };
}

async function provider(overrides: Partial<S3StorageConfig> = {}, contextOverrides: Parameters<typeof createTestPluginContext>[0] = {}) {
  const context = createTestPluginContext(contextOverrides);
  contexts.push(context);
  const instance = await s3Plugin.createProvider(config(overrides), context);
  return { instance, context };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('s3-storage plugin', () => {
  it('has a schema the registry accepts, whose defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(s3Plugin)).toEqual([]);
    const minimal = { bucket: 'my-bucket', accessKeyId: 'AKIA', secretAccessKey: 'secret' };
    expect(validateConfig(s3Plugin, minimal)).toEqual({
      ok: true,
      value: { ...minimal, region: 'us-east-1', forcePathStyle: false, connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxAttempts: 3 },
    });
    const wrong = validateConfig(s3Plugin, { ...minimal, bucket: 'My_Bucket', endpoint: 'ftp://files.example.com', keyPrefix: '/x' });
    expect(wrong.ok ? [] : wrong.errors.map((e) => e.field).sort()).toEqual(['bucket', 'endpoint', 'keyPrefix']);
  });

  it('stores, retrieves and deletes an object under the key prefix, with metadata', async () => {
    const { instance } = await provider();
    const location = await instance.storeFile('reports/2024 Q1 (final).csv', bytes('a,b\n1,2\n'), {
      customer: 'ACME',
      pages: 3,
      approved: true,
      owner: 'Zoë Müller',
    });
    expect(location).toBe('s3://plugform-files/tenant-a/reports/2024 Q1 (final).csv');

    const stored = s3.objects.get('plugform-files')?.get('tenant-a/reports/2024 Q1 (final).csv');
    expect(stored?.body.toString()).toBe('a,b\n1,2\n');
    // S3 user metadata: ASCII as is, other text as an RFC 2047 encoded word.
    expect(stored?.metadata).toEqual({ customer: 'ACME', pages: '3', approved: 'true', owner: `=?UTF-8?B?${Buffer.from('Zoë Müller').toString('base64')}?=` });

    const file = keep(await instance.retrieveFile('reports/2024 Q1 (final).csv'));
    expect(new TextDecoder().decode(file.content)).toBe('a,b\n1,2\n');
    expect(file.metadata).toEqual({ customer: 'ACME', pages: '3', approved: 'true', owner: 'Zoë Müller' });

    expect(await instance.deleteFile('reports/2024 Q1 (final).csv')).toBe(true);
    expect(await instance.deleteFile('reports/2024 Q1 (final).csv')).toBe(false);
    expect(s3.objects.get('plugform-files')?.size).toBe(0);
  });

  it('signs every request with SigV4 and the double verifies it, odd characters included', async () => {
    const { instance } = await provider({ keyPrefix: undefined });
    const key = "weird/k~e y+!'()*&=é€.bin";
    await instance.storeFile(key, new Uint8Array([0, 1, 2, 255]));
    expect(Array.from((await instance.retrieveFile(key)).content)).toEqual([0, 1, 2, 255]);
    const last = s3.requests.at(-1);
    expect(last?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAPLUGFORMTEST0001\/\d{8}\/eu-central-1\/s3\/aws4_request/);
    expect(last?.errorCode).toBeUndefined();
    await instance.deleteFile(key);
  });

  it('reports a missing file clearly', async () => {
    const { instance } = await provider();
    const error = keep(await thrownBy(() => instance.retrieveFile('nope.txt')));
    expect(error).toBeInstanceOf(S3StorageError);
    expect(error.message).toBe('File not found: nope.txt');
    expect((error as S3StorageError).code).toBe('NOT_FOUND');
  });

  it.each([
    ['../escape.txt', 'path traversal'],
    ['a/./b.txt', 'path traversal'],
    ['/absolute.txt', 'starts with /'],
    ['', 'empty'],
    ['line\nbreak', 'control character'],
  ])('refuses the key %j (%s) before any request', async (key, reason) => {
    const { instance } = await provider();
    const before = s3.requests.length;
    const error = await thrownBy(() => instance.storeFile(key, bytes('x')));
    expect(error.message).toMatch(/^Invalid key /);
    expect(error.message).toContain(reason);
    expect(s3.requests.length).toBe(before);
  });

  it('refuses metadata S3 cannot carry before any request', async () => {
    const { instance } = await provider();
    await expect(instance.storeFile('a.txt', bytes('x'), { 'bad name': 'x' })).rejects.toThrow('Metadata name "bad name" is not allowed');
    await expect(instance.storeFile('a.txt', bytes('x'), { big: 'x'.repeat(3000) })).rejects.toThrow(/Metadata is \d+ bytes; S3 allows 2048 bytes/);
  });

  it('test and health list the bucket', async () => {
    const { instance } = await provider();
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: true, message: 'Listed bucket plugform-files: credentials and permissions work' });
    expect(test.details).toMatchObject({ bucket: 'plugform-files', region: 'eu-central-1', endpoint: s3.endpoint });
    const health = keep(await instance.healthCheck!());
    expect(health.status).toBe('healthy');
    expect(s3.requests.at(-1)?.rawPath).toMatch(/^\/plugform-files\/\?list-type=2&max-keys=1&prefix=tenant-a%2F/);
  });

  it('reports a wrong secret key as a signature mismatch', async () => {
    const { instance } = await provider({ secretAccessKey: 'not-the-secret' });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({
      success: false,
      message: `The secret access key does not match the access key ID ${ACCESS_KEY} (request signature rejected)`,
      details: { code: 'SIGNATURE_MISMATCH' },
    });
    const error = keep(await thrownBy(() => instance.storeFile('a.txt', bytes('x'))));
    expect((error as S3StorageError).code).toBe('SIGNATURE_MISMATCH');
  });

  it('reports an unknown access key', async () => {
    const { instance } = await provider({ accessKeyId: 'AKIAUNKNOWN000000000' });
    const health = keep(await instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', details: { code: 'INVALID_ACCESS_KEY' } });
    expect(health.message).toBe(`The access key ID AKIAUNKNOWN000000000 is not known to ${new URL(s3.endpoint).host}`);
  });

  it('reports access denied for a bucket the key may not use', async () => {
    const { instance } = await provider({ accessKeyId: READ_ONLY_KEY, secretAccessKey: 'other-secret' });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'ACCESS_DENIED' } });
    expect(test.message).toBe('Access denied to bucket "plugform-files": the credentials lack the permission for this operation');
  });

  it('reports a missing bucket', async () => {
    const { instance } = await provider({ bucket: 'no-such-bucket' });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'NO_SUCH_BUCKET' } });
    expect(test.message).toBe(`Bucket "no-such-bucket" does not exist at ${new URL(s3.endpoint).host}`);
    // deleteFile asks with HEAD first, which has no error body: the bucket error must still be told apart.
    await expect(instance.deleteFile('a.txt')).rejects.toThrow('Bucket "no-such-bucket" does not exist');
    await expect(instance.retrieveFile('a.txt')).rejects.toThrow('Bucket "no-such-bucket" does not exist');
  });

  it('reports a bucket in another region', async () => {
    const { instance } = await provider({ region: 'us-west-2' });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, details: { code: 'WRONG_REGION' } });
    expect(test.message).toMatch(/^Bucket "plugform-files" is not in region us-west-2: .*expecting 'eu-central-1'/);
  });

  it('reports connection refused on a closed port', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const { instance } = await provider({ endpoint });
    const test = keep(await instance.testConnection!());
    expect(test).toMatchObject({ success: false, message: `Connection refused by 127.0.0.1:${port}: nothing listens there`, details: { code: 'CONNECTION_REFUSED' } });
  });

  it('times out on a service that never answers', async () => {
    s3.inject({ kind: 'hang' });
    const { instance } = await provider({ requestTimeoutMs: 300 });
    // The service never answers: only the timeout can end the check.
    const health = keep(await instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', message: `Timed out after 300 ms waiting for ${new URL(s3.endpoint).host}`, details: { code: 'TIMEOUT' } });
  });

  it('calls throttling degraded, and retries it when attempts allow', async () => {
    s3.inject({ kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    const once = await provider();
    const health = keep(await once.instance.healthCheck!());
    expect(health).toMatchObject({ status: 'degraded', details: { code: 'THROTTLED' } });
    expect(health.message).toMatch(/is throttling requests \(503 SlowDown\)/);

    s3.inject({ kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    const retrying = await provider({ maxAttempts: 2 });
    expect((await retrying.instance.healthCheck!()).status).toBe('healthy');
  });

  it('opens its sockets through the egress gate', async () => {
    const { egress, connects } = recordingEgress();
    const allowing = await provider({}, { egress });
    await allowing.instance.healthCheck!();
    expect(connects).toEqual([{ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) }]);

    const before = s3.requests.length;
    const blocking = await provider({}, { egress: loopbackBlockingGate });
    const test = keep(await blocking.instance.testConnection!());
    const { host } = new URL(s3.endpoint);
    expect(test).toMatchObject({ success: false, details: { code: 'EGRESS_BLOCKED' } });
    expect(test.message).toMatch(`Not allowed to connect to ${host}: Outbound connection to 127.0.0.1 blocked: 127.0.0.1 is a private or loopback address`);
    expect(s3.requests.length).toBe(before);
  });

  it('refuses an endpoint with credentials or another scheme at configure time', () => {
    expect(() => s3Plugin.createProvider(config({ endpoint: 'ftp://files.example.com' }), createTestPluginContext())).toThrow('Endpoint override must use http or https (got ftp:)');
    expect(() => s3Plugin.createProvider(config({ endpoint: 'https://user:pw@files.example.com' }), createTestPluginContext())).toThrow('Endpoint override must not contain credentials');
  });

  it('never reveals the secret access key', () => {
    expect(outputs.length).toBeGreaterThan(5);
    for (const context of contexts) expect(everythingSaid(context, ...outputs)).not.toContain(CANARY);
  });
});
