/**
 * A local double of the Amazon S3 REST API, for the subset the s3-storage plugin uses:
 * PutObject, GetObject, HeadObject, DeleteObject, HeadBucket and ListObjectsV2, path-style
 * addressing (`http://127.0.0.1:<port>/<bucket>/<key>`).
 *
 * It follows the S3 API reference where a client can tell the difference:
 * - every request must carry a valid AWS Signature Version 4 (`Authorization` header): the
 *   canonical request, string to sign and signing key are rebuilt as the SigV4 documentation
 *   describes, from the raw request line and headers, and compared with the client's;
 * - errors answer with S3's XML error body (`<Error><Code>…</Code><Message>…</Message>…`), its
 *   status code and `x-amz-request-id`; HEAD errors have no body, as on S3;
 * - the signed payload hash (`x-amz-content-sha256`), `Content-MD5` and CRC32 checksums are
 *   verified; user metadata (`x-amz-meta-*`) is limited to 2 KB;
 * - access is per access key and bucket (`AccessDenied`), clock skew over 15 minutes is
 *   refused (`RequestTimeTooSkewed`), and a credential scoped to another region is refused
 *   (`AuthorizationHeaderMalformed`).
 *
 * References: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * and https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 *
 * Faults can be injected in front of the handler: a hang (for timeouts), a delay, or a canned
 * error (for example 503 SlowDown).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { crc32 } from 'node:zlib';

export interface S3Credential {
  secretAccessKey: string;
  /** Buckets this key may use; `'*'` for all. */
  buckets: readonly string[] | '*';
}

export interface S3DoubleOptions {
  region?: string;
  /** Access key id → credential. */
  credentials: Record<string, S3Credential>;
  buckets: readonly string[];
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
  /** User metadata as sent (`x-amz-meta-` removed, names lower-case). */
  metadata: Record<string, string>;
  etag: string;
  lastModified: Date;
}

export interface S3Request {
  method: string;
  rawPath: string;
  headers: Record<string, string | string[] | undefined>;
  bodyLength: number;
  /** The S3 error code answered, if any. */
  errorCode?: string;
}

export type S3Fault =
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'error'; status: number; code: string; message: string };

