/**
 * S3-compatible storage: Amazon S3, or any service speaking its API (MinIO, Ceph RGW,
 * Cloudflare R2, Wasabi …) through the endpoint override. Uses the official AWS SDK v3.
 *
 * The SDK does its own HTTP (it signs every request with SigV4), so it cannot go through
 * `context.http`; instead its request handler gets HTTP agents whose sockets the platform's
 * egress gate opens (`context.egress.connect`/`connectTls`), so the gate checks the address
 * every request actually connects to, and the handler enforces connection and request
 * timeouts. Connection test and health check list at most one key of the bucket
 * (ListObjectsV2, max-keys 1): cheap, authenticated, and it answers with S3's error codes.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { definePlugin } from '../sdk/index.ts';
import type { ConfigOf, FieldSpec, HealthReport, PluginContext, StorageProvider, StoredFile, StoredFileInfo, TestReport } from '../sdk/index.ts';

const fields = [
  {
    key: 'bucket',
    label: 'Bucket',
    type: 'STRING',
    destination: true,
    required: true,
    minLength: 3,
    maxLength: 63,
    validationRules: [
      {
        type: 'pattern',
        value: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$',
        message: 'Bucket names use lower-case letters, digits, dots and hyphens, and start and end with a letter or digit',
      },
    ],
    placeholder: 'my-app-uploads',
    group: 'Bucket',
    order: 1,
  },
  {
    key: 'region',
    label: 'Region',
    type: 'STRING',
    destination: true,
    required: true,
    default: 'us-east-1',
    validationRules: [{ type: 'pattern', value: '^[a-z0-9-]+$', message: 'A region looks like eu-west-1' }],
    helpText: "The bucket's region. S3-compatible services often accept any value (MinIO: us-east-1; R2: auto).",
    group: 'Bucket',
    order: 2,
  },
  {
    key: 'keyPrefix',
    label: 'Key prefix',
    type: 'STRING',
    maxLength: 512,
    validationRules: [{ type: 'pattern', value: '^[^/]', message: 'The key prefix must not start with /' }],
    placeholder: 'uploads/',
    helpText: 'Put in front of every key, e.g. "tenant-a/" to keep this instance\'s files in one folder.',
    group: 'Bucket',
    order: 3,
  },
  {
    key: 'accessKeyId',
    label: 'Access key ID',
    type: 'STRING',
    required: true,
    minLength: 1,
    maxLength: 256,
    placeholder: 'AKIAIOSFODNN7EXAMPLE',
    group: 'Credentials',
    order: 1,
  },
  {
    key: 'secretAccessKey',
    label: 'Secret access key',
    type: 'SECRET',
    required: true,
    minLength: 1,
    maxLength: 256,
    helpText: 'The key needs s3:ListBucket on the bucket, and s3:GetObject, s3:PutObject and s3:DeleteObject on its objects.',
    group: 'Credentials',
    order: 2,
  },
  {
    key: 'endpoint',
    label: 'Endpoint override',
    type: 'URL',
    destination: true,
    placeholder: 'https://minio.example.com:9000',
    helpText: 'Only for S3-compatible services; leave empty for Amazon S3.',
    group: 'Connection',
    order: 1,
  },
  {
    key: 'forcePathStyle',
    label: 'Force path-style addressing',
    type: 'BOOLEAN',
    destination: true,
    default: false,
    helpText: 'Address the bucket as https://host/bucket/key instead of https://bucket.host/key. Most S3-compatible services (MinIO) need this.',
    group: 'Connection',
    order: 2,
  },
  {
    key: 'connectionTimeoutMs',
    label: 'Connection timeout (ms)',
    type: 'INTEGER',
    default: 5_000,
    minValue: 100,
    maxValue: 60_000,
    group: 'Connection',
    order: 3,
  },
  {
    key: 'requestTimeoutMs',
    label: 'Request timeout (ms)',
    type: 'INTEGER',
    default: 30_000,
    minValue: 100,
    maxValue: 600_000,
    helpText: 'Limit for one request and its answer; raise it for large files on slow links.',
    group: 'Connection',
    order: 4,
  },
  {
    key: 'maxAttempts',
    label: 'Max attempts',
    type: 'INTEGER',
    default: 3,
    minValue: 1,
    maxValue: 10,
    helpText: 'Attempts per operation; the SDK retries throttling, 5xx answers and network errors with backoff.',
    group: 'Connection',
    order: 5,
  },
] as const satisfies readonly FieldSpec[];

export type S3StorageConfig = ConfigOf<typeof fields>;

export default definePlugin({
  name: 's3-storage',
  displayName: 'S3-compatible storage',
  type: 'STORAGE',
  version: '1.0.0',
  description: 'Store files in Amazon S3 or an S3-compatible service (MinIO, Ceph, R2, Wasabi).',
  author: 'Plugform',
  homepage: 'https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html',
  tags: ['storage', 's3', 'aws', 'minio'],
  groups: ['Bucket', 'Credentials', 'Connection'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  createProvider: (config, context) => createS3Provider(config, context),
});

function createS3Provider(config: S3StorageConfig, context: PluginContext): StorageProvider<S3StorageConfig> {
  const endpoint = config.endpoint ? parseEndpoint(config.endpoint) : undefined;
  const state = { config, client: createClient(config, endpoint, context) };

  /** Runs one SDK call and turns its failure into a clear, secret-free Error. */
  async function call<T>(operation: string, key: string | undefined, run: (client: S3Client, config: S3StorageConfig) => Promise<T>): Promise<T> {
    const { client, config } = state;
    try {
      return await run(client, config);
    } catch (error) {
      const described = describeS3Error(error, config, key);
      // A missing file is an everyday answer, not a problem worth a warning.
      const level = described.code === 'NOT_FOUND' ? 'debug' : 'warn';
      context.logger[level](`s3 ${operation} failed`, { bucket: config.bucket, key, code: described.code });
      throw new S3StorageError(described.message, described.code);
    }
  }

  /** ListObjectsV2 with max-keys 1 under the prefix: proves endpoint, credentials, bucket and list permission. */
  async function probe(): Promise<{ ok: true; keyCount: number } | { ok: false; message: string; code: string }> {
    const { client, config } = state;
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: config.bucket, MaxKeys: 1, Prefix: config.keyPrefix || undefined }));
      return { ok: true, keyCount: listed.KeyCount ?? 0 };
    } catch (error) {
      return { ok: false, ...describeS3Error(error, config, undefined) };
    }
  }

  return {
    async storeFile(key, content, metadata = {}) {
      const objectKey = objectKeyOf(state.config, key);
      const userMetadata = toUserMetadata(metadata);
      await call('PutObject', key, (client, config) =>
        client.send(new PutObjectCommand({ Bucket: config.bucket, Key: objectKey, Body: content, Metadata: userMetadata })),
      );
      context.logger.info('file stored', { bucket: state.config.bucket, key: objectKey, size: content.byteLength });
      return `s3://${state.config.bucket}/${objectKey}`;
    },

    async retrieveFile(key): Promise<StoredFile> {
      const objectKey = objectKeyOf(state.config, key);
      return call('GetObject', key, async (client, config) => {
        const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: objectKey }));
        const content = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
        return { content, metadata: fromUserMetadata(object.Metadata ?? {}) };
      });
    },

    async deleteFile(key) {
      const objectKey = objectKeyOf(state.config, key);
      // S3 answers DeleteObject with 204 whether or not the key existed; ask first so the
      // result means the same as for the other storage plugins.
      const exists = await call('HeadObject', key, (client, config) =>
        client.send(new HeadObjectCommand({ Bucket: config.bucket, Key: objectKey })).then(
          () => true,
          (error: unknown) => {
            if (isNotFound(error)) return false;
            throw error;
          },
        ),
      );
      if (!exists) {
        // A HEAD answer has no body, so its 404 does not say whether the key or the bucket is
        // missing; HeadBucket tells (and throws "bucket does not exist" when that is the case).
        await call('HeadBucket', undefined, (client, config) => client.send(new HeadBucketCommand({ Bucket: config.bucket })));
        return false;
      }
      await call('DeleteObject', key, (client, config) => client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: objectKey })));
      context.logger.info('file deleted', { bucket: state.config.bucket, key: objectKey });
      return true;
    },

    /** ListObjectsV2 under the instance's key prefix; keys are returned without it. */
    async listFiles(prefix, { limit }) {
      const keyPrefix = state.config.keyPrefix ?? '';
      const answer = await call('ListObjectsV2', undefined, (client, config) =>
        client.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: `${keyPrefix}${prefix}`, MaxKeys: Math.min(limit, 1000) })),
      );
      return (answer.Contents ?? [])
        .filter((object) => typeof object.Key === 'string')
        .map((object): StoredFileInfo => ({
          key: object.Key!.slice(keyPrefix.length),
          ...(object.Size === undefined ? {} : { size: object.Size }),
          ...(object.LastModified ? { lastModified: object.LastModified.toISOString() } : {}),
        }));
    },

    async testConnection() {
      const result = await probe();
      const details = endpointDetails(state.config);
      const report: TestReport = result.ok
        ? { success: true, message: `Listed bucket ${state.config.bucket}: credentials and permissions work`, details }
        : { success: false, message: result.message, details: { ...details, code: result.code } };
      return report;
    },

    async healthCheck() {
      const result = await probe();
      const details = endpointDetails(state.config);
      if (result.ok) {
        const report: HealthReport = { status: 'healthy', message: `Bucket ${state.config.bucket} is reachable`, details };
        return report;
      }
      // Throttling means the service is there and busy: degraded, not down.
      const status = result.code === 'THROTTLED' ? 'degraded' : 'unhealthy';
      const report: HealthReport = { status, message: result.message, details: { ...details, code: result.code } };
      return report;
    },

    stop() {
      state.client.destroy();
    },
  };
}

