/**
 * The HTTP routes besides /graphql and the console, in one place so the request router in
 * start-server.ts registers them with one line:
 *   - `GET /api/v1/downloads/<signed link>`: a stored file, behind a signed short-lived link;
 *   - `GET /metrics`: Prometheus metrics, for the bearer token in PLUGFORM_METRICS_TOKEN
 *     (off, 404, when it is unset).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../plugins/sdk/index.ts';
import type { Logger } from '../logger.ts';
import { DOWNLOAD_PATH, type DownloadLinks } from '../operations/download-links.ts';
import { OperationFailedError } from '../operations/errors.ts';
import type { OperationMetrics } from '../operations/metrics.ts';
import type { OperationService } from '../operations/operation-service.ts';

export interface ApiRoutesOptions {
  operations: OperationService;
  metrics: OperationMetrics;
  links: DownloadLinks;
  metricsToken: string | undefined;
  logger: Logger;
}

export interface ApiRoutes {
  handles(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createApiRoutes(options: ApiRoutesOptions): ApiRoutes {
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string, code: string, headers: Record<string, string> = {}) =>
    json(res, status, { errors: [{ message, extensions: { code } }] }, headers);

  async function download(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const verified = options.links.verify(token);
    if (!verified.ok) return error(res, 403, verified.reason, 'DOWNLOAD_REFUSED');
    try {
      const file = await options.operations.download(verified.target);
      // S3 lower-cases user metadata names: look the content type up case-insensitively.
      const declared = Object.entries(file.metadata).find(([name]) => name.toLowerCase() === 'contenttype')?.[1];
      const type = typeof declared === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(declared) ? declared : 'application/octet-stream';
      const name = verified.target.key.split('/').pop() ?? 'download';
      res.writeHead(200, {
        'content-type': type,
        'content-length': String(file.content.byteLength),
        // Served from Plugform's origin: never let a stored HTML or SVG file run as a page.
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'private, no-store',
      });
      if (req.method === 'HEAD') return void res.end();
      res.end(Buffer.from(file.content));
    } catch (failure) {
      if (failure instanceof OperationFailedError) {
        if (failure.vendorCode === 'NOT_FOUND') return error(res, 404, 'The file does not exist (any more)', 'NOT_FOUND');
        return error(res, 502, failure.message, 'OPERATION_FAILED');
      }
      const name = (failure as Error | undefined)?.name;
      if (name === 'NotFoundError' || name === 'InstanceUnavailableError' || name === 'OperationNotSupportedError') {
        return error(res, 404, (failure as Error).message, 'NOT_FOUND');
      }
      options.logger.error('download failed', { reason: errorMessage(failure) });
      return error(res, 500, 'Unexpected error; see the server log', 'INTERNAL_SERVER_ERROR');
    }
  }

  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.metricsToken) return error(res, 404, 'Metrics are off: set PLUGFORM_METRICS_TOKEN to serve them', 'NOT_FOUND');
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
    if (!given || !sameSecret(given, options.metricsToken)) {
      return error(res, 401, 'Send the metrics token as "Authorization: Bearer <PLUGFORM_METRICS_TOKEN>"', 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' });
    }
    res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' }).end(await options.metrics.text());
  }

  return {
    handles: (path) => path === '/metrics' || path.startsWith(DOWNLOAD_PATH),
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') return metrics(req, res);
      return download(req, res, path.slice(DOWNLOAD_PATH.length));
    },
  };
}

/** Compares hashes, so the comparison takes the same time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