export interface S3Double {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly requests: S3Request[];
  /** bucket → key → object */
  readonly objects: Map<string, Map<string, StoredObject>>;
  inject(fault: S3Fault, times?: number): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_USER_METADATA_BYTES = 2 * 1024;

/** An S3 error: status, code, message and the extra elements S3 puts in its body. */
class S3Error extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, string>;
  constructor(status: number, code: string, message: string, extra: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export async function startS3Double(options: S3DoubleOptions): Promise<S3Double> {
  const region = options.region ?? 'us-east-1';
  const objects = new Map(options.buckets.map((b) => [b, new Map<string, StoredObject>()]));
  const requests: S3Request[] = [];
  const faults: { fault: S3Fault; remaining: number }[] = [];
  const sockets = new Set<Socket>();

  const takeFault = (): S3Fault | undefined => {
    const first = faults[0];
    if (!first) return undefined;
    if (--first.remaining <= 0) faults.shift();
    return first.fault;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record: S3Request = { method: req.method ?? 'GET', rawPath: req.url ?? '/', headers: { ...req.headers }, bodyLength: body.length };
      requests.push(record);
      void respond(req, res, body, record);
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse, body: Buffer, record: S3Request): Promise<void> {
    const fault = takeFault();
    if (fault?.kind === 'hang') return; // the socket stays open until the client gives up
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    try {
      if (fault?.kind === 'error') throw new S3Error(fault.status, fault.code, fault.message);
      const accessKeyId = verifySignature(req, body, options.credentials, region);
      route(req, res, body, accessKeyId);
    } catch (error) {
      const s3 = error instanceof S3Error ? error : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      record.errorCode = s3.code;
      sendError(res, req.method === 'HEAD', s3);
    }
  }

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer, accessKeyId: string): void {
    const { bucket, key, query } = parseTarget(req.url ?? '/');
    const method = req.method ?? 'GET';
    if (!bucket) throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented.');
    const store = objects.get(bucket);
    if (!store) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const credential = options.credentials[accessKeyId];
    if (!credential || (credential.buckets !== '*' && !credential.buckets.includes(bucket))) {
      throw new S3Error(403, 'AccessDenied', 'Access Denied');
    }

    if (key === '') {
      if (method === 'HEAD') return send(res, 200, { 'x-amz-bucket-region': region });
      if (method === 'GET' && query.get('list-type') === '2') return listObjectsV2(res, bucket, store, query);
      throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented.');
    }
    if (method === 'PUT') return putObject(req, res, body, store, key);
    if (method === 'GET' || method === 'HEAD') return getObject(res, store, key, method === 'HEAD');
    if (method === 'DELETE') {
      store.delete(key); // S3 answers 204 whether or not the key existed
      return send(res, 204, {});
    }
    throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'OBJECT' });
  }

  function putObject(req: IncomingMessage, res: ServerResponse, body: Buffer, store: Map<string, StoredObject>, key: string): void {
    if (req.headers['x-amz-copy-source']) throw new S3Error(501, 'NotImplemented', 'CopyObject is not implemented by this double.');
    verifyChecksums(req, body);
    const metadata: Record<string, string> = {};
    let metadataBytes = 0;
    for (const [name, value] of Object.entries(req.headers)) {
      if (!name.startsWith('x-amz-meta-') || typeof value !== 'string') continue;
      const short = name.slice('x-amz-meta-'.length);
      metadata[short] = value;
      metadataBytes += Buffer.byteLength(short) + Buffer.byteLength(value);
    }
    if (metadataBytes > MAX_USER_METADATA_BYTES) {
      throw new S3Error(400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', {
        Size: String(metadataBytes),
        MaxSizeAllowed: String(MAX_USER_METADATA_BYTES),
      });
    }
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    store.set(key, { body, contentType: header(req, 'content-type') ?? 'binary/octet-stream', metadata, etag, lastModified: new Date() });
    send(res, 200, { etag });
  }

  function getObject(res: ServerResponse, store: Map<string, StoredObject>, key: string, headOnly: boolean): void {
    const object = store.get(key);
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const headers: Record<string, string> = {
      'content-type': object.contentType,
      'content-length': String(object.body.length),
      etag: object.etag,
      'last-modified': object.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
    send(res, 200, headers, headOnly ? undefined : object.body);
  }

  function listObjectsV2(res: ServerResponse, bucket: string, store: Map<string, StoredObject>, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000);
    const keys = [...store.keys()].filter((k) => k.startsWith(prefix)).sort();
    const page = keys.slice(0, maxKeys);
    const contents = page
      .map((k) => {
        const o = store.get(k)!;
        return `<Contents><Key>${xml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
      `<IsTruncated>${keys.length > page.length}</IsTruncated>${contents}</ListBucketResult>`;
    send(res, 200, { 'content-type': 'application/xml' }, Buffer.from(body));
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    requests,
    objects,
    inject(fault, times = 1) {
      faults.push({ fault, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Signature Version 4

const AUTH_PATTERN = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Checks the request's SigV4 signature and returns its access key id; throws S3's error otherwise. */
function verifySignature(req: IncomingMessage, body: Buffer, credentials: Record<string, S3Credential>, region: string): string {
  const authorization = header(req, 'authorization');
  if (!authorization) throw new S3Error(403, 'AccessDenied', 'Access Denied');
  const match = AUTH_PATTERN.exec(authorization);
  if (!match) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
  const [, accessKeyId, scopeDate, scopeRegion, service, signedHeaderList, signature] = match as unknown as string[];

  const credential = credentials[accessKeyId!];
  if (!credential) {
    throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId! });
  }
  if (scopeRegion !== region) {
    throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`, { Region: region });
  }
  if (service !== 's3') throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service '${service}'. This endpoint belongs to 's3'.`);

  const amzDate = header(req, 'x-amz-date') ?? '';
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === undefined || !amzDate.startsWith(scopeDate!)) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (Math.abs(Date.now() - requestTime) > MAX_SKEW_MS) {
    throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: amzDate, ServerTime: new Date().toISOString() });
  }

  const payloadHash = header(req, 'x-amz-content-sha256');
  if (!payloadHash) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (payloadHash.startsWith('STREAMING-')) throw new S3Error(501, 'NotImplemented', 'Chunked (streaming) uploads are not implemented by this double.');
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    const actual = sha256Hex(body);
    if (actual !== payloadHash) {
      throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual });
    }
  }

  const signedHeaders = signedHeaderList!.split(';');
  if (!signedHeaders.includes('host')) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The host header must be signed.');
  const canonicalRequest = [
    req.method ?? 'GET',
    canonicalUri(req.url ?? '/'),
    canonicalQuery(req.url ?? '/'),
    signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req, name)}\n`).join(''),
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = signingKey(credential.secretAccessKey, scopeDate!, scopeRegion!, service!).update(stringToSign).digest();
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: accessKeyId!,
      StringToSign: stringToSign,
      CanonicalRequest: canonicalRequest,
    });
  }
  return accessKeyId!;
}