/** Thrown by the operations; `code` is stable (`NOT_FOUND`, `ACCESS_DENIED` …) for callers. */
export class S3StorageError extends Error {
  override readonly name = 'S3StorageError';
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------
// The client

function parseEndpoint(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Endpoint override is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Endpoint override must use http or https (got ${url.protocol})`);
  if (url.username || url.password) throw new Error('Endpoint override must not contain credentials; use the access key fields');
  return url;
}

function createClient(config: S3StorageConfig, endpoint: URL | undefined, context: PluginContext): S3Client {
  const client = new S3Client({
    region: config.region,
    endpoint: endpoint?.href,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: config.maxAttempts,
    requestHandler: {
      httpAgent: new GatedHttpAgent(context),
      httpsAgent: new GatedHttpsAgent(context),
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    // S3-compatible services differ in their support of the SDK's default CRC checksums;
    // SigV4 already signs the SHA-256 of every body, so compute checksums only when required.
    requestChecksumCalculation: endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
  });
  return client;
}

/** HTTP agents whose sockets come from the egress gate (keep-alive: the SDK's default). */
class GatedHttpAgent extends HttpAgent {
  readonly #context: PluginContext;
  constructor(context: PluginContext) {
    super({ keepAlive: true });
    this.#context = context;
  }
  override createConnection(options: ClientRequestArgs) {
    return this.#context.egress.connect({ host: options.hostname ?? options.host ?? 'localhost', port: Number(options.port) || 80 });
  }
}

class GatedHttpsAgent extends HttpsAgent {
  readonly #context: PluginContext;
  constructor(context: PluginContext) {
    super({ keepAlive: true });
    this.#context = context;
  }
  override createConnection(options: ClientRequestArgs) {
    const host = options.hostname ?? options.host ?? 'localhost';
    return this.#context.egress.connectTls({ ...(options as ConnectionOptions), host, port: Number(options.port) || 443 });
  }
}

function endpointDetails(config: S3StorageConfig): Record<string, unknown> {
  return {
    bucket: config.bucket,
    region: config.region,
    endpoint: config.endpoint ? new URL(config.endpoint).origin : `https://s3.${config.region}.amazonaws.com`,
    keyPrefix: config.keyPrefix ?? '',
  };
}

// ---------------------------------------------------------------------------------------
// Keys and metadata

const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2 * 1024;

/**
 * The object key for a caller's key. S3 keys are flat, but "." and ".." segments are refused:
 * HTTP layers and some S3-compatible services normalise them, which could step out of the
 * key prefix.
 */
export function objectKeyOf(config: S3StorageConfig, key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new Error(`Invalid key ${JSON.stringify(key.slice(0, 100))}: ${problem}`);
  const full = `${config.keyPrefix ?? ''}${key}`;
  if (Buffer.byteLength(full) > MAX_KEY_BYTES) throw new Error(`Invalid key: with the prefix it is longer than ${MAX_KEY_BYTES} bytes`);
  return full;
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'it contains a control character';
  if (key.startsWith('/')) return 'it starts with /';
  if (key.split('/').some((s) => s === '.' || s === '..')) return 'it contains a "." or ".." segment (path traversal)';
  return undefined;
}

const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const ENCODED_WORD = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i;

/**
 * Metadata becomes S3 user metadata (`x-amz-meta-<name>`): names lower-case (S3 lowercases
 * them anyway), values strings. Values that are not printable ASCII are sent as RFC 2047
 * encoded words (`=?UTF-8?B?…?=`), which is how S3 itself returns non-ASCII metadata.
 */