function signingKey(secret: string, date: string, region: string, service: string) {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const kService = hmac(hmac(hmac(`AWS4${secret}`, date), region), service);
  return createHmac('sha256', hmac(kService, 'aws4_request'));
}

/** RFC 3986 encoding as SigV4 specifies: everything but `A-Za-z0-9-_.~` is %XX (upper-case hex). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** S3 signs the path encoded once (no double encoding), each segment on its own. */
function canonicalUri(rawUrl: string): string {
  const path = rawUrl.split('?')[0] ?? '/';
  return path.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/') || '/';
}

function canonicalQuery(rawUrl: string): string {
  const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  if (!query) return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1));
      return [uriEncode(key), uriEncode(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** All values of a header, from the raw list (Node drops or joins duplicates), trimmed and with inner runs of spaces collapsed. */
function canonicalHeaderValue(req: IncomingMessage, name: string): string {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) values.push(req.rawHeaders[i + 1]!.trim().replace(/\s+/g, ' '));
  }
  return values.join(',');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function verifyChecksums(req: IncomingMessage, body: Buffer): void {
  const md5 = header(req, 'content-md5');
  if (md5 && md5 !== createHash('md5').update(body).digest('base64')) {
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const crc = header(req, 'x-amz-checksum-crc32');
  if (crc) {
    const actual = Buffer.alloc(4);
    actual.writeUInt32BE(crc32(body));
    if (crc !== actual.toString('base64')) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
  }
}

// ---------------------------------------------------------------------------------------
// Plumbing

function parseTarget(rawUrl: string): { bucket: string; key: string; query: URLSearchParams } {
  const [path = '/', query = ''] = rawUrl.split('?', 2);
  const [, bucket = '', ...rest] = path.split('/');
  return { bucket: decodeURIComponent(bucket), key: rest.map((s) => decodeURIComponent(s)).join('/'), query: new URLSearchParams(query) };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function requestIds(): Record<string, string> {
  return { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), 'x-amz-id-2': randomBytes(24).toString('base64') };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer): void {
  res.writeHead(status, { ...requestIds(), server: 'AmazonS3', ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, headOnly: boolean, error: S3Error): void {
  const ids = requestIds();
  if (headOnly) {
    // S3 answers HEAD errors with the status alone: there is no body to carry a code.
    res.writeHead(error.status, { ...ids, server: 'AmazonS3' });
    res.end();
    return;
  }
  const extra = Object.entries(error.extra).map(([k, v]) => `<${k}>${xml(v)}</${k}>`).join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xml(error.message)}</Message>${extra}` +
    `<RequestId>${ids['x-amz-request-id']}</RequestId><HostId>${ids['x-amz-id-2']}</HostId></Error>`;
  res.writeHead(error.status, { ...ids, server: 'AmazonS3', 'content-type': 'application/xml' });
  res.end(body);
}