export function toUserMetadata(metadata: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (!HEADER_TOKEN.test(name)) throw new Error(`Metadata name ${JSON.stringify(name)} is not allowed: use letters, digits and - _ .`);
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    const encoded = /^[\x20-\x7e]*$/.test(text) && !ENCODED_WORD.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
    const lower = name.toLowerCase();
    out[lower] = encoded;
    bytes += Buffer.byteLength(lower) + Buffer.byteLength(encoded);
  }
  if (bytes > MAX_METADATA_BYTES) throw new Error(`Metadata is ${bytes} bytes; S3 allows ${MAX_METADATA_BYTES} bytes of user metadata per file`);
  return out;
}

export function fromUserMetadata(metadata: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metadata)) {
    const match = ENCODED_WORD.exec(value);
    out[name] = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Errors

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');
}

function systemCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * What went wrong, in words an admin can act on. Built from S3's error code and the HTTP
 * status only: the SDK's error objects carry request details we do not repeat.
 */
export function describeS3Error(error: unknown, config: S3StorageConfig, key: string | undefined): { message: string; code: string } {
  const bucket = config.bucket;
  const host = config.endpoint ? new URL(config.endpoint).host : `s3.${config.region}.amazonaws.com`;
  const result = (code: string, message: string) => ({ code, message });

  if (error instanceof Error && error.name === 'EgressBlockedError') return result('EGRESS_BLOCKED', `Not allowed to connect to ${host}: ${error.message}`);
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    switch (error.name) {
      case 'NoSuchBucket':
        return result('NO_SUCH_BUCKET', `Bucket "${bucket}" does not exist at ${host}`);
      case 'NoSuchKey':
        return result('NOT_FOUND', `File not found: ${key ?? ''}`);
      case 'InvalidAccessKeyId':
        return result('INVALID_ACCESS_KEY', `The access key ID ${config.accessKeyId} is not known to ${host}`);
      case 'SignatureDoesNotMatch':
        return result('SIGNATURE_MISMATCH', `The secret access key does not match the access key ID ${config.accessKeyId} (request signature rejected)`);
      case 'AccessDenied':
      case 'AllAccessDisabled':
        return result('ACCESS_DENIED', `Access denied to bucket "${bucket}": the credentials lack the permission for this operation`);
      case 'AuthorizationHeaderMalformed':
      case 'PermanentRedirect':
      case 'IllegalLocationConstraintException':
        return result('WRONG_REGION', `Bucket "${bucket}" is not in region ${config.region}: ${error.message}`);
      case 'RequestTimeTooSkewed':
        return result('CLOCK_SKEW', "The server's clock differs from the storage service's by more than 15 minutes");
      case 'MetadataTooLarge':
        return result('METADATA_TOO_LARGE', 'The metadata is larger than the service accepts (2 KB)');
      case 'SlowDown':
      case 'ServiceUnavailable':
      case 'Throttling':
        return result('THROTTLED', `${host} is throttling requests (${status ?? 503} ${error.name}); try again later`);
    }
    // HEAD requests carry no error body, so only the status tells what happened.
    if (status === 404) return key === undefined ? result('NO_SUCH_BUCKET', `Bucket "${bucket}" does not exist at ${host}`) : result('NOT_FOUND', `File not found: ${key}`);
    if (status === 403) return result('ACCESS_DENIED', `Access denied to bucket "${bucket}" (403)`);
    if (status === 503) return result('THROTTLED', `${host} is unavailable or throttling (503); try again later`);
    return result('S3_ERROR', `${host} answered ${status ?? 'an error'} ${error.name}: ${error.message}`);
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    // The SDK's handler says which limit passed: connecting, or the request as a whole.
    const connecting = /establish a connection/.test(error.message);
    return connecting
      ? result('TIMEOUT', `Could not connect to ${host} within ${config.connectionTimeoutMs} ms`)
      : result('TIMEOUT', `Timed out after ${config.requestTimeoutMs} ms waiting for ${host}`);
  }
  const system = systemCodeOf(error);
  if (system === 'ECONNREFUSED') return result('CONNECTION_REFUSED', `Connection refused by ${host}: nothing listens there`);
  if (system === 'ENOTFOUND' || system === 'EAI_AGAIN') return result('HOST_NOT_FOUND', `Host ${host} could not be resolved`);
  if (system === 'ETIMEDOUT' || system === 'ECONNRESET' || system === 'EPIPE') {
    return result('NETWORK', `Connection to ${host} failed (${system})`);
  }
  const text = error instanceof Error ? error.message : String(error);
  return result('ERROR', `S3 request to ${host} failed: ${text.split(config.secretAccessKey).join('***')}`);
}
